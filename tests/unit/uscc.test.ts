import { describe, it, expect } from 'vitest';
import {
	isValidUscc,
	normaliseUscc,
	usccCheckCharacter,
	usccProblem
} from '../../src/lib/server/domain/uscc';

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const DIGITS = '0123456789';

const VALID = [
	'91350100M000100Y43',
	'91350206MA31RQB972',
	'91440300MA5HGWY27L',
	'91350203MA8UKJ2X1X'
];
const [CODE = ''] = VALID;

/** Replaces the character at `index` (0-based). */
function withChar(code: string, index: number, char: string): string {
	return code.slice(0, index) + char + code.slice(index + 1);
}

/** A small deterministic PRNG (mulberry32), so the property test is reproducible. */
function mulberry32(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function pick(random: () => number, from: string): string {
	return from[Math.floor(random() * from.length)] ?? '';
}

function randomPrefix(random: () => number): string {
	let prefix = '';
	for (let i = 0; i < 17; i++) prefix += pick(random, i >= 2 && i <= 7 ? DIGITS : ALPHABET);
	return prefix;
}

describe('known-valid codes', () => {
	it.each(VALID)('%s is valid', (code) => {
		expect(usccProblem(code)).toBeNull();
		expect(isValidUscc(code)).toBe(true);
	});

	it.each(VALID)('usccCheckCharacter gives the last character of %s', (code) => {
		expect(usccCheckCharacter(code.slice(0, 17))).toBe(code[17]);
	});

	it.each(VALID)('%s is valid in lower case and with surrounding whitespace', (code) => {
		expect(isValidUscc(code.toLowerCase())).toBe(true);
		expect(isValidUscc(`  ${code}\t\n`)).toBe(true);
		expect(isValidUscc(` ${code.toLowerCase()} `)).toBe(true);
	});
});

describe('normaliseUscc', () => {
	it('trims surrounding whitespace', () => {
		expect(normaliseUscc(`  ${CODE}  `)).toBe(CODE);
		expect(normaliseUscc(`\t${CODE}\n`)).toBe(CODE);
	});

	it('upper-cases letters', () => {
		expect(normaliseUscc('91350206ma31rqb972')).toBe('91350206MA31RQB972');
	});

	it('trims and upper-cases together', () => {
		expect(normaliseUscc(' 91440300ma5hgwy27l ')).toBe('91440300MA5HGWY27L');
	});

	it('leaves inner whitespace alone', () => {
		expect(normaliseUscc('9135 0100')).toBe('9135 0100');
	});

	it('is idempotent', () => {
		for (const input of [' 91350206ma31rqb972 ', CODE, '', 'abc']) {
			expect(normaliseUscc(normaliseUscc(input))).toBe(normaliseUscc(input));
		}
	});
});

describe("usccProblem: 'length'", () => {
	it.each([
		['empty', ''],
		['whitespace only', '   '],
		['17 characters', CODE.slice(0, 17)],
		['19 characters', `${CODE}0`],
		['one character', '9'],
		['two codes run together', `${CODE}${CODE}`],
		['an inner space making 19 characters', `${CODE.slice(0, 9)} ${CODE.slice(9)}`],
		['an inner hyphen making 19 characters', `${CODE.slice(0, 8)}-${CODE.slice(8)}`]
	])('%s', (_label, input) => {
		expect(usccProblem(input)).toBe('length');
		expect(isValidUscc(input)).toBe(false);
	});

	it('is judged after trimming, so padding does not count', () => {
		expect(usccProblem(`   ${CODE.slice(0, 17)}   `)).toBe('length');
		expect(usccProblem(`   ${CODE}   `)).toBeNull();
	});

	it('comes before the character check', () => {
		expect(usccProblem('91350100M000100YI')).toBe('length');
	});
});

describe("usccProblem: 'characters'", () => {
	it.each(['I', 'O', 'S', 'V', 'Z'])('the letter %s, which the alphabet excludes', (letter) => {
		expect(usccProblem(withChar(CODE, 10, letter))).toBe('characters');
		expect(usccProblem(withChar(CODE, 17, letter))).toBe('characters');
	});

	it.each(['i', 'o', 's', 'v', 'z'])(
		'the lower-case letter %s, which normalises to an excluded letter',
		(letter) => {
			expect(usccProblem(withChar(CODE, 10, letter))).toBe('characters');
		}
	);

	it.each([
		['a space', ' '],
		['a hyphen', '-'],
		['an asterisk', '*'],
		['a Chinese character', '中'],
		['a full-width digit', '１']
	])('%s inside the code', (_label, char) => {
		expect(usccProblem(withChar(CODE, 12, char))).toBe('characters');
	});

	it('comes before the region check', () => {
		expect(usccProblem(withChar(CODE, 3, 'O'))).toBe('characters');
	});
});

describe("usccProblem: 'region'", () => {
	it.each([2, 3, 4, 5, 6, 7])('a letter at position %i (0-based) of the division code', (index) => {
		expect(usccProblem(withChar(CODE, index, 'A'))).toBe('region');
	});

	it('is reported even when the check character fits the altered prefix', () => {
		const prefix = withChar(CODE.slice(0, 17), 4, 'K');
		expect(usccProblem(prefix + usccCheckCharacter(prefix))).toBe('region');
	});

	it('does not apply to positions 1–2 or 9–17, where letters are allowed', () => {
		for (const index of [0, 1, 8, 9, 16]) {
			const prefix = withChar(CODE.slice(0, 17), index, 'X');
			expect(usccProblem(prefix + usccCheckCharacter(prefix))).toBeNull();
		}
	});

	it('comes before the check-digit check', () => {
		expect(usccProblem(withChar(withChar(CODE, 2, 'A'), 17, '0'))).toBe('region');
	});
});

describe("usccProblem: 'check_digit'", () => {
	it.each(VALID)('every other last character is rejected for %s', (code) => {
		for (const char of ALPHABET) {
			if (char === code[17]) continue;
			expect(usccProblem(withChar(code, 17, char))).toBe('check_digit');
		}
	});

	it.each(VALID)('any single substitution in the first 17 characters of %s is caught', (code) => {
		for (let index = 0; index < 17; index++) {
			const allowed = index >= 2 && index <= 7 ? DIGITS : ALPHABET;
			for (const char of allowed) {
				if (char === code[index]) continue;
				expect(usccProblem(withChar(code, index, char))).toBe('check_digit');
			}
		}
	});

	it('catches a transposition of two adjacent different characters', () => {
		// 9 1 → 1 9 at the start of the first known-valid code.
		expect(usccProblem(`19${CODE.slice(2)}`)).toBe('check_digit');
	});
});

describe('usccCheckCharacter', () => {
	it('returns a single character from the alphabet', () => {
		const random = mulberry32(7);
		for (let i = 0; i < 200; i++) {
			const check = usccCheckCharacter(randomPrefix(random));
			expect(check).toHaveLength(1);
			expect(ALPHABET).toContain(check);
		}
	});

	it("gives '0' for the all-zero prefix", () => {
		expect(usccCheckCharacter('0'.repeat(17))).toBe('0');
		expect(isValidUscc('0'.repeat(18))).toBe(true);
	});

	it('can yield a letter as check character', () => {
		expect(usccCheckCharacter('91440300MA5HGWY27')).toBe('L');
		expect(usccCheckCharacter('91350203MA8UKJ2X1')).toBe('X');
	});
});

describe('property: prefix + usccCheckCharacter(prefix) is the only valid completion', () => {
	const random = mulberry32(20_151_001);
	const prefixes = Array.from({ length: 300 }, () => randomPrefix(random));

	it('every random prefix completed with its check character is valid', () => {
		for (const prefix of prefixes) {
			const code = prefix + usccCheckCharacter(prefix);
			expect(usccProblem(code), code).toBeNull();
			expect(isValidUscc(code.toLowerCase()), code).toBe(true);
		}
	});

	it('every other last character from the alphabet is a check-digit problem', () => {
		for (const prefix of prefixes) {
			const check = usccCheckCharacter(prefix);
			for (const char of ALPHABET) {
				if (char === check) continue;
				expect(usccProblem(prefix + char), prefix + char).toBe('check_digit');
			}
		}
	});

	it('every last character outside the alphabet is a character problem', () => {
		for (const prefix of prefixes.slice(0, 50)) {
			for (const char of 'IOSVZ-.') {
				expect(usccProblem(prefix + char), prefix + char).toBe('characters');
			}
		}
	});
});
