import { describe, expect, it } from 'vitest';
import { chooseLocaleInput, sitePath } from '../../src/lib/server/services/sessions.schema';

/*
 * Issue 8 item 13: `/login?next=/%5Cevil.example/` answered `Location: /\evil.example/`, which
 * Chromium follows to http://evil.example/; `%09` did the same and `%0d%0a` gave a 500. Each
 * value below is what `url.searchParams.get('next')` hands over (already percent-decoded).
 */
describe('sitePath: only a path of this site', () => {
	it.each([
		'/\\evil.example/',
		'/\t/evil.example/',
		'/\n/evil.example/',
		'//evil.example',
		'///evil.example',
		'/./\\evil.example',
		'/.//evil.example',
		'/..//evil.example',
		'https://evil.example',
		'http:evil.example',
		'javascript:alert(1)',
		'evil.example',
		'\\\\evil.example',
		' /dashboard',
		'/dashboard\r\nSet-Cookie: a=b',
		'/dashboard\u0000',
		'',
		null,
		undefined
	])('%j → the fallback', (value) => {
		expect(sitePath(value, '/dashboard')).toBe('/dashboard');
	});

	it.each([
		['/findings', '/findings'],
		['/findings?status=open&sort=due', '/findings?status=open&sort=due'],
		['/evaluations/1#team', '/evaluations/1#team'],
		['/a/../findings', '/findings'],
		['/查找?q=整改', '/%E6%9F%A5%E6%89%BE?q=%E6%95%B4%E6%94%B9'],
		['/%2F%2Fevil.example', '/%2F%2Fevil.example']
	])('%j → %j', (value, path) => {
		expect(sitePath(value, '/dashboard')).toBe(path);
	});

	it('every answer is a same-origin path once a browser resolves it', () => {
		const origin = 'https://certs.example.com';
		for (const value of ['/\\evil', '/\t/evil', '/.//evil', '/ok', '/%5Cevil', '/%09/evil']) {
			const target = new URL(sitePath(value, '/dashboard'), origin);
			expect(target.origin).toBe(origin);
		}
	});

	it("the language switch's redirectTo follows the same rule", () => {
		const parsed = chooseLocaleInput.parse({ locale: 'en', redirectTo: '/\\evil.example/' });
		expect(parsed.redirectTo).toBe('/');
	});
});
