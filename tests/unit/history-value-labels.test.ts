import { afterAll, describe, expect, it } from 'vitest';
import { overwriteGetLocale, getLocale } from '../../src/lib/paraglide/runtime';
import { timelineValueLabel } from '../../src/lib/labels';
import { plainValue } from '../../src/lib/history-labels';

/*
 * A recorded value is named in the words of the field it was recorded under where the generic
 * word would be wrong: an evidence file's integrity check failed, a due item was sent back.
 */

describe('history values in words', () => {
	const original = getLocale;
	afterAll(() => overwriteGetLocale(original));

	it.each([
		['en', 'integrity_status', 'rejected', 'Failed'],
		['en', 'status', 'rejected', 'Sent back'],
		['en', 'integrity_status', 'pending', 'Not yet checked'],
		['en', 'status', 'pending', 'Pending'],
		['zh-CN', 'status', 'planned', '已计划'],
		['zh-CN', 'status', 'report_issued', '已出具报告'],
		['zh-CN', 'integrity_status', 'rejected', '未通过'],
		['zh-CN', 'status', 'rejected', '已退回']
	] as const)('%s: %s = %s reads "%s"', (locale, field, value, words) => {
		overwriteGetLocale(() => locale);
		expect(timelineValueLabel(value, field)).toBe(words);
	});

	it('leaves a value it does not know as it is, and names one it knows without a field', () => {
		overwriteGetLocale(() => 'en');
		expect(plainValue('DCB-0001', 'number')).toBe('DCB-0001');
		expect(timelineValueLabel('accepted')).toBe('Accepted');
	});
});
