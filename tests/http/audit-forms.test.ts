import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browserless, signedIn, startDemoApp } from '../support/http';
import type { RunningServer } from '../support/server';
import auditZhCN from '../../messages/audit/zh-CN.json';
import auditEn from '../../messages/audit/en.json';
import baseZhCN from '../../messages/zh-CN.json';
import baseEn from '../../messages/en.json';

/*
 * The audit page's actions and the session's own forms through HTTP, on the built app with the
 * demo data: verifying the chain, the filters and the CSV export; choosing a language, a tenant
 * (multi@demo.test belongs to two) and signing out. And the refusals: a role that may not read
 * the log (403), a body that is no form (400), a locale or tenant that is not one (400 / 403).
 */

/** `text` in either language: the demo people read Chinese unless they switched. */
const inEither = (zh: string, en: string) => (html: string) =>
	html.includes(zh) || html.includes(en);

describe('audit and session forms over HTTP', () => {
	let server: RunningServer;
	let admin: Browserless;
	let evaluator: Browserless;
	let org: Browserless;

	beforeAll(async () => {
		server = await startDemoApp();
		admin = await signedIn(server, 'admin@demo.test');
		evaluator = await signedIn(server, 'evaluator@demo.test');
		org = await signedIn(server, 'org@demo.test');
	}, 300_000);

	afterAll(async () => {
		await server?.stop();
	});

	describe('/audit', () => {
		it('shows the log to an administrator, and verifies the chain', async () => {
			expect((await admin.fetch('/audit')).status).toBe(200);
			const answer = await admin.action('/audit', 'verify', {});
			expect(answer).toMatchObject({ status: 200, type: 'success' });
			const verification = answer.data?.verification as { ok: boolean; entries: number };
			expect(verification.ok).toBe(true);
			expect(verification.entries).toBeGreaterThan(0);
		});

		it('filters by the schema: a usable filter applies, an unknown one is named on its field', async () => {
			const filtered = await admin.fetch(
				'/audit?action=organisation.create&entityType=organisation'
			);
			expect(filtered.status).toBe(200);
			const bad = await admin.fetch('/audit?action=finding.explode&before=not-a-seq');
			expect(bad.status).toBe(200);
			const html = await bad.text();
			expect(inEither(auditZhCN.audit_error_action, auditEn.audit_error_action)(html)).toBe(true);
			const inverted = await admin.fetch('/audit?from=2026-03-02&to=2026-03-01');
			expect(
				inEither(
					auditZhCN.audit_error_date_order,
					auditEn.audit_error_date_order
				)(await inverted.text())
			).toBe(true);
		});

		it('exports the log as CSV with the filters, and refuses a bad filter with 400', async () => {
			const response = await admin.fetch('/audit/export.csv?entityType=organisation');
			expect(response.status).toBe(200);
			expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
			expect(response.headers.get('content-disposition')).toMatch(/attachment; filename="audit-/);
			const bytes = new Uint8Array(await response.arrayBuffer());
			// The BOM, so that Excel reads the Chinese as UTF-8.
			expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
			const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes).slice(1);
			expect(text.startsWith('seq,created_at,')).toBe(true);
			const rows = text.trim().split('\r\n').slice(1);
			expect(rows.length).toBeGreaterThan(0);
			expect(rows.every((row) => row.split(',')[5] === 'organisation')).toBe(true);
			expect((await admin.fetch('/audit/export.csv?from=2026-02-30')).status).toBe(400);
		});

		it('refuses those who may not read the log (403)', async () => {
			for (const client of [evaluator, org]) {
				expect((await client.fetch('/audit')).status).toBe(403);
				expect((await client.fetch('/audit/export.csv')).status).toBe(403);
				const answer = await client.action('/audit', 'verify', {});
				expect(answer.status).toBe(403);
			}
		});

		it('answers a body that is no form with 400 and a message, not 500', async () => {
			const answer = await admin.action('/audit', 'verify', 'verify please', {
				contentType: 'text/plain'
			});
			expect(answer.status).toBe(400);
			expect(answer.type).toBe('failure');
			const errors = answer.data?.errors as Record<string, string>;
			expect([baseZhCN.error_form_unreadable, baseEn.error_form_unreadable]).toContain(errors._);
		});
	});

	describe('navigation', () => {
		it("shows each role the links its capabilities allow (the server's flags)", async () => {
			const adminHtml = await (await admin.fetch('/dashboard')).text();
			expect(adminHtml).toContain('href="/audit"');
			expect(adminHtml).toContain('href="/catalogue"');
			expect(adminHtml).not.toContain('href="/my-actions"');
			const orgHtml = await (await org.fetch('/dashboard')).text();
			expect(orgHtml).toContain('href="/my-actions"');
			expect(orgHtml).not.toContain('href="/audit"');
			expect(orgHtml).not.toContain('href="/catalogue"');
			expect(orgHtml).toContain('href="/people"');
			const evaluatorHtml = await (await evaluator.fetch('/dashboard')).text();
			expect(evaluatorHtml).not.toContain('href="/audit"');
			expect(evaluatorHtml).toContain('href="/findings"');
		});
	});

	describe('/locale', () => {
		it('switches the language, remembers it, and goes back only within the site', async () => {
			const client = await signedIn(server, 'decider@demo.test');
			const answer = await client.action('/locale', null, {
				locale: 'en',
				redirectTo: '/certificates'
			});
			expect(answer).toMatchObject({ type: 'redirect', location: '/certificates' });
			expect(client.cookieHeader).toMatch(/PARAGLIDE_LOCALE=en/);
			expect(await (await client.fetch('/dashboard')).text()).toMatch(/<html lang="en"/);
			const away = await client.action('/locale', null, {
				locale: 'zh-CN',
				redirectTo: '//evil.example/'
			});
			expect(away).toMatchObject({ type: 'redirect', location: '/' });
			expect(await (await client.fetch('/dashboard')).text()).toMatch(/<html lang="zh-CN"/);
		});

		it('refuses a locale that is not one (400), and a body that is no form (400)', async () => {
			const answer = await admin.action('/locale', null, { locale: 'fr', redirectTo: '/' });
			expect(answer.status).toBe(400);
			const plain = await admin.action('/locale', null, 'locale=en', { contentType: 'text/plain' });
			expect(plain.status).toBe(400);
		});
	});

	describe('/choose-tenant', () => {
		it('lets a member of two bodies choose each, and refuses a body they do not belong to', async () => {
			const multi = await signedIn(server, 'multi@demo.test');
			const page = await multi.fetch('/choose-tenant');
			expect(page.status).toBe(200);
			const html = await page.text();
			const tenantIds = [
				...new Set([...html.matchAll(/name="tenantId" value="([^"]+)"/g)].map((match) => match[1]!))
			];
			expect(tenantIds).toHaveLength(2);
			for (const tenantId of tenantIds) {
				const answer = await multi.action('/choose-tenant', null, { tenantId });
				expect(answer).toMatchObject({ type: 'redirect', location: '/dashboard' });
				expect((await multi.fetch('/dashboard')).status).toBe(200);
			}
			// The switch is offered to someone with somewhere to switch to.
			expect(await (await multi.fetch('/dashboard')).text()).toContain('href="/choose-tenant"');

			const stranger = '00000000-0000-4000-8000-000000000000';
			expect((await multi.action('/choose-tenant', null, { tenantId: stranger })).status).toBe(403);
			expect((await multi.action('/choose-tenant', null, { tenantId: 'nope' })).status).toBe(403);
			expect(
				(await multi.action('/choose-tenant', null, 'tenantId=x', { contentType: 'text/plain' }))
					.status
			).toBe(400);
			// admin@demo.test belongs to one body only: the other one's id is refused.
			const adminHtml = await (await admin.fetch('/choose-tenant')).text();
			const [own] = [...adminHtml.matchAll(/name="tenantId" value="([^"]+)"/g)].map((m) => m[1]);
			const foreign = tenantIds.find((id) => id !== own)!;
			expect((await admin.action('/choose-tenant', null, { tenantId: foreign })).status).toBe(403);
		});
	});

	describe('/logout', () => {
		it('ends the session: the next page asks to sign in', async () => {
			const client = await signedIn(server, 'evaluator@demo.test');
			expect((await client.fetch('/dashboard')).status).toBe(200);
			const answer = await client.action('/logout', null, {});
			expect(answer).toMatchObject({ type: 'redirect', location: '/login?signed-out' });
			const after = await client.fetch('/dashboard');
			expect(after.status).toBe(303);
			expect(after.headers.get('location')).toMatch(/^\/login/);
		});
	});
});
