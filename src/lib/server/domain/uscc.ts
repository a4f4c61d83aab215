/*
 * 统一社会信用代码 (unified social credit code), GB 32100-2015: 18 characters from a 31-symbol
 * alphabet (no I, O, S, V, Z). Positions 3–8 are the administrative division code; the 18th is a
 * check character computed modulo 31 over the first 17 with fixed weights.
 */

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export type UsccProblem = 'length' | 'characters' | 'region' | 'check_digit';

export function normaliseUscc(input: string): string {
	return input.trim().toUpperCase();
}

export function usccCheckCharacter(first17: string): string {
	let sum = 0;
	for (let i = 0; i < 17; i++) sum += ALPHABET.indexOf(first17[i] ?? '') * (WEIGHTS[i] ?? 0);
	const check = (31 - (sum % 31)) % 31;
	return ALPHABET[check] ?? '';
}

/** null when valid; otherwise what is wrong, so the form can say it precisely. */
export function usccProblem(input: string): UsccProblem | null {
	const code = normaliseUscc(input);
	if (code.length !== 18) return 'length';
	for (const char of code) if (!ALPHABET.includes(char)) return 'characters';
	if (!/^\d{6}$/.test(code.slice(2, 8))) return 'region';
	if (usccCheckCharacter(code.slice(0, 17)) !== code[17]) return 'check_digit';
	return null;
}

export function isValidUscc(input: string): boolean {
	return usccProblem(input) === null;
}
