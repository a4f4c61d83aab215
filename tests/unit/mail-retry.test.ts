import { describe, it, expect } from 'vitest';
import { MAX_MAIL_ATTEMPTS, nextMailAttempt } from '../../src/lib/server/domain/mail-retry';

const MINUTE = 60_000;
const now = new Date('2026-11-26T08:00:00.000Z');

function delayMinutes(attemptsSoFar: number): number | null {
	const next = nextMailAttempt(attemptsSoFar, now);
	return next === null ? null : (next.getTime() - now.getTime()) / MINUTE;
}

describe('nextMailAttempt', () => {
	it('allows 10 attempts in all', () => {
		expect(MAX_MAIL_ATTEMPTS).toBe(10);
	});

	it.each([
		[0, 1],
		[1, 2],
		[2, 4],
		[3, 8],
		[4, 16],
		[5, 32],
		[6, 60],
		[7, 60],
		[8, 60]
	])('after %i earlier attempts, retries in %i minutes', (attemptsSoFar, minutes) => {
		expect(delayMinutes(attemptsSoFar)).toBe(minutes);
	});

	it.each([9, 10, 11, 50, 1000])('gives up after %i earlier attempts', (attemptsSoFar) => {
		expect(nextMailAttempt(attemptsSoFar, now)).toBeNull();
	});

	it('doubles the delay until the one-hour cap, then holds it', () => {
		const delays: number[] = [];
		for (let n = 0; n < MAX_MAIL_ATTEMPTS - 1; n++) delays.push(delayMinutes(n) ?? -1);
		for (let i = 1; i < delays.length; i++) {
			const previous = delays[i - 1] ?? 0;
			expect(delays[i]).toBe(Math.min(60, previous * 2));
		}
		expect(Math.max(...delays)).toBe(60);
	});

	it('schedules exactly MAX_MAIL_ATTEMPTS - 1 retries after a first failure', () => {
		let retries = 0;
		for (let attempts = 0; nextMailAttempt(attempts, now) !== null; attempts++) retries++;
		expect(retries).toBe(MAX_MAIL_ATTEMPTS - 1);
	});

	it('spreads the whole retry schedule over 4 h 3 min', () => {
		let total = 0;
		for (let n = 0; n < MAX_MAIL_ATTEMPTS - 1; n++) total += delayMinutes(n) ?? 0;
		expect(total).toBe(1 + 2 + 4 + 8 + 16 + 32 + 60 + 60 + 60);
		expect(total).toBe(243);
	});

	it('is measured from the given time', () => {
		const later = new Date('2027-01-01T00:00:00.000Z');
		expect(nextMailAttempt(0, later)).toEqual(new Date('2027-01-01T00:01:00.000Z'));
		expect(nextMailAttempt(3, later)).toEqual(new Date('2027-01-01T00:08:00.000Z'));
	});

	it('returns a new Date and leaves `now` unchanged', () => {
		const before = now.getTime();
		const next = nextMailAttempt(2, now);
		expect(next).toBeInstanceOf(Date);
		expect(next).not.toBe(now);
		expect(now.getTime()).toBe(before);
	});
});
