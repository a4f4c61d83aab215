import { describe, expect, it } from 'vitest';
import {
	certificateExpiry,
	DEFAULT_SCHEME_RULES,
	renewedExpiry,
	type SchemeRules
} from '../../src/lib/server/domain/scheme-rules';
import { addDays } from '../../src/lib/server/domain/calendar';
import {
	extendScope,
	reduceScope,
	scopeItemsFromRows,
	type ScopeItem
} from '../../src/lib/server/domain/certificate-scope';

/*
 * Issue 12 item 3's dates: a renewal's new expiry from the scheme rules (month ends and 29 February
 * included), and item 4's structured scope (extend and reduce), as pure rules.
 */

const months = (certificateValidityMonths: number): SchemeRules => ({
	...DEFAULT_SCHEME_RULES,
	certificateValidityMonths
});
const THREE_YEARS = months(36);

describe('renewedExpiry: the old expiry plus the validity, month ends kept', () => {
	it.each([
		// An ordinary day: plus 36 months.
		['2029-01-09', '2032-01-09'],
		// The leap day: 2031 has no 29 February, the cycle ends on the 28th.
		['2028-02-29', '2031-02-28'],
		// The last day of a short February renews to the leap day of 2032.
		['2029-02-28', '2032-02-29'],
		// The last day of February again, into a common year.
		['2031-02-28', '2034-02-28'],
		// 28 February of a leap year is not a month end: plain months.
		['2028-02-28', '2031-02-28'],
		['2027-02-27', '2030-02-27'],
		// Month ends of 30 and 31 days.
		['2027-04-30', '2030-04-30'],
		['2026-12-31', '2029-12-31'],
		['2027-01-30', '2030-01-30']
	])('%s + 36 months → %s', (expiresOn, renewed) => {
		expect(renewedExpiry(expiresOn, THREE_YEARS)).toBe(renewed);
	});

	it('reads the validity from the scheme rules, not a constant', () => {
		expect(renewedExpiry('2027-02-28', months(12))).toBe('2028-02-29');
		expect(renewedExpiry('2028-02-29', months(12))).toBe('2029-02-28');
		// Six months from the end of April is the end of October (31 days), not the 30th.
		expect(renewedExpiry('2027-04-30', months(6))).toBe('2027-10-31');
		// Six months from 31 August is the end of February, leap or not.
		expect(renewedExpiry('2027-08-31', months(6))).toBe('2028-02-29');
		expect(renewedExpiry('2026-08-31', months(6))).toBe('2027-02-28');
		expect(renewedExpiry('2027-01-30', months(1))).toBe('2027-02-28');
	});

	it('continues the cycle without a gap for every expiry the scheme computes', () => {
		// Every issue day of eight years, leap days and month ends included (a day the last month
		// lacks ends the validity on that month's end), for several validities: the renewed cycle
		// is the next one counted from the day after the old expiry, as a first issue on that day
		// would be.
		for (const rules of [months(36), months(12), months(24), months(6), months(1)]) {
			for (let day = '2024-01-01'; day < '2032-01-01'; day = addDays(day, 1)) {
				const expiresOn = certificateExpiry(day, rules);
				expect(renewedExpiry(expiresOn, rules), `${day} / ${rules.certificateValidityMonths}`).toBe(
					certificateExpiry(addDays(expiresOn, 1), rules)
				);
			}
		}
	});

	it('always moves the expiry forward by at least the validity in days of the shortest months', () => {
		for (let day = '2027-01-01'; day < '2029-12-31'; day = addDays(day, 1)) {
			const renewed = renewedExpiry(day, THREE_YEARS);
			expect(renewed > day).toBe(true);
			// 36 months span 1,095 or 1,096 days; clamping at a month end loses at most 3.
			const span = (Date.parse(renewed) - Date.parse(day)) / 86_400_000;
			expect(span).toBeGreaterThanOrEqual(1_093);
			expect(span).toBeLessThanOrEqual(1_097);
		}
	});
});

describe('structured scope', () => {
	const current: ScopeItem[] = [
		{ id: 'a', kind: 'site', name: '厦门总部', address: '厦门市思明区' },
		{ id: 'b', kind: 'service_outlet', name: '集美服务网点', address: '' }
	];

	it('reads a form’s rows, leaving out the rows without a name', () => {
		expect(
			scopeItemsFromRows({
				kinds: ['site', 'product_line', 'service_outlet'],
				names: ['  泉州分部 ', '', '同安网点'],
				addresses: ['泉州市丰泽区', 'ignored', '']
			})
		).toEqual([
			{ kind: 'site', name: '泉州分部', address: '泉州市丰泽区' },
			{ kind: 'service_outlet', name: '同安网点', address: '' }
		]);
		// Fewer addresses than names (a typed caller leaving them out): blank addresses.
		expect(scopeItemsFromRows({ kinds: ['product_line'], names: ['空调'], addresses: [] })).toEqual(
			[{ kind: 'product_line', name: '空调', address: '' }]
		);
	});

	it('extends by new items, after the current ones', () => {
		const added = { id: 'c', kind: 'product_line' as const, name: '家用空调', address: '' };
		expect(extendScope(current, [added])).toEqual({ ok: true, items: [...current, added] });
	});

	it('refuses an extension that adds nothing or repeats an item (case and spacing ignored)', () => {
		expect(extendScope(current, [])).toEqual({ ok: false, reason: 'scope_items_required' });
		expect(
			extendScope(current, [{ id: 'c', kind: 'site', name: ' 厦门总部 ', address: '' }])
		).toEqual({ ok: false, reason: 'scope_item_duplicate' });
		expect(
			extendScope(
				[],
				[
					{ id: 'c', kind: 'product_line', name: 'Air  Conditioners', address: '' },
					{ id: 'd', kind: 'product_line', name: 'air conditioners', address: '' }
				]
			)
		).toEqual({ ok: false, reason: 'scope_item_duplicate' });
		// The same name as another kind is another item.
		expect(
			extendScope(current, [{ id: 'c', kind: 'service_outlet', name: '厦门总部', address: '' }]).ok
		).toBe(true);
	});

	it('reduces by ids it knows, and never to nothing', () => {
		expect(reduceScope(current, ['a'])).toEqual({ ok: true, items: [current[1]] });
		expect(reduceScope(current, [])).toEqual({ ok: false, reason: 'scope_items_required' });
		expect(reduceScope(current, ['zzz'])).toEqual({ ok: false, reason: 'scope_item_unknown' });
		expect(reduceScope(current, ['a', 'b'])).toEqual({
			ok: false,
			reason: 'scope_items_all_removed'
		});
	});
});
