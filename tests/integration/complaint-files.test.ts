import { randomBytes } from 'node:crypto';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { testApp } from '../support/factories';
import { newWorkflowWorld, type WorkflowWorld } from '../support/workflow-factories';
import type { App } from '../../src/lib/server/app';
import type { Locale } from '../../db/schema';
import {
	COMPLAINT_ORIGIN,
	postComplaint,
	publicAddress,
	type ComplaintFile
} from '../support/complaint-form';
import { evidenceStorage } from '../../src/lib/server/evidence/storage';
import { MAX_COMPLAINT_FILE_BYTES } from '../../src/lib/server/services/complaints';
import { MAX_COMPLAINT_REQUEST_BYTES } from '../../src/lib/server/http/public-complaint';
import { translate } from '../../src/lib/server/i18n/translate';
import { formatBytes } from '../../src/lib/server/evidence/upload';

/*
 * Issue 13 item 4's optional files, through the certificate page's real form action: stored with
 * the complaint and downloadable by the body byte for byte; a fourth file, an oversize file and
 * a disguised executable refused on the file field in the visitor's language, the typed text
 * kept, nothing stored (no complaint, no row, no bytes); the honeypot still drops everything;
 * another tenant's admin gets "not found". PGlite only, as complaint-form.test.ts.
 */

const runtime = vi.hoisted(() => ({ app: null as App | null }));
vi.mock('$lib/server/runtime', () => ({ runtimeApp: async () => runtime.app }));
const { actions } = await import('../../src/routes/verify/[slug]/[number]/+page.server');
const download =
	await import('../../src/routes/(app)/complaints/[id=uuid]/files/[fileId=uuid]/+server');

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A small real PDF head with random bytes after it, so each file's hash is its own. */
const pdf = () =>
	new Uint8Array(
		Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(2000), Buffer.from('\n%%EOF\n')])
	);
const png = () =>
	new Uint8Array(
		Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(500)])
	);

