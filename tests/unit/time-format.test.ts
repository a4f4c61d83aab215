import { describe, expect, it } from 'vitest';
import { formatDateTime, formatDayOf } from '../../src/lib/time-format';

// Issue 10 defect 3: times in the tenant's zone, whatever zone the process runs in.
describe('time formatting in the tenant zone', () => {
	// 2026-12-01T23:49Z is 07:49 on 2 December in Shanghai.
	const at = '2026-12-01T23:49:00.000Z';

	it('shows the instant in the given zone, not the process zone (UTC here)', () => {
		const zh = formatDateTime(at, { locale: 'zh-CN', timeZone: 'Asia/Shanghai' });
		expect(zh).toContain('2026年12月2日');
		expect(zh).toContain('07:49');
		const en = formatDateTime(at, { locale: 'en', timeZone: 'Asia/Shanghai' });
		expect(en).toMatch(/Dec 2, 2026/);
		expect(en).toMatch(/7:49/);
		expect(formatDateTime(at, { locale: 'en', timeZone: 'UTC' })).toMatch(/Dec 1, 2026.*11:49/);
	});

	it('gives the calendar day of an instant in the zone, and nothing for no time', () => {
		expect(formatDayOf(at, { locale: 'zh-CN', timeZone: 'Asia/Shanghai' })).toBe('2026年12月2日');
		expect(formatDateTime(null, { locale: 'en', timeZone: 'UTC' })).toBe('');
		expect(formatDayOf(undefined, { locale: 'en', timeZone: 'UTC' })).toBe('');
	});
});
