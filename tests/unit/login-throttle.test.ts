import { describe, it, expect } from 'vitest';
import {
	ADDRESS_POLICY,
	PAIR_POLICY,
	stricter,
	throttleVerdict,
	type ThrottlePolicy,
	type ThrottleVerdict
} from '../../src/lib/server/domain/login-throttle';

const allow = (delayMs: number): ThrottleVerdict => ({ kind: 'allow', delayMs });
const refuse = (retryAfterSeconds: number): ThrottleVerdict => ({
	kind: 'refuse',
	retryAfterSeconds
});

describe('policies', () => {
	it('PAIR_POLICY (one email from one address): 3 free failures, refused from 10, 250 ms doubling to 4 s, 15-minute window', () => {
		expect(PAIR_POLICY).toEqual({
			windowSeconds: 900,
			freeFailures: 3,
			refuseAfter: 10,
			baseDelayMs: 250,
			maxDelayMs: 4000
		});
	});

	// Issue 8 item 22: the address lock came at attempt 51.
	it('ADDRESS_POLICY: 5 free failures, refused from 20, 250 ms doubling to 4 s, 15-minute window', () => {
		expect(ADDRESS_POLICY).toEqual({
			windowSeconds: 900,
			freeFailures: 5,
			refuseAfter: 20,
			baseDelayMs: 250,
			maxDelayMs: 4000
		});
	});

	it.each([
		['PAIR_POLICY', PAIR_POLICY],
		['ADDRESS_POLICY', ADDRESS_POLICY]
	])('%s is coherent', (_name, policy) => {
		expect(policy.freeFailures).toBeLessThan(policy.refuseAfter);
		expect(policy.baseDelayMs).toBeLessThanOrEqual(policy.maxDelayMs);
		expect(policy.windowSeconds).toBeGreaterThan(0);
	});

	it('a client address is allowed more failures than one email from it', () => {
		expect(ADDRESS_POLICY.freeFailures).toBeGreaterThan(PAIR_POLICY.freeFailures);
		expect(ADDRESS_POLICY.refuseAfter).toBeGreaterThan(PAIR_POLICY.refuseAfter);
	});
});

describe('throttleVerdict with PAIR_POLICY', () => {
	const table: [number, ThrottleVerdict][] = [
		[0, allow(0)],
		[1, allow(0)],
		[2, allow(0)],
		[3, allow(0)],
		[4, allow(250)],
		[5, allow(500)],
		[6, allow(1000)],
		[7, allow(2000)],
		[8, allow(4000)],
		[9, allow(4000)],
		[10, refuse(600)],
		[11, refuse(600)],
		[12, refuse(600)]
	];

	it('the table covers failures 0..refuseAfter+2', () => {
		expect(table.map(([failures]) => failures)).toEqual(
			Array.from({ length: PAIR_POLICY.refuseAfter + 3 }, (_, i) => i)
		);
	});

	it.each(table)('after %i failures: %j', (failures, verdict) => {
		expect(throttleVerdict(PAIR_POLICY, failures, 600)).toEqual(verdict);
	});
});

describe('throttleVerdict with ADDRESS_POLICY', () => {
	const expected = (failures: number): ThrottleVerdict => {
		if (failures >= 20) return refuse(120);
		if (failures <= 5) return allow(0);
		return allow([250, 500, 1000, 2000][failures - 6] ?? 4000);
	};
	const failureCounts = Array.from({ length: ADDRESS_POLICY.refuseAfter + 3 }, (_, i) => i);

	it.each(failureCounts)('after %i failures', (failures) => {
		expect(throttleVerdict(ADDRESS_POLICY, failures, 120)).toEqual(expected(failures));
	});

	it('spot checks', () => {
		expect(throttleVerdict(ADDRESS_POLICY, 5, 120)).toEqual(allow(0));
		expect(throttleVerdict(ADDRESS_POLICY, 6, 120)).toEqual(allow(250));
		expect(throttleVerdict(ADDRESS_POLICY, 9, 120)).toEqual(allow(2000));
		expect(throttleVerdict(ADDRESS_POLICY, 10, 120)).toEqual(allow(4000));
		expect(throttleVerdict(ADDRESS_POLICY, 19, 120)).toEqual(allow(4000));
		expect(throttleVerdict(ADDRESS_POLICY, 20, 120)).toEqual(refuse(120));
	});
});