describe('files on the public complaint form', () => {
	let t: TestDatabase;
	let a: WorkflowWorld;
	let b: WorkflowWorld;
	let slug: string;
	let number: string;
	let address = 0;

	beforeAll(async () => {
		t = await createTestDatabase('pglite');
		runtime.app = testApp(t);
		a = await newWorkflowWorld(t);
		b = await newWorkflowWorld(t);
		({ slug, number } = await publicAddress(t, a));
	}, 120_000);

	afterAll(async () => {
		await t?.drop();
	});

	async function post(
		fields: Record<string, string>,
		files: ComplaintFile[],
		locale: Locale = 'en'
	) {
		// Each post its own address: the rate limit is complaint-form.test.ts's subject.
		address += 1;
		const { answer } = await postComplaint(actions.complain!, {
			slug,
			number,
			fields,
			files,
			locale,
			address: `198.51.100.${address}`
		});
		return answer;
	}

	const person = (email: string) => ({ name: 'Li Hua', email, phone: '', body: 'See the photos.' });
	const complaintsOf = (email: string) =>
		t.owner.selectFrom('complaints').select('id').where('complainant_email', '=', email).execute();
	const fileRows = () => t.owner.selectFrom('complaint_files').select('id').execute();
	const storage = () => evidenceStorage(runtime.app!.config);

	function get(actor: WorkflowWorld['admin'], complaintId: string, fileId: string) {
		return download.GET({
			params: { id: complaintId, fileId },
			locals: { person: { id: actor.userId }, actor, locale: 'en' }
		} as never);
	}

	it('stores two files with the complaint, audits them, and the body downloads them byte-equal', async () => {
		const first = pdf();
		const second = png();
		const answer = await post(person('files@example.test'), [
			{ name: 'letter.pdf', bytes: first },
			{ name: '../../photo 1.png', bytes: second, type: 'image/png' }
		]);
		expect(answer).toMatchObject({ filed: true });
		const [complaint] = await complaintsOf('files@example.test');
		const rows = await t.owner
			.selectFrom('complaint_files')
			.selectAll()
			.where('complaint_id', '=', complaint!.id)
			.orderBy('original_name')
			.execute();
		expect(
			rows.map((row) => [row.original_name, row.detected_type, Number(row.size_bytes)])
		).toEqual([
			['letter.pdf', 'application/pdf', first.length],
			['photo 1.png', 'image/png', second.length]
		]);
		const audit = await t.owner
			.selectFrom('audit_log')
			.select('after')
			.where('entity_id', '=', complaint!.id)
			.where('action', '=', 'complaint.file')
			.executeTakeFirstOrThrow();
		expect((audit.after as { files: unknown }).files).toEqual(
			expect.arrayContaining([
				{ name: 'letter.pdf', size: first.length },
				{ name: 'photo 1.png', size: second.length }
			])
		);
		for (const [row, bytes] of [
			[rows[0]!, first],
			[rows[1]!, second]
		] as const) {
			const response = await get(a.admin, complaint!.id, row.id);
			expect(response.status).toBe(200);
			expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes);
			expect(response.headers.get('content-disposition')).toMatch(/^attachment;/);
			expect(response.headers.get('x-content-type-options')).toBe('nosniff');
			expect(response.headers.get('content-security-policy')).toContain('sandbox');
		}
	});

	it("refuses another tenant's admin the file: not found", async () => {
		const [complaint] = await complaintsOf('files@example.test');
		const [row] = await t.owner
			.selectFrom('complaint_files')
			.select('id')
			.where('complaint_id', '=', complaint!.id)
			.execute();
		await expect(get(b.admin, complaint!.id, row!.id)).rejects.toMatchObject({ status: 404 });
	});

	async function expectNothingStored(email: string, bytes: Uint8Array[], rowsBefore: number) {
		expect(await complaintsOf(email)).toEqual([]);
		expect((await fileRows()).length).toBe(rowsBefore);
		for (const content of bytes) expect(await storage().has(sha256(content))).toBe(false);
	}

	it('refuses a fourth file, keeping what was typed, and stores nothing', async () => {
		const before = (await fileRows()).length;
		const files = [pdf(), pdf(), pdf(), pdf()];
		const answer = await post(
			person('four@example.test'),
			files.map((bytes, i) => ({ name: `f${i}.pdf`, bytes }))
		);
		expect(answer.status).toBe(400);
		expect(answer.data!.errors.files).toBe(
			'Attach at most 3 files. Nothing was sent; choose fewer files and send again.'
		);
		expect(answer.data!.values).toMatchObject({ name: 'Li Hua', body: 'See the photos.' });
		await expectNothingStored('four@example.test', files, before);
	});

	it("refuses a file over 10 MB in the visitor's language and stores nothing (not even the good one)", async () => {
		const before = (await fileRows()).length;
		const good = pdf();
		const big = new Uint8Array(
			Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(MAX_COMPLAINT_FILE_BYTES)])
		);
		const answer = await post(
			person('big@example.test'),
			[
				{ name: 'good.pdf', bytes: good },
				{ name: 'scan.pdf', bytes: big }
			],
			'zh-CN'
		);
		expect(answer.status).toBe(400);
		expect(answer.data!.errors.files).toContain('“scan.pdf”超过了');
		expect(answer.data!.values.body).toBe('See the photos.');
		await expectNothingStored('big@example.test', [good, big], before);
	});

	it('refuses a disguised executable (MZ header named .pdf) and stores nothing', async () => {
		const before = (await fileRows()).length;
		const exe = new Uint8Array(
			Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00'), randomBytes(800)])
		);
		const answer = await post(person('exe@example.test'), [{ name: 'invoice.pdf', bytes: exe }]);
		expect(answer.status).toBe(400);
		expect(answer.data!.errors.files).toMatch(/^“invoice\.pdf” is not a file that can be accepted/);
		await expectNothingStored('exe@example.test', [exe], before);
	});

	it('drops a bot that fills the honeypot, with its files: nothing stored', async () => {
		const before = (await fileRows()).length;
		const bytes = pdf();
		const answer = await post({ ...person('bot@example.test'), website: 'https://spam.example' }, [
			{ name: 'spam.pdf', bytes }
		]);
		expect(answer).toMatchObject({ filed: true, reference: null });
		await expectNothingStored('bot@example.test', [bytes], before);
	});

	it('refuses unread a body declared larger than three files can need', async () => {
		address += 1;
		const { answer } = await postComplaint(actions.complain!, {
			slug,
			number,
			fields: {},
			address: `198.51.100.${address}`,
			raw: { body: 'x', headers: { 'content-length': String(40 * 1024 * 1024) } }
		});
		expect(answer.status).toBe(413);
		expect(answer.data!.errors.files).toBe(
			'Attach at most 3 files of at most 10 MB each. Nothing was sent; choose fewer or smaller files and send again.'
		);
	});

	it('stops reading a chunked body (no Content-Length) at what three files can need', async () => {
		address += 1;
		const path = `/verify/${slug}/${number}?/complain`;
		const chunk = new Uint8Array(1024 * 1024).fill(0x41);
		const boundary = 'complaint-boundary';
		const head = new TextEncoder().encode(
			`--${boundary}\r\ncontent-disposition: form-data; name="files"; filename="huge.pdf"\r\n` +
				'content-type: application/pdf\r\n\r\n%PDF-1.7\n'
		);
		let pulled = 0;
		let ended = false;
		// A body that would go on for 100 MiB (past the server's limit) if it were read to its end.
		const body = new ReadableStream<Uint8Array>({
			start(controller) {
				controller.enqueue(head);
				pulled += head.byteLength;
			},
			pull(controller) {
				if (pulled > 100 * 1024 * 1024) {
					ended = true;
					controller.close();
					return;
				}
				controller.enqueue(chunk);
				pulled += chunk.byteLength;
			}
		});
		const headers: Record<string, string> = {};
		const event = {
			request: new Request(`${COMPLAINT_ORIGIN}${path}`, {
				method: 'POST',
				body,
				headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
				duplex: 'half'
			} as RequestInit),
			url: new URL(`${COMPLAINT_ORIGIN}${path}`),
			params: { slug, number },
			locals: { locale: 'zh-CN' },
			getClientAddress: () => `198.51.100.${address}`,
			setHeaders: (set: Record<string, string>) => Object.assign(headers, set)
		};
		expect(event.request.headers.get('content-length')).toBeNull();
		const answer = (await actions.complain!(event as never)) as {
			status: number;
			data: { errors: Record<string, string> };
		};
		expect(answer.status).toBe(413);
		expect(answer.data.errors.files).toBe(
			translate('complaints_error_files_request_too_large', 'zh-CN', {
				max: 3,
				limit: formatBytes(10 * 1024 * 1024, 'zh-CN')
			})
		);
		// Read up to the bound (and the chunk that crossed it, plus what the stream queued), no more.
		expect(ended).toBe(false);
		expect(pulled).toBeLessThanOrEqual(MAX_COMPLAINT_REQUEST_BYTES + 3 * chunk.byteLength);
		expect(pulled).toBeGreaterThan(MAX_COMPLAINT_REQUEST_BYTES);
		expect(headers.connection).toBe('close');
	});

	it('files a complaint with no file chosen (the empty part an empty input posts)', async () => {
		const answer = await post(person('nofile@example.test'), [
			{ name: '', bytes: new Uint8Array(), type: 'application/octet-stream' }
		]);
		expect(answer).toMatchObject({ filed: true });
		const [complaint] = await complaintsOf('nofile@example.test');
		expect(
			await t.owner
				.selectFrom('complaint_files')
				.select('id')
				.where('complaint_id', '=', complaint!.id)
				.execute()
		).toEqual([]);
	});
});
