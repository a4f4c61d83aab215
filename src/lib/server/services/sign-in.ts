import type { AppDatabase } from '../db/tenant-scope';
import type { SignInLimiter } from '../auth/rate-limit';
import { decoyPasswordHash, verifyPassword } from '../auth/password';
import { findUserByEmail } from '../repositories/users';
import { createSession, type SessionPolicy } from './sessions';

export type SignInResult =
	| { ok: true; token: string; expiresAt: Date; userId: string }
	| { ok: false; reason: 'invalid_credentials' }
	| { ok: false; reason: 'throttled'; retryAfterSeconds: number };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Checks email and password under the sign-in limiter. The attempt is counted before the password
 * is checked, so parallel attempts cannot slip past the limit. A wrong email and a wrong password
 * give the same answer, in the same time (the decoy hash is verified when the email is unknown).
 */
export async function signIn(
	deps: { db: AppDatabase; limiter: SignInLimiter; sessionPolicy: SessionPolicy },
	input: { email: string; password: string; address: string }
): Promise<SignInResult> {
	const verdict = await deps.limiter.reserve(input.email, input.address);
	if (verdict.kind === 'refuse')
		return { ok: false, reason: 'throttled', retryAfterSeconds: verdict.retryAfterSeconds };
	if (verdict.delayMs > 0) await sleep(verdict.delayMs);

	const user = await deps.db.asPerson(null, (tx) => findUserByEmail(tx, input.email));
	const passwordHash = user?.password_hash ?? (await decoyPasswordHash());
	const matches = await verifyPassword(passwordHash, input.password);
	// A failure is already counted by its reservation.
	if (!user || !user.password_hash || !matches) return { ok: false, reason: 'invalid_credentials' };
	await deps.limiter.recordSuccess(input.email, input.address);
	const session = await createSession(deps.db, user.id, deps.sessionPolicy);
	return { ok: true, ...session, userId: user.id };
}
