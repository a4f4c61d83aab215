import { isCrossSite } from '../http/same-origin';
import busboy from 'busboy';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import type { App } from '../app';
import { scopeOf, type Actor } from '../actor';
import type { Locale } from '../../../../db/schema';
import { badInput, Refusal } from '../errors';
import { translate } from '../i18n/translate';
import { isIsoDate, todayInZone } from '../domain/calendar';
import { recordAudit } from '../repositories/audit';
import { findingOpenToEvidence } from '../services/evidence';
import { sanitiseFileName } from './filename';
import {
	checkEvidence,
	extensionOf,
	isTextType,
	SNIFF_BYTES,
	utf8TextValidator,
	type EvidenceCheck,
	type EvidenceType
} from './sniff';
import { SizeLimitExceeded, type EvidenceStorage, type StagedContent } from './storage';

/*
 * The evidence upload (issue #3 item 5): a multipart request streamed file by file into the
 * store, never held whole in memory. Each file is sniffed once its first bytes arrive and
 * refused there if its type is not allowed or contradicts its name; it is refused the moment it
 * passes the size limit; a refused or interrupted file leaves neither a row nor a file. Each
 * accepted file gets its row and audit entry in a transaction of its own, so one bad file does
 * not cost the good ones. Called by src/routes/api/evidence/[findingId]/+server.ts, and by tests.
 */

export const MAX_FILES_PER_UPLOAD = 10;

/** The form field with the date the evidence is effective from; it must precede the files. */
export const EFFECTIVE_FROM_FIELD = 'effective_from';

/** Room for the multipart framing and fields around the files' bytes. */
const FRAMING_ALLOWANCE = 1024 * 1024;

export interface EvidenceFileResult {
	/** The file's name as stored (sanitised). */
	name: string;
	ok: boolean;
	/** Why it was refused, in the user's language. */
	error?: string;
	evidenceId?: string;
	size?: number;
	detectedType?: string;
	/** The same content is already evidence in this body (the new row points to it). */
	duplicate?: boolean;
}

export interface EvidenceUploadResponse {
	status: number;
	body: { files: EvidenceFileResult[]; error?: string };
}

export interface EvidenceUploadInput {
	request: Request;
	app: Pick<App, 'db' | 'config'>;
	actor: Actor | null;
	findingId: string;
	locale: Locale;
	storage: EvidenceStorage;
	/** The clock, for "today" in the tenant's zone. */
	now?: Date;
}

/**
 * A cross-site page cannot post here on a user's behalf: the browser's Origin (or, where it
 * leaves that out, Sec-Fetch-Site) must say this very site. This endpoint is not tRPC and
 * takes multipart, which any form can send, so it checks itself.
 */

export function formatBytes(bytes: number, locale: Locale): string {
	const units = ['B', 'KB', 'MB', 'GB'];
	let value = bytes;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}
	const digits = unit === 0 || value >= 100 ? 0 : 1;
	const number = new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value);
	return `${number} ${units[unit]}`;
}

const TYPE_NAMES: Record<EvidenceType | 'ooxml', string> = {
	'application/pdf': 'PDF',
	'image/png': 'PNG',
	'image/jpeg': 'JPEG',
	'image/gif': 'GIF',
	'image/webp': 'WebP',
	'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'Word (DOCX)',
	'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'Excel (XLSX)',
	'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'PowerPoint (PPTX)',
	'application/zip': 'ZIP',
	'text/plain': 'TXT',
	'text/csv': 'CSV',
	ooxml: 'Office Open XML'
};

function refusalOf(check: Exclude<EvidenceCheck, { ok: true }>, name: string): Refusal {
	switch (check.reason) {
		case 'empty':
			return badInput('file', 'evidence_empty');
		case 'type_not_allowed':
			return badInput('file', 'evidence_type_not_allowed');
		case 'bytes_contradict_name':
			return badInput('file', 'evidence_bytes_contradict_name', {
				detected: TYPE_NAMES[check.detected],
				extension: extensionOf(name)
			});
	}
}

/**
 * Passes a file through once its first SNIFF_BYTES (or the whole of a smaller file) show an
 * allowed type that agrees with its name; fails the stream with a Refusal otherwise, before
 * more is read. Text must stay UTF-8 to its last byte.
 */
class EvidenceInspector extends Transform {
	type: EvidenceType | null = null;
	#head: Buffer[] = [];
	#headLength = 0;
	#text: ReturnType<typeof utf8TextValidator> | null = null;

	constructor(private readonly name: string) {
		super();
	}

