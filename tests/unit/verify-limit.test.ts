import { describe, expect, it } from 'vitest';
import { createAddressLimiter } from '../../src/lib/server/auth/rate-limit';
import { VERIFY_POLICY } from '../../src/lib/server/domain/login-throttle';
import { certificateOn } from '../../src/lib/server/domain/public-verification';

describe('the public verification limit', () => {
	it('answers 60 requests a minute per address, then refuses until the window ends', async () => {
		let clock = 1_000_000;
		const limiter = createAddressLimiter({
			redis: null,
			prefix: 'unit',
			name: 'verify',
			policy: VERIFY_POLICY,
			now: () => clock
		});
		for (let i = 0; i < 60; i++) expect((await limiter.hit('10.0.0.1')).kind).toBe('allow');
		expect(await limiter.hit('10.0.0.1')).toEqual({ kind: 'refuse', retryAfterSeconds: 60 });
		expect((await limiter.hit('10.0.0.2')).kind).toBe('allow');
		clock += 60_001;
		expect((await limiter.hit('10.0.0.1')).kind).toBe('allow');
	});
});

describe('a certificate on a day', () => {
	const certificate = {
		status: 'active' as const,
		grade_level_id: 'g4',
		scope: 'now',
		issued_on: '2025-01-01',
		expires_on: '2027-12-31'
	};
	const step = (change: 'issued' | 'status' | 'scope', on: string, extra: object) => ({
		change,
		to_status: null,
		to_grade_level_id: null,
		to_scope: null,
		effective_on: on,
		recorded_at: `${on}T00:00:00Z`,
		...extra
	});

	it('replays status and scope in date order, whatever order the rows come in', () => {
		const history = [
			step('scope', '2025-03-01', { to_scope: 'narrower' }),
			step('issued', '2025-01-01', {
				to_status: 'active',
				to_grade_level_id: 'g5',
				to_scope: 'wide'
			}),
			step('status', '2025-02-01', { to_status: 'suspended' })
		];
		expect(certificateOn(certificate, history, '2025-01-15')).toMatchObject({
			status: 'active',
			gradeLevelId: 'g5',
			scope: 'wide'
		});
		expect(certificateOn(certificate, history, '2025-02-01')).toMatchObject({
			status: 'suspended',
			scope: 'wide'
		});
		expect(certificateOn(certificate, history, '2025-03-01')).toMatchObject({ scope: 'narrower' });
		expect(certificateOn(certificate, history, '2024-12-31').kind).toBe('not_issued');
	});

	it('starts from today’s values when the history has no issue line', () => {
		expect(certificateOn(certificate, [], '2026-01-01')).toMatchObject({
			status: 'active',
			gradeLevelId: 'g4',
			scope: 'now'
		});
		expect(certificateOn(certificate, [], '2028-01-01')).toMatchObject({ status: 'expired' });
	});
});
