/** When to try a failed email again: 1, 2, 4 … minutes, capped at an hour; none after 10 attempts. */
export const MAX_MAIL_ATTEMPTS = 10;

/** How long a worker holds a claimed message while it sends; a dead worker's lease runs out. */
export const MAIL_LEASE_MS = 2 * 60_000;

export function nextMailAttempt(attemptsSoFar: number, now: Date): Date | null {
	if (attemptsSoFar + 1 >= MAX_MAIL_ATTEMPTS) return null;
	const minutes = Math.min(60, 2 ** attemptsSoFar);
	return new Date(now.getTime() + minutes * 60_000);
}

/** The next attempt after a failure; none when the failure is permanent (an SMTP 5xx refusal). */
export function afterFailure(attemptsSoFar: number, now: Date, permanent: boolean): Date | null {
	return permanent ? null : nextMailAttempt(attemptsSoFar, now);
}