	override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
		if (this.type) {
			if (this.#text && !this.#text.push(chunk))
				return done(badInput('file', 'evidence_text_invalid'));
			return done(null, chunk);
		}
		this.#head.push(chunk);
		this.#headLength += chunk.length;
		if (this.#headLength < SNIFF_BYTES) return done();
		this.#decide(false, done);
	}

	override _flush(done: TransformCallback) {
		if (!this.type) return this.#decide(true, done);
		if (this.#text && !this.#text.end()) return done(badInput('file', 'evidence_text_invalid'));
		done();
	}

	#decide(complete: boolean, done: TransformCallback) {
		const head = Buffer.concat(this.#head);
		this.#head = [];
		// The verdict rests on the same bytes however the chunks fell; the text check below
		// covers what lies beyond them.
		const sniffed = head.subarray(0, SNIFF_BYTES);
		const check = checkEvidence(sniffed, complete && sniffed.length === head.length, this.name);
		if (!check.ok) return done(refusalOf(check, this.name));
		this.type = check.type;
		if (isTextType(check.type)) {
			this.#text = utf8TextValidator();
			if (!this.#text.push(head) || (complete && !this.#text.end()))
				return done(badInput('file', 'evidence_text_invalid'));
		}
		done(null, head);
	}
}

/** A file streamed into staging: its bytes are known good, its row not yet written. */
interface Inspected {
	staged: StagedContent;
	detectedType: EvidenceType;
}

/**
 * Streams one file of the form through the inspector into staging. On any failure the file
 * is drained rather than destroyed — the rest of the form is behind it — and the error says
 * whether the request itself broke.
 */
async function stageFile(
	file: Readable,
	name: string,
	storage: EvidenceStorage,
	maxBytes: number
): Promise<Inspected> {
	const inspector = new EvidenceInspector(name);
	// The inspector may refuse a small file before the store has attached its pipeline; the
	// pipeline still sees that error (the stream keeps it), so it must not go unhandled here.
	inspector.on('error', () => {});
	let broken = false;
	file.on('error', (error) => {
		broken = true;
		inspector.destroy(error);
	});
	file.pipe(inspector);
	try {
		const staged = await storage.stage(inspector, { maxBytes });
		if (inspector.type) return { staged, detectedType: inspector.type };
		await staged.discard();
		throw new Error('a file passed inspection without a type');
	} catch (error) {
		file.unpipe(inspector);
		inspector.destroy();
		file.resume();
		throw broken ? new UploadInterrupted(error) : error;
	}
}

class UploadInterrupted extends Error {
	constructor(cause: unknown) {
		super('the upload was interrupted', { cause });
	}
}

interface EvidenceFile {
	name: string;
	declaredType: string;
	effectiveFrom: string;
}

/**
 * The row and audit entry of one staged file, in one tenant transaction that re-checks, under
 * a lock on the finding, that evidence may still be added. The content is moved into the store
 * last: a failure before it rolls the row back and leaves nothing stored.
 */
async function recordEvidence(
	app: EvidenceUploadInput['app'],
	actor: Actor,
	findingId: string,
	{ staged, detectedType }: Inspected,
	file: EvidenceFile
) {
	return app.db.inTenant(scopeOf(actor), async (tx) => {
		const finding = await findingOpenToEvidence(tx, actor, findingId);
		const original = await tx
			.selectFrom('evidence')
			.select('id')
			.where('sha256', '=', staged.sha256)
			.where('duplicate_of_id', 'is', null)
			.orderBy('uploaded_at')
			.orderBy('id')
			.limit(1)
			.executeTakeFirst();
		const duplicateOfId = original?.id ?? null;
		const row = await tx
			.insertInto('evidence')
			.values({
				tenant_id: actor.tenantId,
				finding_id: finding.id,
				sha256: staged.sha256,
				size_bytes: staged.size,
				declared_type: file.declaredType,
				detected_type: detectedType,
				original_name: file.name,
				uploaded_by: actor.userId,
				effective_from: file.effectiveFrom,
				integrity_status: 'verified',
				duplicate_of_id: duplicateOfId
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await recordAudit(tx, {
			tenantId: actor.tenantId,
			actorUserId: actor.userId,
			action: 'evidence.upload',
			entityType: 'finding',
			entityId: finding.id,
			after: {
				evidence_id: row.id,
				original_name: file.name,
				size_bytes: staged.size,
				sha256: staged.sha256,
				detected_type: detectedType,
				effective_from: file.effectiveFrom,
				duplicate_of_id: duplicateOfId
			}
		});
		await staged.keep();
		return { id: row.id, duplicate: duplicateOfId !== null };
	});
}

const HTTP_STATUS: Record<Refusal['kind'], number> = {
	BAD_REQUEST: 400,
	UNAUTHORIZED: 401,
	FORBIDDEN: 403,
	NOT_FOUND: 404,
	CONFLICT: 409
};

/**
 * Receives the multipart request of `POST /api/evidence/[findingId]`: form field
 * `effective_from` (optional, default today in the tenant's zone; it must come before the
 * files), then up to MAX_FILES_PER_UPLOAD files. Answers with one result per file.
 */
export async function handleEvidenceUpload(
	input: EvidenceUploadInput
): Promise<EvidenceUploadResponse> {
	const { request, app, actor, findingId, locale, storage } = input;
	const say = (key: string, params: Record<string, string | number> = {}) =>
		translate(key, locale, params);
	const refuse = (status: number, key: string, params: Record<string, string | number> = {}) => ({
		status,
		body: { files: [], error: say(key, params) }
	});

	if (isCrossSite(request)) return refuse(403, 'error_cross_site');
	if (!actor) return refuse(401, 'error_signed_out');
	const contentType = request.headers.get('content-type') ?? '';
	if (!/^multipart\/form-data\s*;/i.test(contentType) || !request.body)
		return refuse(415, 'evidence_not_multipart');
	const maxBytes = app.config.evidenceMaxBytes;
	const limit = formatBytes(maxBytes, locale);
	const declaredLength = Number(request.headers.get('content-length') ?? 0);
	if (declaredLength > MAX_FILES_PER_UPLOAD * (maxBytes + FRAMING_ALLOWANCE))
		return refuse(413, 'evidence_request_too_large', { limit, max: MAX_FILES_PER_UPLOAD });

	let parser: busboy.Busboy;
	try {
		parser = busboy({
			headers: { 'content-type': contentType },
			// Browsers send file names as UTF-8; busboy would read them as Latin-1.
			defParamCharset: 'utf8',
			limits: { files: MAX_FILES_PER_UPLOAD, fields: 10, fieldSize: 1024 }
		});
	} catch {
		return refuse(415, 'evidence_not_multipart');
	}

	// Whether evidence may be added is settled before a byte is stored, and checked again as
	// each file's row is written. A refused request is still read to its end, to name its files.
	let refusal: Refusal | null = null;
	try {
		await app.db.inTenant(scopeOf(actor), (tx) => findingOpenToEvidence(tx, actor, findingId));
	} catch (error) {
		if (!(error instanceof Refusal)) throw error;
		refusal = error;
	}

	const today = todayInZone(input.now ?? new Date(), actor.tenant.timeZone);
	let effectiveFrom: string | null = null;
	const settleEffectiveFrom = (value: string) => {
		if (!isIsoDate(value)) refusal ??= badInput('effective_from', 'evidence_date_invalid');
		else if (value > today)
			refusal ??= badInput('effective_from', 'evidence_date_in_future', { today });
		return value;
	};

	const messageOf = (error: unknown): string => {
		if (error instanceof Refusal) return say(error.messageKey, error.params);
		if (error instanceof SizeLimitExceeded) return say('evidence_too_large', { limit });
		if (error instanceof UploadInterrupted) return say('evidence_interrupted');
		console.error('Evidence upload failed:', error);
		return say('evidence_store_failed');
	};

	const results: EvidenceFileResult[] = [];
	const pending: Promise<void>[] = [];
	// Rows are written one file at a time, in the order the files came, so that a second copy
	// of some content in the same request finds the first as its original.
	let recording: Promise<unknown> = Promise.resolve();
	let tooManyFiles = false;

	const receive = async (file: Readable, info: busboy.FileInfo, result: EvidenceFileResult) => {
		effectiveFrom ??= settleEffectiveFrom(today);
		if (refusal) {
			file.resume();
			return;
		}
		try {
			const inspected = await stageFile(file, result.name, storage, maxBytes);
			const evidenceFile = {
				name: result.name,
				declaredType: (info.mimeType ?? '').slice(0, 200),
				effectiveFrom
			};
			const recorded = recording.then(() =>
				recordEvidence(app, actor, findingId, inspected, evidenceFile).finally(() =>
					inspected.staged.discard()
				)
			);
			recording = recorded.catch(() => {});
			const { id, duplicate } = await recorded;
			Object.assign(result, {
				ok: true,
				evidenceId: id,
				size: inspected.staged.size,
				detectedType: inspected.detectedType,
				duplicate
			});
		} catch (error) {
			result.error = messageOf(error);
		}
	};

	parser.on('field', (name, value) => {
		// A date after the files comes too late for them: the form puts it first.
		if (name === EFFECTIVE_FROM_FIELD && effectiveFrom === null)
			effectiveFrom = settleEffectiveFrom(value.trim() || today);
	});
	parser.on('file', (_field, file, info) => {
		// A broken request fails the file stream too; receive() reports it, but a file that is
		// only being drained has no one else listening.
		file.on('error', () => {});
		const result: EvidenceFileResult = { name: sanitiseFileName(info.filename ?? ''), ok: false };
		results.push(result);
		pending.push(receive(file, info, result));
	});
	parser.on('filesLimit', () => {
		tooManyFiles = true;
	});

	let interrupted = false;
	try {
		await pipeline(Readable.fromWeb(request.body as NodeReadableStream<Uint8Array>), parser);
	} catch {
		interrupted = true;
	}
	await Promise.all(pending);

	if (refusal) {
		const error = messageOf(refusal);
		for (const result of results) result.error ??= error;
		return { status: HTTP_STATUS[refusal.kind], body: { files: results, error } };
	}
	for (const result of results)
		if (!result.ok && !result.error) result.error = say('evidence_interrupted');
	if (interrupted)
		return { status: 400, body: { files: results, error: say('evidence_interrupted') } };
	if (results.length === 0) return refuse(400, 'evidence_no_files');
	if (tooManyFiles)
		return {
			status: 200,
			body: { files: results, error: say('evidence_too_many_files', { max: MAX_FILES_PER_UPLOAD }) }
		};
	return { status: 200, body: { files: results } };
}
