import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import {
	generateSessionToken,
	hashSecret,
	parseSessionToken,
	randomString,
	renewedExpiry,
	secretMatches
} from '../../src/lib/server/auth/token';

const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
const IN_ALPHABET = /^[abcdefghijkmnpqrstuvwxyz23456789]*$/;

const ID = 'abcdefghijkmnpqrstuvwxyz';
const SECRET = '23456789abcdefghijkmnpqr';

function hex(bytes: Uint8Array): string {
	return Buffer.from(bytes).toString('hex');
}

describe('randomString', () => {
	it('is 24 characters long by default', () => {
		expect(randomString()).toHaveLength(24);
	});

	it.each([0, 1, 7, 24, 64])('honours an explicit length of %i', (length) => {
		const value = randomString(length);
		expect(value).toHaveLength(length);
		expect(value).toMatch(IN_ALPHABET);
	});

	it('uses every character of the 32-symbol alphabet and nothing else', () => {
		const seen = new Set(randomString(20_000));
		expect([...seen].sort().join('')).toBe([...ALPHABET].sort().join(''));
	});

	it('never produces the look-alike characters 0, 1, l or o', () => {
		expect(randomString(10_000)).not.toMatch(/[01lo]/);
	});
});

describe('generateSessionToken', () => {
	it('returns "<id>.<secret>" with matching id and secret fields', () => {
		const { id, secret, token } = generateSessionToken();
		expect(token).toBe(`${id}.${secret}`);
		expect(token.split('.')).toEqual([id, secret]);
	});

	it('makes the id and the secret 24 characters from the alphabet each', () => {
		for (let i = 0; i < 200; i++) {
			const { id, secret } = generateSessionToken();
			expect(id).toHaveLength(24);
			expect(secret).toHaveLength(24);
			expect(id).toMatch(IN_ALPHABET);
			expect(secret).toMatch(IN_ALPHABET);
		}
	});

	it('draws the id and the secret independently', () => {
		for (let i = 0; i < 100; i++) {
			const { id, secret } = generateSessionToken();
			expect(id).not.toBe(secret);
		}
	});

	it('never repeats an id, a secret or a token over 5000 generations', () => {
		const ids = new Set<string>();
		const secrets = new Set<string>();
		const tokens = new Set<string>();
		const n = 5000;
		for (let i = 0; i < n; i++) {
			const { id, secret, token } = generateSessionToken();
			ids.add(id);
			secrets.add(secret);
			tokens.add(token);
		}
		expect(ids.size).toBe(n);
		expect(secrets.size).toBe(n);
		expect(tokens.size).toBe(n);
	});

	it('produces tokens that parseSessionToken accepts and splits back', () => {
		for (let i = 0; i < 200; i++) {
			const { id, secret, token } = generateSessionToken();
			expect(parseSessionToken(token)).toEqual({ id, secret });
		}
	});
});

describe('parseSessionToken', () => {
	it('accepts a well-formed token', () => {
		expect(parseSessionToken(`${ID}.${SECRET}`)).toEqual({ id: ID, secret: SECRET });
	});

	it.each([
		['the empty string', ''],
		['a lone dot', '.'],
		['a token without a dot', `${ID}${SECRET}`],
		['an id without a secret', `${ID}.`],
		['a secret without an id', `.${SECRET}`],
		['an id alone', ID],
		['a token with an extra dot at the end', `${ID}.${SECRET}.`],
		['a token with a third part', `${ID}.${SECRET}.${ID}`],
		['a token with a doubled dot', `${ID}..${SECRET}`],
		['an id one character short', `${ID.slice(1)}.${SECRET}`],
		['an id one character long', `${ID}a.${SECRET}`],
		['a secret one character short', `${ID}.${SECRET.slice(1)}`],
		['a secret one character long', `${ID}.${SECRET}a`],
		['an upper-case id', `${ID.toUpperCase()}.${SECRET}`],
		['a single upper-case letter in the secret', `${ID}.${SECRET.slice(0, 23)}A`],
		['the digit 0', `${ID.slice(0, 23)}0.${SECRET}`],
		['the digit 1', `${ID}.${SECRET.slice(0, 23)}1`],
		['a hyphen', `${ID.slice(0, 23)}-.${SECRET}`],
		['an underscore', `${ID}.${SECRET.slice(0, 23)}_`],
		['a space inside', `${ID.slice(0, 23)} .${SECRET}`],
		['leading whitespace', ` ${ID}.${SECRET}`],
		['trailing whitespace', `${ID}.${SECRET} `],
		['a trailing newline', `${ID}.${SECRET}\n`],
		['a non-ASCII letter', `${ID.slice(0, 23)}é.${SECRET}`],
		['a base64 padding character', `${ID}.${SECRET.slice(0, 23)}=`]
	])('rejects %s', (_label, token) => {
		expect(parseSessionToken(token)).toBeNull();
	});

	// The alphabet leaves out the look-alikes l and o, so no issued token contains them.
	it.each([
		['l', `${ID.slice(0, 23)}l.${SECRET}`],
		['o', `${ID}.${SECRET.slice(0, 23)}o`]
	])('rejects the letter %s, which is outside the token alphabet', (_letter, token) => {
		expect(parseSessionToken(token)).toBeNull();
	});
});

