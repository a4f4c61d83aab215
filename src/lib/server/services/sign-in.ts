import type { AppDatabase } from '../db/tenant-scope';
import type { SignInLimiter } from '../auth/rate-limit';
import { DECOY_SALT, passwordDigest } from '../auth/password';
import { checkPasswordDigest, findPasswordSalt } from '../repositories/users';
import { createSession, type SessionPolicy } from './sessions';

export type SignInResult =
	| { ok: true; token: string; expiresAt: Date; userId: string }
	| { ok: false; reason: 'invalid_credentials' }
	| { ok: false; reason: 'throttled'; retryAfterSeconds: number };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Checks email and password under the sign-in limiter. The attempt is counted before the password
 * is checked, so parallel attempts cannot slip past the limit. A wrong email and a wrong password
 * give the same answer, in the same time (a decoy salt is hashed when the email is unknown).
 */
export async function signIn(
	deps: { db: AppDatabase; limiter: SignInLimiter; sessionPolicy: SessionPolicy },
	input: { email: string; password: string; address: string }
): Promise<SignInResult> {
	const verdict = await deps.limiter.reserve(input.email, input.address);
	if (verdict.kind === 'refuse')
		return { ok: false, reason: 'throttled', retryAfterSeconds: verdict.retryAfterSeconds };
	if (verdict.delayMs > 0) await sleep(verdict.delayMs);

	// The database compares the digests; the stored hash never reaches the app (issue 8 §20). No
	// connection is held while the password is hashed.
	const known = await deps.db.asPerson(null, (tx) => findPasswordSalt(tx, input.email));
	const salted = known ?? DECOY_SALT;
	const digest = await passwordDigest(salted.salt, salted.digest_length, input.password);
	// Asked for an unknown address too (a decoy digest matches nothing): both take as long. The
	// database keeps its own, coarser count per person, for callers that skip this throttle.
	const check = digest
		? await deps.db.asPerson(null, (tx) => checkPasswordDigest(tx, input.email, digest))
		: { userId: null, retryAfterSeconds: 0 };
	if (check.retryAfterSeconds > 0)
		return { ok: false, reason: 'throttled', retryAfterSeconds: check.retryAfterSeconds };
	// A failure is already counted by its reservation.
	if (!check.userId) return { ok: false, reason: 'invalid_credentials' };
	const userId = check.userId;
	await deps.limiter.recordSuccess(input.email, input.address);
	const session = await createSession(deps.db, userId, deps.sessionPolicy);
	return { ok: true, ...session, userId };
}
