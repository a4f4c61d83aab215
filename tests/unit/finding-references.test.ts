import { describe, expect, it } from 'vitest';
import {
	evaluationReference,
	findingReferencePrefix,
	nextFindingReference,
	type ReferencedEvaluation
} from '../../src/lib/server/domain/finding-references';

/* The reference scheme of issue 10 defect 10: `<year>-<kind><sequence in the cycle>-<NC|OBS|OFI>-<n>`. */

const labelled = (
	kind: ReferencedEvaluation['kind'],
	windowStart: string,
	reference: string
): ReferencedEvaluation => ({ kind, windowStart, reference });

describe('evaluation references', () => {
	it('number each kind within the cycle, with the year of the window', () => {
		expect(evaluationReference({ kind: 'initial', windowStart: '2025-01-06' }, [])).toBe(
			'2025-IA1'
		);
		const cycle = [labelled('initial', '2025-01-06', '2025-IA1')];
		expect(evaluationReference({ kind: 'surveillance', windowStart: '2025-12-01' }, cycle)).toBe(
			'2025-S1'
		);
		cycle.push(labelled('surveillance', '2025-12-01', '2025-S1'));
		expect(evaluationReference({ kind: 'surveillance', windowStart: '2026-11-16' }, cycle)).toBe(
			'2026-S2'
		);
		expect(evaluationReference({ kind: 'special', windowStart: '2026-06-01' }, cycle)).toBe(
			'2026-SP1'
		);
	});

	it('start the surveillance count again after a recertification', () => {
		const history = [
			labelled('initial', '2025-01-06', '2025-IA1'),
			labelled('surveillance', '2025-12-01', '2025-S1'),
			labelled('surveillance', '2026-11-16', '2026-S2'),
			labelled('recertification', '2027-12-01', '2027-R1')
		];
		expect(evaluationReference({ kind: 'surveillance', windowStart: '2028-11-20' }, history)).toBe(
			'2028-S1'
		);
		expect(
			evaluationReference({ kind: 'recertification', windowStart: '2030-11-01' }, history)
		).toBe('2030-R1');
	});

	it('never repeat one already taken: the next free number', () => {
		// Two cycles begun in one year: the second recertification of 2027 is R2.
		const history = [labelled('recertification', '2027-01-10', '2027-R1')];
		expect(
			evaluationReference({ kind: 'recertification', windowStart: '2027-12-01' }, history)
		).toBe('2027-R2');
	});

	it('ignore evaluations without a reference yet', () => {
		expect(
			evaluationReference({ kind: 'surveillance', windowStart: '2026-03-01' }, [
				{ kind: 'surveillance', windowStart: '2026-01-01', reference: null }
			])
		).toBe('2026-S1');
	});
});

describe('finding references', () => {
	it('follow their evaluation’s reference, per kind, from the highest used', () => {
		const prefix = findingReferencePrefix('2026-S1', 'nonconformity');
		expect(prefix).toBe('2026-S1-NC-');
		expect(nextFindingReference(prefix, [])).toBe('2026-S1-NC-1');
		expect(nextFindingReference(prefix, ['2026-S1-NC-1', '2026-S1-NC-3'])).toBe('2026-S1-NC-4');
		expect(findingReferencePrefix('2026-SP1', 'observation')).toBe('2026-SP1-OBS-');
		expect(findingReferencePrefix('2026-SP1', 'opportunity')).toBe('2026-SP1-OFI-');
	});
});