describe('hashSecret', () => {
	it('returns the 32-byte SHA-256 digest as a Uint8Array', () => {
		const hash = hashSecret(SECRET);
		expect(hash).toBeInstanceOf(Uint8Array);
		expect(hash).toHaveLength(32);
	});

	it('matches the published SHA-256 test vectors', () => {
		expect(hex(hashSecret('abc'))).toBe(
			'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
		);
		expect(hex(hashSecret(''))).toBe(
			'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
		);
	});

	it('agrees with node:crypto for a session secret', () => {
		expect(hex(hashSecret(SECRET))).toBe(createHash('sha256').update(SECRET).digest('hex'));
	});

	it('is deterministic', () => {
		expect(hashSecret(SECRET)).toEqual(hashSecret(SECRET));
	});

	it('differs for secrets that differ in one character', () => {
		expect(hashSecret(SECRET)).not.toEqual(hashSecret(`${SECRET.slice(0, 23)}z`));
	});

	it('returns a fresh array each time, so mutating one result does not affect the next', () => {
		const first = hashSecret(SECRET);
		first[0] = (first[0] ?? 0) ^ 0xff;
		expect(hashSecret(SECRET)).not.toEqual(first);
	});
});

describe('secretMatches', () => {
	const stored = hashSecret(SECRET);

	it('is true for the secret whose hash is stored', () => {
		expect(secretMatches(SECRET, stored)).toBe(true);
	});

	it('is true for a freshly generated token against its own hash', () => {
		const { secret } = generateSessionToken();
		expect(secretMatches(secret, hashSecret(secret))).toBe(true);
	});

	it('is false for a different secret', () => {
		expect(secretMatches(`${SECRET.slice(0, 23)}z`, stored)).toBe(false);
		expect(secretMatches(ID, stored)).toBe(false);
		expect(secretMatches('', stored)).toBe(false);
	});

	it('is false when the stored hash differs in a single bit', () => {
		const tampered = new Uint8Array(stored);
		tampered[31] = (tampered[31] ?? 0) ^ 1;
		expect(secretMatches(SECRET, tampered)).toBe(false);
	});

	it.each([0, 1, 16, 31, 33, 64])(
		'is false, without throwing, for a stored hash of %i bytes',
		(length) => {
			const wrongLength = new Uint8Array(length);
			wrongLength.set(stored.slice(0, Math.min(length, 32)));
			expect(() => secretMatches(SECRET, wrongLength)).not.toThrow();
			expect(secretMatches(SECRET, wrongLength)).toBe(false);
		}
	);

	it('is false for the stored hash with extra bytes appended', () => {
		const longer = new Uint8Array(33);
		longer.set(stored);
		expect(secretMatches(SECRET, longer)).toBe(false);
	});
});

describe('renewedExpiry', () => {
	const DAY = 86_400_000;
	const LIFETIME = 30 * DAY;
	const now = new Date('2026-11-26T12:00:00.000Z');
	const at = (msFromNow: number) => new Date(now.getTime() + msFromNow);

	it('does not renew a session that was just issued (full lifetime left)', () => {
		expect(renewedExpiry(at(LIFETIME), now, LIFETIME)).toBeNull();
	});

	it('does not renew while more than half the lifetime remains', () => {
		expect(renewedExpiry(at(LIFETIME / 2 + 1), now, LIFETIME)).toBeNull();
		expect(renewedExpiry(at(20 * DAY), now, LIFETIME)).toBeNull();
	});

	it('does not renew when exactly half the lifetime remains', () => {
		expect(renewedExpiry(at(LIFETIME / 2), now, LIFETIME)).toBeNull();
	});

	it('renews to a full lifetime from now once less than half remains', () => {
		expect(renewedExpiry(at(LIFETIME / 2 - 1), now, LIFETIME)).toEqual(at(LIFETIME));
		expect(renewedExpiry(at(DAY), now, LIFETIME)).toEqual(at(LIFETIME));
		expect(renewedExpiry(at(1), now, LIFETIME)).toEqual(at(LIFETIME));
	});

	it('measures the new expiry from now, not from the old expiry', () => {
		const renewed = renewedExpiry(at(5 * DAY), now, LIFETIME);
		expect(renewed?.getTime()).toBe(now.getTime() + LIFETIME);
	});

	it('works for short lifetimes too', () => {
		const minute = 60_000;
		expect(renewedExpiry(at(31_000), now, minute)).toBeNull();
		expect(renewedExpiry(at(30_000), now, minute)).toBeNull();
		expect(renewedExpiry(at(29_999), now, minute)).toEqual(at(minute));
	});

	it('does not mutate its arguments', () => {
		const expiresAt = at(DAY);
		const nowCopy = new Date(now);
		renewedExpiry(expiresAt, nowCopy, LIFETIME);
		expect(expiresAt).toEqual(at(DAY));
		expect(nowCopy).toEqual(now);
	});

	it('returns a new Date object', () => {
		const renewed = renewedExpiry(at(DAY), now, LIFETIME);
		expect(renewed).toBeInstanceOf(Date);
		expect(renewed).not.toBe(now);
	});
});
