import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { signedIn, startDemoApp, type Browserless } from '../support/http';
import type { RunningServer } from '../support/server';

/*
 * The mail pages through HTTP on the built app with the demo data: the admin's Deliveries and
 * Mailbox (an .eml file written into the app's DATA_DIR/mail the way the file transport does),
 * everyone's notifications. Refusals: an evaluator on the admin pages (403), a retry of a row
 * that is unknown or not failed (4xx), someone else's notification (404), a body that is no form
 * (400), a mailbox name that walks out of the directory (404).
 */

const FILE = `${randomUUID()}.eml`;
const EML = [
	'From: CertTrack <noreply@demo.test>',
	'To: someone@demo.test',
	'Subject: =?UTF-8?B?5pW05pS56YCa55+l?=',
	'Message-ID: <test@demo.test>',
	'Date: Wed, 02 Dec 2026 09:00:00 +0000',
	'MIME-Version: 1.0',
	'Content-Type: multipart/alternative; boundary="--_b1"',
	'',
	'----_b1',
	'Content-Type: text/plain; charset=utf-8',
	'Content-Transfer-Encoding: quoted-printable',
	'',
	'Plain body =E2=9C=93 here',
	'----_b1',
	'Content-Type: text/html; charset=utf-8',
	'Content-Transfer-Encoding: 7bit',
	'',
	'<p>Html <b>body</b></p>',
	'----_b1--',
	''
].join('\r\n');

describe('mail pages over HTTP', () => {
	let server: RunningServer;
	let admin: Browserless;
	let evaluator: Browserless;
	let dataDir: string;

	beforeAll(async () => {
		dataDir = mkdtempSync(join(tmpdir(), 'certtrack-mailui-'));
		mkdirSync(join(dataDir, 'mail'), { recursive: true });
		writeFileSync(join(dataDir, 'mail', FILE), EML);
		server = await startDemoApp({ DATA_DIR: dataDir });
		admin = await signedIn(server, 'admin@demo.test');
		evaluator = await signedIn(server, 'evaluator@demo.test');
	}, 300_000);

	afterAll(async () => {
		await server?.stop();
		if (dataDir) rmSync(dataDir, { recursive: true, force: true });
	});

	it('shows Deliveries and the Mailbox to an administrator, with the bell', async () => {
		const deliveries = await admin.fetch('/deliveries');
		expect(deliveries.status).toBe(200);
		const html = await deliveries.text();
		expect(html).toContain('data-testid="bell"');
		expect((await admin.fetch('/deliveries?status=failed')).status).toBe(200);
		expect((await admin.fetch('/deliveries?status=bogus&before=nope')).status).toBe(200);
		const mailbox = await admin.fetch('/mailbox');
		expect(mailbox.status).toBe(200);
		expect(await mailbox.text()).toContain(FILE);
	});

	it('reads one .eml: headers, text part, HTML in a sandboxed frame', async () => {
		const page = await admin.fetch(`/mailbox/${FILE}`);
		expect(page.status).toBe(200);
		const html = await page.text();
		expect(html).toContain('整改通知');
		expect(html).toContain('Plain body ✓ here');
		expect(html).toContain('sandbox=""');
	});

	it('refuses a mailbox name outside the directory or unknown', async () => {
		for (const path of [
			'/mailbox/..%2F..%2Fetc%2Fpasswd',
			'/mailbox/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
			`/mailbox/${randomUUID()}.eml`
		])
			expect((await admin.fetch(path)).status).toBe(404);
		expect([404]).toContain((await admin.fetch('/mailbox/../../etc/passwd')).status);
	});

	it('keeps the admin pages from an evaluator', async () => {
		expect((await evaluator.fetch('/deliveries')).status).toBe(403);
		expect((await evaluator.fetch('/mailbox')).status).toBe(403);
		expect((await evaluator.fetch(`/mailbox/${FILE}`)).status).toBe(403);
		const retry = await evaluator.action('/deliveries', 'retry', { id: randomUUID() });
		expect(retry.status).toBe(403);
	});

	it('retries only a failed row: unknown → 404, bad id → 400, no form → 400', async () => {
		const unknown = await admin.action('/deliveries', 'retry', { id: randomUUID() });
		expect(unknown).toMatchObject({ status: 404, type: 'failure' });
		const bad = await admin.action('/deliveries', 'retry', { id: 'not-a-uuid' });
		expect(bad).toMatchObject({ status: 400, type: 'failure' });
		const text = await admin.action('/deliveries', 'retry', 'id=x', {
			contentType: 'text/plain'
		});
		expect(text.status).toBe(400);
	});

	it('notifications: the page, mark all read, someone else’s id is 404, no form is 400', async () => {
		expect((await evaluator.fetch('/notifications')).status).toBe(200);
		const all = await evaluator.action('/notifications', 'readAll', {});
		expect(all).toMatchObject({ status: 200, type: 'success' });
		const foreign = await evaluator.action('/notifications', 'read', { id: randomUUID() });
		expect(foreign).toMatchObject({ status: 404, type: 'failure' });
		const text = await evaluator.action('/notifications', 'read', 'id=x', {
			contentType: 'text/plain'
		});
		expect(text.status).toBe(400);
	});

	it('saves the choice between immediate emails and a daily digest', async () => {
		const digest = await evaluator.action('/notifications', 'mailMode', { mode: 'digest' });
		expect(digest).toMatchObject({ status: 200, type: 'success' });
		expect(await (await evaluator.fetch('/notifications')).text()).toMatch(
			/value="digest"[^>]*checked|checked[^>]*value="digest"/
		);
		const bad = await evaluator.action('/notifications', 'mailMode', { mode: 'hourly' });
		expect(bad).toMatchObject({ status: 400, type: 'failure' });
		await evaluator.action('/notifications', 'mailMode', { mode: 'immediate' });
	});
});
