import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/*
 * Session tokens as Lucia's current guidance prescribes: "<id>.<secret>", both random; the
 * database keeps the id and only a SHA-256 of the secret, so a leaked table grants no session,
 * and the secret is compared in constant time.
 */

// Lower-case letters and digits without look-alikes (0, 1, l, o): 5 bits per character.
const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

export function randomString(length = 24): string {
	const bytes = randomBytes(length);
	let out = '';
	for (let i = 0; i < length; i++) out += ALPHABET[(bytes[i] ?? 0) >> 3];
	return out;
}

export interface SessionToken {
	id: string;
	secret: string;
	token: string;
}

export function generateSessionToken(): SessionToken {
	const id = randomString();
	const secret = randomString();
	return { id, secret, token: `${id}.${secret}` };
}

const PART = /^[a-km-np-z2-9]{24}$/;

export function parseSessionToken(token: string): { id: string; secret: string } | null {
	const [id, secret, ...rest] = token.split('.');
	if (rest.length > 0 || !id || !secret || !PART.test(id) || !PART.test(secret)) return null;
	return { id, secret };
}

export function hashSecret(secret: string): Uint8Array {
	return new Uint8Array(createHash('sha256').update(secret).digest());
}

export function secretMatches(secret: string, storedHash: Uint8Array): boolean {
	const candidate = hashSecret(secret);
	return candidate.length === storedHash.length && timingSafeEqual(candidate, storedHash);
}

/** Sliding expiry: a session used in the second half of its life is extended to a full term. */
export function renewedExpiry(expiresAt: Date, now: Date, lifetimeMs: number): Date | null {
	return expiresAt.getTime() - now.getTime() < lifetimeMs / 2
		? new Date(now.getTime() + lifetimeMs)
		: null;
}
