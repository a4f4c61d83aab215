/*
 * Certificate numbers (issue 12 item 1): a body sets a pattern, a grant decision allocates the
 * next number from it. Pure rules; the counter itself lives in the database.
 *
 * Syntax: literal text (letters, digits, `-`, `_`, `.`) and tokens
 *   {standard}  the standard's number: the first run of digits in its code
 *               ('GB/T 27922-2011' → '27922', 'ISO 10668-2010' → '10668')
 *   {year}      the decision's year, four digits; {yy} its last two
 *   {seq} / {seq:N}  the sequence, zero-padded to N digits (1–8; default 4)
 * exactly one {seq}, e.g. `DCB-{standard}-{year}-{seq:4}` → `DCB-27922-2026-0001`.
 *
 * The sequence counts per *prefix*: the number with everything but {seq} filled in. A new year
 * or another standard starts again at 1, and within one prefix numbers have no gaps (the
 * counter is taken in the grant's own transaction, so a refused grant uses none). `/` is not
 * allowed: a number is one segment of the /verify URL.
 */

export type PatternProblem =
	| 'pattern_empty'
	| 'pattern_length'
	| 'pattern_character'
	| 'pattern_token'
	| 'pattern_seq_count'
	| 'pattern_seq_width';

const TOKEN = /\{([a-z]+)(?::(\d+))?\}/g;
const LITERAL = /^[A-Za-z0-9._-]*$/;
const SEQ_DEFAULT_WIDTH = 4;

export interface ParsedPattern {
	/** The pattern as given. */
	source: string;
	seqWidth: number;
}

export function checkPattern(
	pattern: string
): { ok: true; parsed: ParsedPattern } | { ok: false; problem: PatternProblem } {
	if (!pattern.trim()) return { ok: false, problem: 'pattern_empty' };
	if (pattern.length < 6 || pattern.length > 60) return { ok: false, problem: 'pattern_length' };
	let seqCount = 0;
	let seqWidth = SEQ_DEFAULT_WIDTH;
	let rest = '';
	let last = 0;
	for (const match of pattern.matchAll(TOKEN)) {
		rest += pattern.slice(last, match.index);
		last = match.index + match[0].length;
		const [, name, width] = match;
		if (name === 'seq') {
			seqCount++;
			if (width !== undefined) {
				seqWidth = Number(width);
				if (!(seqWidth >= 1 && seqWidth <= 8)) return { ok: false, problem: 'pattern_seq_width' };
			}
		} else if ((name === 'standard' || name === 'year' || name === 'yy') && width === undefined) {
			// a known token
		} else return { ok: false, problem: 'pattern_token' };
	}
	rest += pattern.slice(last);
	if (rest.includes('{') || rest.includes('}')) return { ok: false, problem: 'pattern_token' };
	if (!LITERAL.test(rest)) return { ok: false, problem: 'pattern_character' };
	if (seqCount !== 1) return { ok: false, problem: 'pattern_seq_count' };
	return { ok: true, parsed: { source: pattern, seqWidth } };
}

/** The number part of a standard's code: its first run of digits ('' when it has none). */
export function standardNumber(code: string): string {
	return /\d+/.exec(code)?.[0] ?? '';
}

export interface NumberContext {
	standardCode: string;
	/** The decision's date, 'YYYY-MM-DD' in the body's time zone. */
	decidedOn: string;
}

/**
 * The prefix the counter is kept under (the pattern with every token but {seq} filled in and
 * {seq} left as `{seq}`), and how to write the number for a given sequence value.
 */
export function numberingFor(parsed: ParsedPattern, context: NumberContext) {
	const year = context.decidedOn.slice(0, 4);
	const prefix = parsed.source.replace(TOKEN, (token, name: string) => {
		if (name === 'standard') return standardNumber(context.standardCode) || '0';
		if (name === 'year') return year;
		if (name === 'yy') return year.slice(2);
		return '{seq}';
	});
	return {
		prefix,
		format(seq: number): string {
			if (!Number.isInteger(seq) || seq < 1) throw new RangeError(`sequence ${seq}`);
			return prefix.replace('{seq}', String(seq).padStart(parsed.seqWidth, '0'));
		}
	};
}
