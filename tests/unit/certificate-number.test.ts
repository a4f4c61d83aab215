import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
	checkPattern,
	numberingFor,
	standardNumber
} from '../../src/lib/server/domain/certificate-number';

describe('certificate number patterns', () => {
	it('the demo pattern numbers the five-star certificate as the seed does', () => {
		const checked = checkPattern('DCB-{standard}-{year}-{seq:4}');
		expect(checked.ok).toBe(true);
		if (!checked.ok) return;
		const numbering = numberingFor(checked.parsed, {
			standardCode: 'GB/T 27922-2011',
			decidedOn: '2026-03-15'
		});
		expect(numbering.prefix).toBe('DCB-27922-2026-{seq}');
		expect(numbering.format(1)).toBe('DCB-27922-2026-0001');
		expect(numbering.format(12345)).toBe('DCB-27922-2026-12345');
	});

	it('takes {yy}, the default width and the standard number of other codes', () => {
		const checked = checkPattern('X{yy}.{standard}_{seq}');
		if (!checked.ok) throw new Error(checked.problem);
		const n = numberingFor(checked.parsed, {
			standardCode: 'ISO 10668-2010',
			decidedOn: '2027-01-01'
		});
		expect(n.format(7)).toBe('X27.10668_0007');
		expect(standardNumber('RB/T 302-2016')).toBe('302');
		expect(standardNumber('no digits')).toBe('');
	});

	it.each([
		['', 'pattern_empty'],
		['{seq}', 'pattern_length'],
		['DCB/{year}/{seq}', 'pattern_character'],
		['DCB {year}-{seq}', 'pattern_character'],
		['DCB-{month}-{seq}', 'pattern_token'],
		['DCB-{year:2}-{seq}', 'pattern_token'],
		['DCB-{year-{seq}', 'pattern_token'],
		['DCB-{year}-0001', 'pattern_seq_count'],
		['DCB-{seq}-{seq}', 'pattern_seq_count'],
		['DCB-{year}-{seq:9}', 'pattern_seq_width'],
		['DCB-{year}-{seq:0}', 'pattern_seq_width']
	])('refuses %j (%s)', (pattern, problem) => {
		expect(checkPattern(pattern)).toEqual({ ok: false, problem });
	});

	it('numbers of one prefix are distinct and in order; another year is another prefix', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 1, max: 8 }),
				fc.uniqueArray(fc.integer({ min: 1, max: 10 ** 6 }), { minLength: 2 }),
				(width, seqs) => {
					const checked = checkPattern(`C-{year}-{seq:${width}}`);
					if (!checked.ok) return false;
					const n = numberingFor(checked.parsed, { standardCode: 'S 1', decidedOn: '2026-05-01' });
					const numbers = seqs.map((s) => n.format(s));
					return (
						new Set(numbers).size === numbers.length &&
						numbers.every((x) => x.startsWith('C-2026-'))
					);
				}
			)
		);
		const checked = checkPattern('C-{year}-{seq}');
		if (!checked.ok) throw new Error();
		expect(
			numberingFor(checked.parsed, { standardCode: 'S', decidedOn: '2027-01-01' }).prefix
		).not.toBe(numberingFor(checked.parsed, { standardCode: 'S', decidedOn: '2026-12-31' }).prefix);
	});
});
