import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Readable } from 'node:stream';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { newActor, newOrganisation, newTenant, testApp } from '../support/factories';
import {
	ELF_BYTES,
	EXE_BYTES,
	GIF_BYTES,
	JPEG_BYTES,
	newFinding,
	PDF_BYTES,
	PNG_BYTES,
	TEXT_BYTES
} from '../support/evidence-factories';
import type { Actor } from '../../src/lib/server/actor';
import type { App } from '../../src/lib/server/app';
import type { Locale } from '../../db/schema';
import { todayInZone } from '../../src/lib/server/domain/calendar';
import { Refusal } from '../../src/lib/server/errors';
import { contentDisposition } from '../../src/lib/server/evidence/filename';
import { LocalDiskStorage } from '../../src/lib/server/evidence/storage';
import {
	handleEvidenceUpload,
	type EvidenceUploadResponse
} from '../../src/lib/server/evidence/upload';
import {
	listFindingEvidence,
	openEvidenceForDownload
} from '../../src/lib/server/services/evidence';
import en from '../../messages/evidence/en.json';
import zhCN from '../../messages/evidence/zh-CN.json';

/* Evidence upload and download against a real database and a real (temporary) store: what is
 * accepted is stored once under its hash with its row and audit entry; what is refused or
 * interrupted leaves neither row nor file nor staged leftover. */

const ORIGIN = 'https://certtrack.test';
const LIMIT = 64 * 1024;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Every file under `dir`, as paths relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
	const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
	return entries
		.filter((entry) => entry.isFile())
		.map((entry) => relative(dir, join(entry.parentPath, entry.name)))
		.sort();
}

async function readAll(stream: Readable): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of stream) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

/** A date column's value as 'YYYY-MM-DD' (in-memory PGlite currently returns a Date). */
const asDay = (value: unknown) =>
	value instanceof Date ? value.toISOString().slice(0, 10) : (value as string | undefined);

/** Unique bytes of a kind: the same header, a random tail. */
const fresh = (bytes: Buffer, tail = 64) => Buffer.concat([bytes, randomBytes(tail)]);

interface UploadFile {
	name: string;
	bytes: Uint8Array;
	type?: string;
}

