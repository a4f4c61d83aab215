/** When to try a failed email again: 1, 2, 4 … minutes, capped at an hour; none after 10 attempts. */
export const MAX_MAIL_ATTEMPTS = 10;

export function nextMailAttempt(attemptsSoFar: number, now: Date): Date | null {
	if (attemptsSoFar + 1 >= MAX_MAIL_ATTEMPTS) return null;
	const minutes = Math.min(60, 2 ** attemptsSoFar);
	return new Date(now.getTime() + minutes * 60_000);
}
