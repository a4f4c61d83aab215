import type { EvaluationKind, FindingKind } from '../../../../db/schema';

/*
 * References (issue 10 defect 10). A finding's reference names its evaluation, so an
 * organisation never sees two "NC-1": `2026-S1-NC-1` is the first nonconformity of the first
 * surveillance of the certificate cycle, held in 2026. The evaluation's part is
 *
 *   <year of the window's start>-<kind code><sequence of that kind within the cycle>
 *
 * with the codes IA (initial evaluation, 初次评价), S (surveillance, 监督评价), R (recertification,
 * 再认证评价) and SP (special evaluation, 特殊评价). A cycle is one organisation's certification
 * against one standard from an initial evaluation or recertification to the next; it is what
 * the references are unique in (migration 2026-12-03-02). Latin letters and digits read the same
 * in both languages and are what certification bodies already write on reports.
 */

export const EVALUATION_CODES: Record<EvaluationKind, string> = {
	initial: 'IA',
	surveillance: 'S',
	recertification: 'R',
	special: 'SP'
};

/** NC-1, NC-2 … for nonconformities; OBS-n for observations; OFI-n for opportunities. */
export const FINDING_CODES: Record<FindingKind, string> = {
	nonconformity: 'NC',
	observation: 'OBS',
	opportunity: 'OFI'
};

/** A cycle begins with these. */
const CYCLE_STARTS: EvaluationKind[] = ['initial', 'recertification'];

export interface ReferencedEvaluation {
	kind: EvaluationKind;
	/** ISO date. */
	windowStart: string;
	/** Null until its first finding is recorded. */
	reference: string | null;
}

/**
 * The reference an evaluation gets when its first finding is recorded, given the evaluations of
 * the same organisation and standard that already have one. Its sequence counts the evaluations
 * of its kind since the cycle began (the latest initial or recertification evaluation whose
 * window starts no later than its own); a reference already taken (two cycles starting in one
 * year) moves on to the next free number, so the result is always unique among `referenced`.
 */
export function evaluationReference(
	evaluation: { kind: EvaluationKind; windowStart: string },
	referenced: ReferencedEvaluation[]
): string {
	const labelled = referenced.filter((other) => other.reference !== null);
	const cycleStart = CYCLE_STARTS.includes(evaluation.kind)
		? evaluation.windowStart
		: labelled
				.filter((other) => CYCLE_STARTS.includes(other.kind))
				.map((other) => other.windowStart)
				.filter((start) => start <= evaluation.windowStart)
				.sort()
				.at(-1);
	const inCycle = labelled.filter(
		(other) =>
			other.kind === evaluation.kind &&
			(cycleStart === undefined || other.windowStart >= cycleStart)
	).length;
	const taken = new Set(labelled.map((other) => other.reference));
	const prefix = `${evaluation.windowStart.slice(0, 4)}-${EVALUATION_CODES[evaluation.kind]}`;
	let sequence = inCycle + 1;
	while (taken.has(`${prefix}${sequence}`)) sequence++;
	return `${prefix}${sequence}`;
}

/** The prefix of an evaluation's findings of one kind: `2026-S1-NC-`. */
export function findingReferencePrefix(evaluationReference: string, kind: FindingKind): string {
	return `${evaluationReference}-${FINDING_CODES[kind]}-`;
}

/** The next reference after those used with `prefix` (gaps are not refilled). */
export function nextFindingReference(prefix: string, used: string[]): string {
	const numbers = used
		.map((reference) => Number(reference.slice(prefix.length)))
		.filter((n) => Number.isInteger(n) && n > 0);
	return `${prefix}${Math.max(0, ...numbers) + 1}`;
}
