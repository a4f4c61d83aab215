/*
 * How sign-in failures are answered. Counted per (email, client address) pair and per client
 * address within a window: the first few failures cost nothing, then each answer is slowed, then
 * sign-in is refused until the window ends. Never per email alone: failures from an attacker's
 * address must not lock the account's owner out from theirs (issue 8 item 22). Pure; the
 * counting lives in auth/rate-limit.ts.
 */

export interface ThrottlePolicy {
	windowSeconds: number;
	freeFailures: number;
	refuseAfter: number;
	baseDelayMs: number;
	maxDelayMs: number;
}

/** One email from one address: a person mistyping their password, or a guesser. */
export const PAIR_POLICY: ThrottlePolicy = {
	windowSeconds: 15 * 60,
	freeFailures: 3,
	refuseAfter: 10,
	baseDelayMs: 250,
	maxDelayMs: 4000
};

/** Every email from one address: a password sprayer (an office behind one NAT still fits). */
export const ADDRESS_POLICY: ThrottlePolicy = {
	windowSeconds: 15 * 60,
	freeFailures: 5,
	refuseAfter: 20,
	baseDelayMs: 250,
	maxDelayMs: 4000
};

export type ThrottleVerdict =
	{ kind: 'allow'; delayMs: number } | { kind: 'refuse'; retryAfterSeconds: number };

/** The answer to an attempt made after `failures` failures, `secondsLeft` before the window resets. */
export function throttleVerdict(
	policy: ThrottlePolicy,
	failures: number,
	secondsLeft: number
): ThrottleVerdict {
	if (failures >= policy.refuseAfter)
		return { kind: 'refuse', retryAfterSeconds: Math.max(1, Math.ceil(secondsLeft)) };
	if (failures <= policy.freeFailures) return { kind: 'allow', delayMs: 0 };
	const steps = failures - policy.freeFailures - 1;
	return { kind: 'allow', delayMs: Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** steps) };
}

/** The stricter of two verdicts. */
export function stricter(a: ThrottleVerdict, b: ThrottleVerdict): ThrottleVerdict {
	if (a.kind === 'refuse' && b.kind === 'refuse')
		return a.retryAfterSeconds >= b.retryAfterSeconds ? a : b;
	if (a.kind === 'refuse') return a;
	if (b.kind === 'refuse') return b;
	return a.delayMs >= b.delayMs ? a : b;
}

/**
 * Public certificate verification (issue 13): a person checking certificates never needs more
 * than a page a second; a scraper walking every number is refused until the minute ends. No
 * slowing down: a public page answers at once or says 429.
 */
export const VERIFY_POLICY: ThrottlePolicy = {
	windowSeconds: 60,
	freeFailures: 60,
	refuseAfter: 60,
	baseDelayMs: 0,
	maxDelayMs: 0
};

/**
 * A person's calendar feed (/calendar/feed/<token>.ics, issue 11 §3): calendar apps poll it every
 * few minutes to hours, and an office behind one address may have dozens of subscribers; a
 * minute of 60 fetches from one address is already someone walking tokens. Counted apart from
 * the verification pages, so one does not use up the other.
 */
export const CALENDAR_FEED_POLICY: ThrottlePolicy = {
	windowSeconds: 60,
	freeFailures: 60,
	refuseAfter: 60,
	baseDelayMs: 0,
	maxDelayMs: 0
};

/**
 * Public complaints (issue 13 item 4): a person files one complaint, maybe a second after a
 * mistake; five an hour from one address is already a campaign. Refused until the hour ends.
 */
export const COMPLAINT_POLICY: ThrottlePolicy = {
	windowSeconds: 3600,
	freeFailures: 5,
	refuseAfter: 5,
	baseDelayMs: 0,
	maxDelayMs: 0
};