describe.each(DIALECTS)('evidence upload and download (%s)', (kind) => {
	let t: TestDatabase;
	let app: App;
	let dir: string;
	let storage: LocalDiskStorage;
	let orgUserX: Actor;
	let orgAdminY: Actor;
	let evaluatorA: Actor;
	let orgUserB: Actor;
	let findingX: { id: string };
	let findingB: { id: string };

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		dir = await mkdtemp(join(tmpdir(), 'certtrack-evidence-'));
		storage = new LocalDiskStorage(dir);
		const base = testApp(t);
		app = { ...base, config: { ...base.config, evidenceDir: dir, evidenceMaxBytes: LIMIT } };
		const tenantA = await newTenant(t);
		const tenantB = await newTenant(t);
		const orgX = await newOrganisation(t, tenantA.id);
		const orgY = await newOrganisation(t, tenantA.id);
		const orgB = await newOrganisation(t, tenantB.id);
		evaluatorA = await newActor(t, tenantA.id, 'evaluator');
		orgUserX = await newActor(t, tenantA.id, 'org_member', orgX.id);
		orgAdminY = await newActor(t, tenantA.id, 'org_admin', orgY.id);
		const evaluatorB = await newActor(t, tenantB.id, 'evaluator');
		orgUserB = await newActor(t, tenantB.id, 'org_admin', orgB.id);
		findingX = await newFinding(t, tenantA.id, orgX.id, evaluatorA.userId);
		findingB = await newFinding(t, tenantB.id, orgB.id, evaluatorB.userId);
	});

	afterAll(async () => {
		await t?.drop();
		if (dir) await rm(dir, { recursive: true, force: true });
	});

	function multipartRequest(
		findingId: string,
		body: FormData,
		headers: Record<string, string> = {}
	) {
		return new Request(`${ORIGIN}/api/evidence/${findingId}`, {
			method: 'POST',
			body,
			headers: { origin: ORIGIN, ...headers }
		});
	}

	function upload(
		actor: Actor,
		findingId: string,
		files: UploadFile[],
		options: { effectiveFrom?: string; locale?: Locale; headers?: Record<string, string> } = {}
	): Promise<EvidenceUploadResponse> {
		const form = new FormData();
		if (options.effectiveFrom !== undefined) form.append('effective_from', options.effectiveFrom);
		for (const file of files)
			form.append(
				'files',
				new File([new Uint8Array(file.bytes)], file.name, {
					type: file.type ?? 'application/octet-stream'
				})
			);
		return handleEvidenceUpload({
			request: multipartRequest(findingId, form, options.headers),
			app,
			actor,
			findingId,
			locale: options.locale ?? 'en',
			storage
		});
	}

	function evidenceRows(findingId: string) {
		return t.owner
			.selectFrom('evidence')
			.selectAll()
			.where('finding_id', '=', findingId)
			.orderBy('uploaded_at')
			.execute();
	}

	function uploadAudits(findingId: string) {
		return t.owner
			.selectFrom('audit_log')
			.select(['action', 'entity_type', 'actor_user_id', 'after'])
			.where('entity_type', '=', 'finding')
			.where('entity_id', '=', findingId)
			.where('action', '=', 'evidence.upload')
			.execute();
	}

	/** Runs `work` and checks it left no row, no audit entry and no file behind. */
	async function leavesNothing(findingId: string, work: () => Promise<unknown>) {
		const rows = (await evidenceRows(findingId)).length;
		const audits = (await uploadAudits(findingId)).length;
		const files = await filesUnder(dir);
		await work();
		expect(await evidenceRows(findingId)).toHaveLength(rows);
		expect(await uploadAudits(findingId)).toHaveLength(audits);
		expect(await filesUnder(dir)).toEqual(files);
		expect((await filesUnder(dir)).filter((file) => file.startsWith('tmp'))).toEqual([]);
	}

	it('accepts a good PDF and PNG: rows, files under their hash, audit entries', async () => {
		const pdf = fresh(PDF_BYTES);
		const png = fresh(PNG_BYTES);
		const response = await upload(
			orgUserX,
			findingX.id,
			[
				{ name: '整改报告.pdf', bytes: pdf, type: 'application/pdf' },
				{ name: 'site photo.png', bytes: png, type: 'image/png' }
			],
			{ effectiveFrom: '2026-06-20' }
		);
		expect(response.status).toBe(200);
		expect(response.body.error).toBeUndefined();
		expect(response.body.files).toMatchObject([
			{ name: '整改报告.pdf', ok: true, size: pdf.length, detectedType: 'application/pdf' },
			{ name: 'site photo.png', ok: true, size: png.length, detectedType: 'image/png' }
		]);

		// Recorded as pending: the evidence.verify job re-reads the bytes and decides (SPEC §5).
		const rows = await evidenceRows(findingX.id);
		const byName = new Map(rows.map((row) => [row.original_name, row]));
		for (const [name, bytes, type] of [
			['整改报告.pdf', pdf, 'application/pdf'],
			['site photo.png', png, 'image/png']
		] as const) {
			const row = byName.get(name);
			expect(row).toMatchObject({
				tenant_id: orgUserX.tenantId,
				sha256: sha256(bytes),
				detected_type: type,
				declared_type: type,
				uploaded_by: orgUserX.userId,
				integrity_status: 'pending',
				duplicate_of_id: null,
				submission_id: null
			});
			expect(Number(row?.size_bytes)).toBe(bytes.length);
			expect(asDay(row?.effective_from)).toBe('2026-06-20');
			const stored = join(dir, sha256(bytes).slice(0, 2), sha256(bytes));
			expect(await readFile(stored)).toEqual(bytes);
		}
		expect(response.body.files.map((file) => file.evidenceId).sort()).toEqual(
			rows.map((row) => row.id).sort()
		);

		const audits = await uploadAudits(findingX.id);
		expect(audits).toHaveLength(2);
		for (const audit of audits) expect(audit.actor_user_id).toBe(orgUserX.userId);
		const after = audits.map((audit) =>
			typeof audit.after === 'string' ? JSON.parse(audit.after) : audit.after
		);
		expect(after.map((entry) => entry.sha256).sort()).toEqual([sha256(pdf), sha256(png)].sort());
		expect((await filesUnder(dir)).filter((file) => file.startsWith('tmp'))).toEqual([]);
	});

	it('defaults the effective-from date to today in the tenant’s zone', async () => {
		const gif = fresh(GIF_BYTES);
		const response = await upload(orgUserX, findingX.id, [{ name: 'chart.gif', bytes: gif }]);
		expect(response.status).toBe(200);
		const row = (await evidenceRows(findingX.id)).find((r) => r.sha256 === sha256(gif));
		expect(asDay(row?.effective_from)).toBe(todayInZone(new Date(), orgUserX.tenant.timeZone));
	});

	it('refuses a file over the limit, leaving no row, no file and no staged leftover', async () => {
		const big = fresh(PDF_BYTES, LIMIT);
		await leavesNothing(findingX.id, async () => {
			const response = await upload(orgUserX, findingX.id, [{ name: 'scan.pdf', bytes: big }]);
			expect(response.status).toBe(200);
			expect(response.body.files).toEqual([
				{ name: 'scan.pdf', ok: false, error: en.evidence_too_large.replace('{limit}', '64 KB') }
			]);
		});
		expect(await storage.has(sha256(big))).toBe(false);
	});

	it('refuses types not on the allow-list (ELF, EXE), sniffed from the bytes', async () => {
		await leavesNothing(findingX.id, async () => {
			const response = await upload(orgUserX, findingX.id, [
				{ name: 'report.pdf', bytes: fresh(ELF_BYTES), type: 'application/pdf' },
				{ name: 'setup.exe', bytes: fresh(EXE_BYTES) }
			]);
			expect(response.body.files).toEqual([
				{ name: 'report.pdf', ok: false, error: en.evidence_type_not_allowed },
				{ name: 'setup.exe', ok: false, error: en.evidence_type_not_allowed }
			]);
		});
	});

	it('refuses a .pdf whose bytes are PNG: bytes contradict name', async () => {
		await leavesNothing(findingX.id, async () => {
			const response = await upload(orgUserX, findingX.id, [
				{ name: 'report.pdf', bytes: fresh(PNG_BYTES), type: 'application/pdf' }
			]);
			expect(response.body.files).toEqual([
				{
					name: 'report.pdf',
					ok: false,
					error: en.evidence_bytes_contradict_name
						.replace('{detected}', 'PNG')
						.replace('{extension}', 'pdf')
				}
			]);
		});
	});

	it('refuses a text file that turns binary after its first 4 KiB', async () => {
		const text = Buffer.concat([Buffer.from('a'.repeat(100_000 - 3)), Buffer.from([0, 1, 2])]);
		await leavesNothing(findingX.id, async () => {
			const response = await upload(orgUserX, findingX.id, [{ name: 'log.txt', bytes: text }]);
			expect(response.body.files).toEqual([
				{ name: 'log.txt', ok: false, error: en.evidence_text_invalid }
			]);
		});
	});

	it('stores names with path separators sanitised, and nothing outside the store', async () => {
		const pdf = fresh(PDF_BYTES);
		const text = Buffer.concat([TEXT_BYTES, Buffer.from(randomBytes(16).toString('hex'))]);
		const response = await upload(orgUserX, findingX.id, [
			{ name: '../../etc/passwd.pdf', bytes: pdf },
			{ name: '..\\..\\boot.ini.txt', bytes: text }
		]);
		expect(response.body.files).toMatchObject([
			{ name: 'passwd.pdf', ok: true },
			{ name: 'boot.ini.txt', ok: true, detectedType: 'text/plain' }
		]);
		const rows = await evidenceRows(findingX.id);
		const names = rows
			.filter((row) => [sha256(pdf), sha256(text)].includes(row.sha256))
			.map((row) => row.original_name)
			.sort();
		expect(names).toEqual(['boot.ini.txt', 'passwd.pdf']);
		for (const name of names) expect(name).not.toMatch(/[/\\]/);
		// Only hash-named files, in their two-digit folders.
		for (const file of await filesUnder(dir)) expect(file).toMatch(/^[0-9a-f]{2}\/[0-9a-f]{64}$/);
	});

	it('keeps a hand-written name with separators sanitised too (not only the parser’s)', async () => {
		const pdf = fresh(PDF_BYTES);
		const boundary = `----certtrack${randomBytes(8).toString('hex')}`;
		const body = Buffer.concat([
			Buffer.from(
				`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="..\\\\..\\\\.\u202Eevil.pdf"\r\nContent-Type: application/pdf\r\n\r\n`
			),
			pdf,
			Buffer.from(`\r\n--${boundary}--\r\n`)
		]);
		const response = await handleEvidenceUpload({
			request: new Request(`${ORIGIN}/api/evidence/${findingX.id}`, {
				method: 'POST',
				body,
				headers: { origin: ORIGIN, 'content-type': `multipart/form-data; boundary=${boundary}` }
			}),
			app,
			actor: orgUserX,
			findingId: findingX.id,
			locale: 'en',
			storage
		});
		expect(response.body.files).toMatchObject([{ name: 'evil.pdf', ok: true }]);
	});

	function interruptedBody(boundary: string, parts: Buffer[], end: 'error' | 'truncate') {
		let index = 0;
		return new ReadableStream<Uint8Array>({
			pull(controller) {
				const part = parts[index++];
				if (part) controller.enqueue(new Uint8Array(part));
				else if (end === 'error') controller.error(new Error('connection reset by peer'));
				else controller.close();
			}
		});
	}

	const partHeader = (boundary: string, name: string, type: string) =>
		Buffer.from(
			`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${name}"\r\nContent-Type: ${type}\r\n\r\n`
		);

	it.each(['error', 'truncate'] as const)(
		'an interrupted upload (%s) keeps the complete file and leaves nothing of the cut one',
		async (end) => {
			const boundary = `----certtrack${randomBytes(8).toString('hex')}`;
			const complete = fresh(JPEG_BYTES);
			const cut = fresh(PDF_BYTES, 20_000);
			const before = await evidenceRows(findingX.id);
			const response = await handleEvidenceUpload({
				request: new Request(`${ORIGIN}/api/evidence/${findingX.id}`, {
					method: 'POST',
					body: interruptedBody(
						boundary,
						[
							partHeader(boundary, 'before.jpg', 'image/jpeg'),
							complete,
							Buffer.from('\r\n'),
							partHeader(boundary, 'cut.pdf', 'application/pdf'),
							cut.subarray(0, 6000),
							cut.subarray(6000, 12_000)
						],
						end
					),
					headers: { origin: ORIGIN, 'content-type': `multipart/form-data; boundary=${boundary}` },
					duplex: 'half'
				} as RequestInit),
				app,
				actor: orgUserX,
				findingId: findingX.id,
				locale: 'en',
				storage
			});
			expect(response.status).toBe(400);
			expect(response.body.error).toBe(en.evidence_interrupted);
			expect(response.body.files).toMatchObject([
				{ name: 'before.jpg', ok: true },
				{ name: 'cut.pdf', ok: false, error: en.evidence_interrupted }
			]);
			const rows = await evidenceRows(findingX.id);
			expect(rows).toHaveLength(before.length + 1);
			expect(rows.some((row) => row.sha256 === sha256(complete))).toBe(true);
			expect(await storage.has(sha256(complete))).toBe(true);
			expect(rows.some((row) => row.original_name === 'cut.pdf')).toBe(false);
			expect(await storage.has(sha256(cut))).toBe(false);
			expect((await filesUnder(dir)).filter((file) => file.startsWith('tmp'))).toEqual([]);
		}
	);

	it('a refused request that breaks off mid-file leaves nothing and crashes nothing', async () => {
		const boundary = `----certtrack${randomBytes(8).toString('hex')}`;
		const cut = fresh(PDF_BYTES, 20_000);
		await leavesNothing(findingX.id, async () => {
			const response = await handleEvidenceUpload({
				request: new Request(`${ORIGIN}/api/evidence/${findingX.id}`, {
					method: 'POST',
					body: interruptedBody(
						boundary,
						[partHeader(boundary, 'cut.pdf', 'application/pdf'), cut.subarray(0, 8000)],
						'error'
					),
					headers: { origin: ORIGIN, 'content-type': `multipart/form-data; boundary=${boundary}` },
					duplex: 'half'
				} as RequestInit),
				app,
				actor: evaluatorA,
				findingId: findingX.id,
				locale: 'en',
				storage
			});
			expect(response.status).toBe(403);
			// Refused before the body is parsed: no file is even named.
			expect(response.body.files).toEqual([]);
		});
	});

	it('stores the same content once and marks the second upload as its duplicate', async () => {
		const gif = fresh(GIF_BYTES);
		const first = await upload(orgUserX, findingX.id, [{ name: 'a.gif', bytes: gif }]);
		const filesAfterFirst = await filesUnder(dir);
		const second = await upload(orgUserX, findingX.id, [
			{ name: 'b.gif', bytes: gif },
			{ name: 'c.gif', bytes: gif }
		]);
		expect(first.body.files).toMatchObject([{ ok: true, duplicate: false }]);
		expect(second.body.files).toMatchObject([
			{ ok: true, duplicate: true },
			{ ok: true, duplicate: true }
		]);
		expect(await filesUnder(dir)).toEqual(filesAfterFirst);
		const rows = (await evidenceRows(findingX.id)).filter((row) => row.sha256 === sha256(gif));
		expect(rows).toHaveLength(3);
		const original = rows.find((row) => row.original_name === 'a.gif');
		expect(original?.duplicate_of_id).toBeNull();
		for (const copy of rows.filter((row) => row !== original))
			expect(copy.duplicate_of_id).toBe(original?.id);
	});

	// Issue 8 item 17: the answer spoke of another organisation's files.
	it('tells the uploader of duplicates only within their own organisation', async () => {
		const findingY = await newFinding(
			t,
			orgAdminY.tenantId,
			orgAdminY.organisationId!,
			evaluatorA.userId
		);
		const png = fresh(PNG_BYTES);
		const fromX = await upload(orgUserX, findingX.id, [{ name: 'x.png', bytes: png }]);
		expect(fromX.body.files).toMatchObject([{ ok: true, duplicate: false }]);
		const fromY = await upload(orgAdminY, findingY.id, [{ name: 'y.png', bytes: png }]);
		expect(fromY.body.files).toMatchObject([{ ok: true, duplicate: false }]);
		// Y's own second copy is news to Y.
		const againY = await upload(orgAdminY, findingY.id, [{ name: 'y2.png', bytes: png }]);
		expect(againY.body.files).toMatchObject([{ ok: true, duplicate: true }]);
		// The rows still point to the tenant-wide original, for the reviewer.
		const [original] = (await evidenceRows(findingX.id)).filter(
			(row) => row.sha256 === sha256(png)
		);
		const copies = (await evidenceRows(findingY.id)).filter((row) => row.sha256 === sha256(png));
		expect(copies).toHaveLength(2);
		for (const copy of copies) expect(copy.duplicate_of_id).toBe(original?.id);
		// The evidence list shows the link to the reviewer only.
		const asReviewer = await listFindingEvidence(t.db, evaluatorA, findingY.id);
		expect(asReviewer.map((item) => item.duplicateOfId)).toEqual([original?.id, original?.id]);
		const asOrganisation = await listFindingEvidence(t.db, orgAdminY, findingY.id);
		expect(asOrganisation.map((item) => item.duplicateOfId)).toEqual([null, null]);
	});

	it('one bad file does not cost the good ones', async () => {
		const good = fresh(PNG_BYTES);
		const response = await upload(orgUserX, findingX.id, [
			{ name: 'bad.pdf', bytes: fresh(PNG_BYTES) },
			{ name: 'good.png', bytes: good },
			{ name: 'huge.png', bytes: fresh(PNG_BYTES, LIMIT) }
		]);
		expect(response.status).toBe(200);
		expect(response.body.files.map((file) => [file.name, file.ok])).toEqual([
			['bad.pdf', false],
			['good.png', true],
			['huge.png', false]
		]);
		expect(await storage.has(sha256(good))).toBe(true);
	});

	it('answers in the user’s language', async () => {
		const response = await upload(
			orgUserX,
			findingX.id,
			[{ name: 'x.pdf', bytes: fresh(PNG_BYTES) }],
			{ locale: 'zh-CN' }
		);
		expect(response.body.files[0]?.error).toBe(
			zhCN.evidence_bytes_contradict_name.replace('{detected}', 'PNG').replace('{extension}', 'pdf')
		);
	});

	it('refuses an effective-from date in the future or not a date, storing nothing', async () => {
		await leavesNothing(findingX.id, async () => {
			const future = await upload(
				orgUserX,
				findingX.id,
				[{ name: 'a.pdf', bytes: fresh(PDF_BYTES) }],
				{
					effectiveFrom: '2999-01-01'
				}
			);
			expect(future.status).toBe(400);
			expect(future.body.error).toContain(en.evidence_date_in_future.split('(')[0]);
			expect(future.body.files).toMatchObject([{ name: 'a.pdf', ok: false }]);
			const invalid = await upload(
				orgUserX,
				findingX.id,
				[{ name: 'a.pdf', bytes: fresh(PDF_BYTES) }],
				{
					effectiveFrom: '2026-02-30'
				}
			);
			expect(invalid.status).toBe(400);
			expect(invalid.body.error).toBe(en.evidence_date_invalid);
		});
	});

	it('refuses another organisation’s user and another tenant’s as "not found"', async () => {
		await leavesNothing(findingX.id, async () => {
			for (const actor of [orgAdminY, orgUserB]) {
				const response = await upload(actor, findingX.id, [
					{ name: 'a.pdf', bytes: fresh(PDF_BYTES) }
				]);
				expect(response.status).toBe(404);
				expect(response.body.files).toEqual([]);
			}
		});
		await leavesNothing(findingB.id, async () => {
			const response = await upload(orgUserX, findingB.id, [
				{ name: 'a.pdf', bytes: fresh(PDF_BYTES) }
			]);
			expect(response.status).toBe(404);
		});
	});

	it('refuses CB staff (403): the organisation uploads its evidence', async () => {
		await leavesNothing(findingX.id, async () => {
			const response = await upload(evaluatorA, findingX.id, [
				{ name: 'a.pdf', bytes: fresh(PDF_BYTES) }
			]);
			expect(response.status).toBe(403);
			expect(response.body.error).toBe(en.evidence_upload_organisation_only);
			// Refused before the body is parsed: no name work for a request that will be refused.
			expect(response.body.files).toEqual([]);
		});
	});

	it('refuses while the finding is not open to evidence, or the report is not issued', async () => {
		const submitted = await newFinding(
			t,
			orgUserX.tenantId,
			orgUserX.organisationId!,
			evaluatorA.userId,
			{
				status: 'evidence_submitted'
			}
		);
		const observation = await newFinding(
			t,
			orgUserX.tenantId,
			orgUserX.organisationId!,
			evaluatorA.userId,
			{
				kind: 'observation'
			}
		);
		const unissued = await newFinding(
			t,
			orgUserX.tenantId,
			orgUserX.organisationId!,
			evaluatorA.userId,
			{
				evaluationStatus: 'in_progress'
			}
		);
		for (const [finding, status, message] of [
			[submitted, 403, en.evidence_upload_wrong_status],
			[observation, 403, en.evidence_upload_not_nonconformity],
			[unissued, 404, undefined]
		] as const)
			await leavesNothing(finding.id, async () => {
				const response = await upload(orgUserX, finding.id, [
					{ name: 'a.pdf', bytes: fresh(PDF_BYTES) }
				]);
				expect(response.status).toBe(status);
				if (message) expect(response.body.error).toBe(message);
			});
	});

	// A cross-site post is refused for every POST by hooks.server.ts (tests/http/finding-forms).
	it('refuses a non-multipart body and an obviously oversized one', async () => {
		await leavesNothing(findingX.id, async () => {
			const json = await handleEvidenceUpload({
				request: new Request(`${ORIGIN}/api/evidence/${findingX.id}`, {
					method: 'POST',
					body: '{}',
					headers: { origin: ORIGIN, 'content-type': 'application/json' }
				}),
				app,
				actor: orgUserX,
				findingId: findingX.id,
				locale: 'en',
				storage
			});
			expect(json.status).toBe(415);

			const huge = await handleEvidenceUpload({
				request: new Request(`${ORIGIN}/api/evidence/${findingX.id}`, {
					method: 'POST',
					body: 'x',
					headers: {
						origin: ORIGIN,
						'content-type': 'multipart/form-data; boundary=x',
						'content-length': String(10 * 1024 * 1024 * 1024)
					}
				}),
				app,
				actor: orgUserX,
				findingId: findingX.id,
				locale: 'en',
				storage
			});
			expect(huge.status).toBe(413);

			const signedOut = await handleEvidenceUpload({
				request: multipartRequest(findingX.id, new FormData()),
				app,
				actor: null,
				findingId: findingX.id,
				locale: 'en',
				storage
			});
			expect(signedOut.status).toBe(401);
		});
	});

	it('lets the organisation’s users and CB staff list and download, with a safe header', async () => {
		const pdf = fresh(PDF_BYTES);
		const name = '整改:报告 (final).pdf';
		const response = await upload(orgUserX, findingX.id, [{ name, bytes: pdf }]);
		const evidenceId = response.body.files[0]?.evidenceId;
		expect(evidenceId).toBeDefined();

		for (const actor of [orgUserX, evaluatorA]) {
			const listed = await listFindingEvidence(t.db, actor, findingX.id);
			expect(listed.find((item) => item.id === evidenceId)).toMatchObject({
				originalName: '整改_报告 (final).pdf',
				sizeBytes: pdf.length,
				detectedType: 'application/pdf',
				uploadedBy: orgUserX.userId,
				uploadedByName: orgUserX.name,
				downloadPath: `/api/evidence/file/${evidenceId}`
			});
			const download = await openEvidenceForDownload(t.db, actor, evidenceId!, storage);
			expect(await readAll(download.stream)).toEqual(pdf);
			expect(download.headers).toEqual({
				'content-type': 'application/pdf',
				'content-length': String(pdf.length),
				'content-disposition': contentDisposition('整改_报告 (final).pdf'),
				'x-content-type-options': 'nosniff',
				'content-security-policy': "default-src 'none'; sandbox",
				'cache-control': 'private, no-store'
			});
			expect(download.headers['content-disposition']).toBe(
				`attachment; filename="___ (final).pdf"; filename*=UTF-8''%E6%95%B4%E6%94%B9_%E6%8A%A5%E5%91%8A%20%28final%29.pdf`
			);
		}
	});

	it('hides evidence from another organisation and another tenant: not found', async () => {
		const response = await upload(orgUserX, findingX.id, [
			{ name: 'x.png', bytes: fresh(PNG_BYTES) }
		]);
		const evidenceId = response.body.files[0]!.evidenceId!;
		for (const actor of [orgAdminY, orgUserB]) {
			await expect(openEvidenceForDownload(t.db, actor, evidenceId, storage)).rejects.toMatchObject(
				{
					kind: 'NOT_FOUND'
				}
			);
			await expect(listFindingEvidence(t.db, actor, findingX.id)).rejects.toBeInstanceOf(Refusal);
		}
		for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', '../../etc/passwd'])
			await expect(openEvidenceForDownload(t.db, orgUserX, id, storage)).rejects.toMatchObject({
				kind: 'NOT_FOUND'
			});
	});
});
