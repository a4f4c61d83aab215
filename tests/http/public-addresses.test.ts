import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browserless, signedIn, startDemoApp } from '../support/http';
import type { RunningServer } from '../support/server';
import { translate } from '../../src/lib/server/i18n/translate';
import { pdfQrCodes } from '../support/pdf';

/*
 * The public addresses of the built app (issue 13's review): a certificate number with '/'
 * (imports allow it) still has a working public page, QR codes, badge and PDF, from every link
 * to it; and the calendar feed is limited per address like /verify (60 a minute, then 429 with
 * Retry-After and a message in the reader's language).
 */

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const NUMBER = 'DCB/27922/2026-S01';
const ENCODED = encodeURIComponent(NUMBER);

describe('public addresses over HTTP', () => {
	let server: RunningServer;
	let admin: Browserless;
	let certificateId: string;

	async function query<T>(path: string, input: unknown): Promise<T> {
		const search = `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
		const response = await admin.fetch(`/api/trpc/${path}${search}`, {
			headers: { accept: 'application/json' }
		});
		expect(response.status).toBe(200);
		return ((await response.json()) as { result: { data: { json: T } } }).result.data.json;
	}

	beforeAll(async () => {
		server = await startDemoApp();
		admin = await signedIn(server, 'admin@demo.test');
		// An existing certificate's organisation, standard and grade, for the imported one.
		const list = await (await admin.fetch('/certificates')).text();
		const existing = new RegExp(`href="/certificates/(${UUID})"`).exec(list)![1]!;
		const page = await query<Record<string, unknown>>('certificates.get', { id: existing });
		const row = (page.certificate ?? page) as Record<string, string | null>;
		const answer = await admin.action('/certificates/new', null, {
			number: NUMBER,
			scope: 'Scope with a slash number',
			issuedOn: new Date().toISOString().slice(0, 10),
			organisationId: row.organisation_id!,
			standardId: row.standard_id!,
			gradeLevelId: row.grade_level_id ?? ''
		});
		expect(answer.status).toBe(303);
		certificateId = new RegExp(`/certificates/(${UUID})`).exec(answer.location!)![1]!;
	}, 600_000);

	afterAll(async () => {
		await server?.stop();
	});

	it("links a number with '/' encoded, and its public page, QR codes, badge and PDF answer", async () => {
		const path = `/verify/demo/${ENCODED}`;
		const signedInPage = await (await admin.fetch(`/certificates/${certificateId}`)).text();
		expect(signedInPage).toContain(`${server.origin}${path}`);
		expect(signedInPage).toContain(`${path}/qr.png`);
		// The badge an organisation embeds: the encoded address, as an <img> and in its snippet.
		expect(signedInPage).toContain(`src="${server.origin}${path}/badge.svg?lang=`);

		const visitor = new Browserless(server.origin);
		const found = await (await visitor.fetch(`/verify?number=${ENCODED}`)).text();
		expect(found).toContain(`href="${path}"`);
		const search = await (await visitor.fetch(`/verify/demo?q=${ENCODED}`)).text();
		expect(search).toContain(`href="${path}"`);

		const page = await visitor.fetch(path);
		expect(page.status).toBe(200);
		const html = await page.text();
		expect(html).toContain(NUMBER);
		// The QR code's and the badge's addresses are the encoded page address.
		expect(html).toContain(`${server.origin}${path}`);
		expect(html).toContain(`${path}/qr.svg`);
		expect(html).toContain(`${path}/certificate.pdf`);
		for (const [suffix, type] of [
			['/qr.png', 'image/png'],
			['/qr.svg', 'image/svg+xml'],
			['/badge.svg?lang=en', 'image/svg+xml'],
			['/certificate.pdf', 'application/pdf']
		] as const) {
			const answer = await visitor.fetch(`${path}${suffix}`);
			expect(answer.status, suffix).toBe(200);
			expect(answer.headers.get('content-type'), suffix).toContain(type);
			const bytes = new Uint8Array(await answer.arrayBuffer());
			// The printed certificate's QR code opens the same (encoded) page.
			if (suffix === '/certificate.pdf')
				expect(await pdfQrCodes(bytes)).toContain(`${server.origin}${path}`);
		}
	});

	it('limits the calendar feed per address: 60 a minute, then 429 with Retry-After', async () => {
		const visitor = new Browserless(server.origin);
		const token = 'A'.repeat(43);
		const headers = { 'accept-language': 'en' };
		for (let i = 0; i < 60; i++) {
			const answer = await visitor.fetch(`/calendar/feed/${token}.ics`, { headers });
			expect(answer.status).toBe(404);
			await answer.arrayBuffer();
		}
		const refused = await visitor.fetch(`/calendar/feed/${token}.ics`, { headers });
		expect(refused.status).toBe(429);
		expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
		const text = await refused.text();
		expect([
			translate('calendar_feed_rate_limited', 'en', {
				seconds: Number(refused.headers.get('retry-after'))
			}),
			translate('calendar_feed_rate_limited', 'zh-CN', {
				seconds: Number(refused.headers.get('retry-after'))
			})
		]).toContain(text);
		// The verification pages keep a count of their own.
		expect((await visitor.fetch('/verify/demo')).status).toBe(200);
	});
});