describe.each([
	['PAIR_POLICY', PAIR_POLICY],
	['ADDRESS_POLICY', ADDRESS_POLICY]
])('throttleVerdict invariants for %s', (_name, policy: ThrottlePolicy) => {
	const counts = Array.from({ length: policy.refuseAfter + 3 }, (_, i) => i);

	it('allows without delay up to and including freeFailures', () => {
		for (const failures of counts.filter((n) => n <= policy.freeFailures))
			expect(throttleVerdict(policy, failures, 300)).toEqual(allow(0));
	});

	it('delays by baseDelayMs on the first failure past the free ones', () => {
		expect(throttleVerdict(policy, policy.freeFailures + 1, 300)).toEqual(
			allow(policy.baseDelayMs)
		);
	});

	it('grows the delay monotonically and caps it at maxDelayMs before refusing', () => {
		let previous = 0;
		for (const failures of counts.filter((n) => n < policy.refuseAfter)) {
			const verdict = throttleVerdict(policy, failures, 300);
			expect(verdict.kind).toBe('allow');
			if (verdict.kind !== 'allow') continue;
			expect(verdict.delayMs).toBeGreaterThanOrEqual(previous);
			expect(verdict.delayMs).toBeLessThanOrEqual(policy.maxDelayMs);
			previous = verdict.delayMs;
		}
		expect(previous).toBe(policy.maxDelayMs);
	});

	it('refuses from refuseAfter on', () => {
		for (const failures of [...counts.filter((n) => n >= policy.refuseAfter), 1000]) {
			const verdict = throttleVerdict(policy, failures, 300);
			expect(verdict).toEqual(refuse(300));
		}
	});

	it('the allow verdict does not depend on the time left in the window', () => {
		for (const failures of counts.filter((n) => n < policy.refuseAfter))
			expect(throttleVerdict(policy, failures, 1)).toEqual(throttleVerdict(policy, failures, 900));
	});
});

describe('throttleVerdict retryAfterSeconds', () => {
	const failures = PAIR_POLICY.refuseAfter;

	it.each([
		[900, 900],
		[1.5, 2],
		[59.01, 60],
		[1, 1],
		[0.2, 1],
		[0, 1],
		[-5, 1]
	])('with %f seconds left is %i (rounded up, at least 1)', (secondsLeft, retryAfterSeconds) => {
		expect(throttleVerdict(PAIR_POLICY, failures, secondsLeft)).toEqual(refuse(retryAfterSeconds));
	});

	it('is always a whole number ≥ 1', () => {
		for (const secondsLeft of [-100, -0.5, 0, 0.0001, 0.9999, 3.3, 899.999]) {
			const verdict = throttleVerdict(ADDRESS_POLICY, ADDRESS_POLICY.refuseAfter, secondsLeft);
			expect(verdict.kind).toBe('refuse');
			if (verdict.kind !== 'refuse') continue;
			expect(Number.isInteger(verdict.retryAfterSeconds)).toBe(true);
			expect(verdict.retryAfterSeconds).toBeGreaterThanOrEqual(1);
		}
	});
});

describe('stricter', () => {
	it('prefers a refusal over an allowance, in either order', () => {
		expect(stricter(refuse(5), allow(4000))).toEqual(refuse(5));
		expect(stricter(allow(4000), refuse(5))).toEqual(refuse(5));
		expect(stricter(allow(0), refuse(1))).toEqual(refuse(1));
	});

	it('prefers the longer wait between two refusals, in either order', () => {
		expect(stricter(refuse(30), refuse(600))).toEqual(refuse(600));
		expect(stricter(refuse(600), refuse(30))).toEqual(refuse(600));
	});

	it('prefers the longer delay between two allowances, in either order', () => {
		expect(stricter(allow(250), allow(1000))).toEqual(allow(1000));
		expect(stricter(allow(1000), allow(250))).toEqual(allow(1000));
		expect(stricter(allow(0), allow(250))).toEqual(allow(250));
	});

	it('returns the first verdict on a tie', () => {
		const a = allow(500);
		const b = allow(500);
		expect(stricter(a, b)).toBe(a);
		const c = refuse(60);
		const d = refuse(60);
		expect(stricter(c, d)).toBe(c);
	});

	it('returns one of its arguments, unchanged', () => {
		const a = allow(250);
		const b = refuse(10);
		expect(stricter(a, b)).toBe(b);
		expect(a).toEqual(allow(250));
		expect(b).toEqual(refuse(10));
	});

	it('combines the email and address verdicts as sign-in would', () => {
		const byEmail = throttleVerdict(PAIR_POLICY, 5, 400);
		const byAddress = throttleVerdict(ADDRESS_POLICY, 5, 800);
		expect(stricter(byEmail, byAddress)).toEqual(allow(500));
		const refusedByEmail = throttleVerdict(PAIR_POLICY, 10, 400);
		expect(stricter(refusedByEmail, byAddress)).toEqual(refuse(400));
		const refusedByAddress = throttleVerdict(ADDRESS_POLICY, 50, 800);
		expect(stricter(refusedByEmail, refusedByAddress)).toEqual(refuse(800));
	});
});
