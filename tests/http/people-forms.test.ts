import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browserless, signedIn, startDemoApp } from '../support/http';
import type { RunningServer } from '../support/server';

/*
 * Issue 12 items 7 and 8 through HTTP on the built app with the demo data: deactivating a person
 * signs their live session out on its very next request; the password pages work signed out and
 * answer the same for any address; the settings page is the admin's alone.
 */

/** The membership id of `email`'s row on the people page (its row forms carry it). */
function membershipIdOf(html: string, email: string): string {
	const table = html.slice(html.indexOf('data-testid="members"'), html.indexOf('</tbody>'));
	for (const row of table.split('<tr')) {
		if (!row.includes(email)) continue;
		const id = /name="membershipId" value="([0-9a-f-]{36})"/.exec(row)?.[1];
		if (id) return id;
	}
	throw new Error(`no row for ${email}`);
}

describe('people and settings over HTTP', () => {
	let server: RunningServer;
	let admin: Browserless;
	let evaluator: Browserless;

	beforeAll(async () => {
		server = await startDemoApp();
		admin = await signedIn(server, 'admin@demo.test');
		evaluator = await signedIn(server, 'evaluator@demo.test');
	}, 300_000);

	afterAll(async () => {
		await server?.stop();
	});

	it('deactivation revokes a live session: its next request is signed out', async () => {
		expect((await evaluator.fetch('/dashboard')).status).toBe(200);
		const people = await admin.fetch('/people');
		expect(people.status).toBe(200);
		const membershipId = membershipIdOf(await people.text(), 'evaluator@demo.test');

		const answer = await admin.action('/people', `deactivate&member=${membershipId}`, {
			membershipId
		});
		expect(answer).toMatchObject({ type: 'success', status: 200 });

		const next = await evaluator.fetch('/dashboard');
		expect(next.status).toBe(303);
		expect(next.headers.get('location')).toMatch(/^\/login/);
		// Signing in again reaches no body: the only membership is deactivated.
		const again = new Browserless(server.origin);
		await again.signIn('evaluator@demo.test');
		expect((await again.fetch('/dashboard')).headers.get('location')).toBe('/choose-tenant');

		// The people page shows the person greyed, with "reactivate"; reactivating lets them back.
		const list = await (await admin.fetch('/people')).text();
		const row = list.split('<tr').find((chunk) => chunk.includes('evaluator@demo.test'));
		expect(row?.slice(0, row.indexOf('>'))).toMatch(/class="[^"]*\bdeactivated\b/);
		expect(row).toContain('?/reactivate');
		const back = await admin.action('/people', `reactivate&member=${membershipId}`, {
			membershipId
		});
		expect(back).toMatchObject({ type: 'success' });
		const returning = new Browserless(server.origin);
		await returning.signIn('evaluator@demo.test');
		expect((await returning.fetch('/dashboard')).status).toBe(200);
	});

	it('refuses an admin deactivating themselves, with a message', async () => {
		const html = await (await admin.fetch('/people')).text();
		// Their own row offers no actions; a forged post is refused.
		expect(() => membershipIdOf(html, 'admin@demo.test')).toThrow();
		// The evaluator's earlier session ended with their deactivation: a fresh one.
		evaluator = await signedIn(server, 'evaluator@demo.test');
		const answer = await evaluator.action('/people', 'deactivate&member=x', {
			membershipId: '00000000-0000-4000-8000-000000000000'
		});
		expect(answer.status).toBe(403);
	});

	it('offers password reset from /login, signed out, answering alike for any address', async () => {
		const visitor = new Browserless(server.origin);
		expect(await (await visitor.fetch('/login')).text()).toContain('href="/forgot-password"');
		expect((await visitor.fetch('/forgot-password')).status).toBe(200);
		const known = await visitor.action('/forgot-password', null, { email: 'org@demo.test' });
		const unknown = await visitor.action('/forgot-password', null, {
			email: 'nobody@nowhere.test'
		});
		expect(known).toMatchObject({ type: 'success', data: { sent: true } });
		expect(unknown).toMatchObject({ type: 'success', data: { sent: true } });
		const bad = await visitor.fetch('/reset-password/not-a-token');
		expect(bad.status).toBe(200);
		expect(await bad.text()).toContain('data-testid="reset-invalid"');
		const refused = await visitor.action('/reset-password/not-a-token', null, {
			password: 'long-enough-password',
			confirm: 'long-enough-password'
		});
		expect(refused.status).toBe(400);
		const mismatch = await visitor.action('/reset-password/not-a-token', null, {
			password: 'long-enough-password',
			confirm: 'different-password'
		});
		expect(mismatch.status).toBe(400);
	});

	it('changes one’s own password on /account only with the current one', async () => {
		expect((await admin.fetch('/account')).status).toBe(200);
		const wrong = await admin.action('/account', 'password', {
			current: 'not-the-password',
			password: 'a-new-password-2026',
			confirm: 'a-new-password-2026'
		});
		expect(wrong.status).toBe(400);
		expect(JSON.stringify(wrong.data)).toContain('current');
		expect((await new Browserless(server.origin).fetch('/account')).status).toBe(303);
	});

	it('shows the settings page to admins only, and refuses bad values with 400', async () => {
		const page = await admin.fetch('/settings');
		expect(page.status).toBe(200);
		const html = await page.text();
		expect(html).toContain('data-testid="pattern-preview"');
		expect((await evaluator.fetch('/settings')).status).toBe(403);
		const version = /name="version" value="(\d+)"/.exec(html)?.[1] ?? '1';
		const form = new FormData();
		for (const [name, value] of Object.entries({
			version,
			name: '示范认证机构',
			nameEn: 'Demo Certification Body',
			slug: 'demo',
			timeZone: 'Nowhere/Atlantis',
			defaultLocale: 'zh-CN',
			certificateNumberPattern: '{standard}-{year}-{seq:4}',
			mailSenderName: '',
			accreditationBody: 'CNAS'
		}))
			form.append(name, value);
		const refused = await admin.action('/settings', 'save', form);
		expect(refused.status).toBe(400);
		expect(JSON.stringify(refused.data)).toContain('timeZone');
		expect((await admin.fetch('/logo')).status).toBe(404);
	});
});
