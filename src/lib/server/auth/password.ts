import { hash, hashRaw, verify, type Algorithm, type Options, type Version } from '@node-rs/argon2';

// OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane.
const OPTIONS = { memoryCost: 19456, timeCost: 2, outputLen: 32, parallelism: 1 } as const;

export const MIN_PASSWORD_LENGTH = 10;

export function hashPassword(password: string): Promise<string> {
	return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
	try {
		return await verify(passwordHash, password);
	} catch {
		return false;
	}
}

/*
 * Sign-in never sees a stored hash (the app role cannot read users.password_hash): the database
 * hands out a hash's PHC string without its digest — "$argon2id$v=19$m=19456,t=2,p=1$<salt>" —
 * and the digest's length; the typed password is hashed the same way here and the database
 * compares the digests.
 */
const SALTED =
	/^\$(argon2(?:id|i|d))\$v=(16|19)\$m=(\d{1,10}),t=(\d{1,10}),p=(\d{1,3})\$([A-Za-z0-9+/]+)$/;
const ALGORITHMS: Record<string, Algorithm> = {
	argon2d: 0 as Algorithm,
	argon2i: 1 as Algorithm,
	argon2id: 2 as Algorithm
};

/**
 * The base64 digest (no padding, as in a PHC string) of `password` under the parameters and salt
 * of `salted`, or null when `salted` is not an argon2 PHC prefix.
 */
export async function passwordDigest(
	salted: string,
	digestLength: number,
	password: string
): Promise<string | null> {
	const parts = SALTED.exec(salted);
	if (!parts || !Number.isInteger(digestLength) || digestLength < 6 || digestLength > 1400)
		return null;
	const [, algorithm, version, memoryCost, timeCost, parallelism, salt] = parts;
	const options: Options = {
		algorithm: ALGORITHMS[algorithm!],
		version: (version === '16' ? 0 : 1) as Version,
		memoryCost: Number(memoryCost),
		timeCost: Number(timeCost),
		parallelism: Number(parallelism),
		outputLen: Math.floor((digestLength * 3) / 4),
		salt: Buffer.from(salt!, 'base64')
	};
	try {
		const raw = await hashRaw(password, options);
		return raw.toString('base64').replace(/=+$/, '');
	} catch {
		return null;
	}
}

/** Hashed with a made-up salt when the address is unknown: the answer takes as long. */
export const DECOY_SALT = {
	salt: `$argon2id$v=19$m=${OPTIONS.memoryCost},t=${OPTIONS.timeCost},p=${OPTIONS.parallelism}$ZGVjb3lzYWx0ZGVjb3lzYWx0`,
	digest_length: 43
} as const;
