import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { newTenant } from '../support/factories';
import { JPEG_BYTES, PNG_BYTES } from '../support/evidence-factories';
import { enqueueMessage, messageContent } from '../../src/lib/server/mail/outbox';
import { deliverTenantOutbox } from '../../src/lib/server/mail/delivery';
import { createMailTransport, type MailTransport } from '../../src/lib/server/mail/transport';

/* The body's logo in its emails (issue 12 item 8): an inline image part read at send time,
 * received by a real SMTP server and taken apart here MIME part by MIME part. */

interface Received {
	raw: string;
	to: string;
}

async function startSmtp() {
	const received: Received[] = [];
	const server = new SMTPServer({
		authOptional: true,
		disabledCommands: ['STARTTLS', 'AUTH'],
		logger: false,
		onData(stream, session, callback) {
			const chunks: Buffer[] = [];
			stream.on('data', (chunk: Buffer) => chunks.push(chunk));
			stream.on('end', () => {
				received.push({
					raw: Buffer.concat(chunks).toString('latin1'),
					to: session.envelope.rcptTo[0]!.address
				});
				callback();
			});
		}
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = (server.server.address() as { port: number }).port;
	return {
		received,
		url: `smtp://127.0.0.1:${port}`,
		close: () => new Promise<void>((resolve) => server.close(() => resolve()))
	};
}

interface Part {
	headers: Record<string, string>;
	body: Buffer;
}

/** The leaf parts of a MIME message (headers lower-cased, bodies decoded). */
function leafParts(raw: string): Part[] {
	const [head, ...rest] = raw.split(/\r?\n\r?\n/);
	const content = rest.join('\r\n\r\n');
	const headers: Record<string, string> = {};
	for (const line of head!.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
		const at = line.indexOf(':');
		if (at > 0) headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
	}
	const type = headers['content-type'] ?? 'text/plain';
	const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
	if (/^multipart\//i.test(type) && boundary) {
		const pieces = content.split(`--${boundary}`).slice(1);
		return pieces
			.filter((piece) => !piece.startsWith('--'))
			.flatMap((piece) => leafParts(piece.replace(/^\r?\n/, '')));
	}
	const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
	const body =
		encoding === 'base64'
			? Buffer.from(content.replace(/\s+/g, ''), 'base64')
			: encoding === 'quoted-printable'
				? Buffer.from(
						content
							.replace(/=\r?\n/g, '')
							.replace(/=([0-9A-F]{2})/gi, (_, hex: string) =>
								String.fromCharCode(parseInt(hex, 16))
							),
						'latin1'
					)
				: Buffer.from(content.replace(/\r?\n$/, ''), 'latin1');
	return [{ headers, body }];
}

function htmlOf(parts: Part[]): string {
	const part = parts.find((p) => /^text\/html/i.test(p.headers['content-type'] ?? ''));
	// SMTP carries lines as CRLF, and nodemailer ends the encoded part with a line break.
	return part!.body.toString('utf8').replace(/\r\n/g, '\n').replace(/\n$/, '');
}

function images(parts: Part[]): Part[] {
	return parts.filter((p) => /^image\//i.test(p.headers['content-type'] ?? ''));
}

for (const kind of DIALECTS) {
	describe(`the body's logo in its emails (${kind})`, () => {
		let t: TestDatabase;
		let smtp: Awaited<ReturnType<typeof startSmtp>>;
		let transport: MailTransport;
		beforeAll(async () => {
			t = await createTestDatabase(kind);
			smtp = await startSmtp();
			transport = createMailTransport({
				smtpUrl: smtp.url,
				mailFrom: 'CertTrack <ct@test>',
				dataDir: '/tmp'
			});
		});
		afterAll(async () => {
			transport?.close();
			await smtp?.close();
			await t?.drop();
		});

		async function write(tenantId: string, tag: string, count = 1) {
			await t.db.inTenant({ tenantId, userId: null }, async (tx) => {
				for (let i = 0; i < count; i++)
					await enqueueMessage(tx, {
						tenantId,
						template: 'finding.plan_accepted',
						recipients: [{ email: `${tag}-${i}@org.test`, name: `Person ${i}`, locale: 'en' }],
						params: { reference: `NC-${tag}-${i}`, dueOn: '2027-01-15' },
						link: `/findings/${i}`
					});
			});
		}

		const rowsOf = (tag: string) =>
			t.owner.selectFrom('outbox').selectAll().where('to_email', 'like', `${tag}-%`).execute();
		const receivedBy = (tag: string) => smtp.received.filter((r) => r.to.startsWith(`${tag}-`));

		it('attaches the logo inline under its Content-ID, in every batch of a run, and shows it atop the HTML', async () => {
			const body = await newTenant(t, 'Körper & <Söhne>');
			await t.owner
				.updateTable('tenants')
				.set({ logo: PNG_BYTES, logo_type: 'image/png' })
				.where('id', '=', body.id)
				.execute();
			await write(body.id, 'logo', 5);
			// Batches of two: the logo read in the first one serves the other two.
			expect(await deliverTenantOutbox(t.db, transport, body.id, { batch: 2 })).toEqual({
				sent: 5,
				failed: 0
			});
			const got = receivedBy('logo');
			expect(got).toHaveLength(5);
			const cid = `logo-${body.id}@certtrack.local`;
			for (const mail of got) {
				expect(mail.raw).toMatch(/multipart\/related/i);
				const parts = leafParts(mail.raw);
				const [image, ...others] = images(parts);
				expect(others).toEqual([]);
				expect(image!.headers['content-type']).toMatch(/^image\/png/);
				expect(image!.headers['content-id']).toBe(`<${cid}>`);
				expect(image!.headers['content-disposition']).toMatch(/^inline/);
				expect(image!.body.equals(PNG_BYTES)).toBe(true);
				const html = htmlOf(parts);
				expect(html).toContain(
					`<img src="cid:${cid}" alt="Körper &amp; &lt;Söhne&gt;" height="40"`
				);
				// At the top: before the body's name and the title.
				expect(html.indexOf(`cid:${cid}`)).toBeLessThan(
					html.indexOf('Körper &amp; &lt;Söhne&gt;</div>')
				);
				// The text part is as before: no image there.
				const text = parts.find((p) => /^text\/plain/i.test(p.headers['content-type'] ?? ''));
				expect(text!.body.toString('utf8')).not.toContain('cid:');
			}
		});

		it('sends a body without a logo exactly as before: no part, the same HTML', async () => {
			const body = await newTenant(t);
			await write(body.id, 'plain', 2);
			expect(await deliverTenantOutbox(t.db, transport, body.id)).toEqual({ sent: 2, failed: 0 });
			const rows = await rowsOf('plain');
			expect(receivedBy('plain')).toHaveLength(2);
			for (const mail of receivedBy('plain')) {
				expect(mail.raw).not.toMatch(/multipart\/related|Content-ID|image\//i);
				const parts = leafParts(mail.raw);
				expect(images(parts)).toEqual([]);
				const row = rows.find((r) => r.to_email === mail.to)!;
				const html = htmlOf(parts);
				expect(html).toBe(messageContent(row).html);
				expect(html).not.toContain('<img');
			}
		});

		it("never puts one body's logo into another body's mail", async () => {
			const first = await newTenant(t, 'First body');
			const second = await newTenant(t, 'Second body');
			const third = await newTenant(t, 'Third body');
			await t.owner
				.updateTable('tenants')
				.set({ logo: PNG_BYTES, logo_type: 'image/png' })
				.where('id', '=', first.id)
				.execute();
			await t.owner
				.updateTable('tenants')
				.set({ logo: JPEG_BYTES, logo_type: 'image/jpeg' })
				.where('id', '=', second.id)
				.execute();
			await write(first.id, 'first', 2);
			await write(second.id, 'second', 2);
			await write(third.id, 'third', 2);
			// One transport (one connection pool) for all three, as the worker has.
			for (const body of [first, second, third])
				expect(await deliverTenantOutbox(t.db, transport, body.id)).toEqual({
					sent: 2,
					failed: 0
				});
			const pngBase64 = PNG_BYTES.toString('base64').slice(0, 60);
			for (const tag of ['first', 'second', 'third']) expect(receivedBy(tag)).toHaveLength(2);
			for (const mail of receivedBy('second')) {
				const parts = leafParts(mail.raw);
				const [image, ...others] = images(parts);
				expect(others).toEqual([]);
				expect(image!.headers['content-type']).toMatch(/^image\/jpeg/);
				expect(image!.headers['content-id']).toBe(`<logo-${second.id}@certtrack.local>`);
				expect(image!.body.equals(JPEG_BYTES)).toBe(true);
				expect(mail.raw).not.toContain(first.id);
				expect(mail.raw.replace(/\r?\n/g, '')).not.toContain(pngBase64);
				expect(htmlOf(parts)).toContain('alt="Second body"');
			}
			for (const mail of receivedBy('third')) {
				expect(images(leafParts(mail.raw))).toEqual([]);
				expect(mail.raw).not.toContain(first.id);
				expect(mail.raw).not.toContain(second.id);
			}
			for (const mail of receivedBy('first'))
				expect(images(leafParts(mail.raw))[0]!.body.equals(PNG_BYTES)).toBe(true);
		});

		it('attaches nothing to a row written before params (its frozen HTML has no logo slot)', async () => {
			const body = await newTenant(t);
			await t.owner
				.updateTable('tenants')
				.set({ logo: PNG_BYTES, logo_type: 'image/png' })
				.where('id', '=', body.id)
				.execute();
			await write(body.id, 'legacy', 1);
			await t.owner
				.updateTable('outbox')
				.set({ params: null, text_body: 'Legacy text', html_body: '<p>Legacy html</p>' })
				.where('to_email', 'like', 'legacy-%')
				.execute();
			expect(await deliverTenantOutbox(t.db, transport, body.id)).toEqual({ sent: 1, failed: 0 });
			const [mail] = receivedBy('legacy');
			const parts = leafParts(mail!.raw);
			expect(images(parts)).toEqual([]);
			expect(htmlOf(parts)).toBe('<p>Legacy html</p>');
		});
	});
}
