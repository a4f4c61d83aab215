import busboy from 'busboy';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import type { App } from '../app';
import type { Actor } from '../actor';
import type { Locale } from '../../../../db/schema';
import { badInput, Refusal } from '../errors';
import { translate } from '../i18n/translate';
import { STATUS_OF_REFUSAL } from '../forms';
import { isIsoDate, todayInZone } from '../domain/calendar';
import {
	checkEvidenceUploadTo,
	recordEvidenceOf,
	type EvidenceSubject
} from '../services/evidence-upload';
import { sanitiseFileName } from './filename';
import { stageFile, UploadInterrupted } from './inspect';
import { SizeLimitExceeded, type EvidenceStorage } from './storage';
import { bodySizeLimitBytes, isBodySizeLimitError } from '../http/body-limit';

/*
 * The evidence upload over HTTP (issue #3 item 5): a multipart request streamed file by file into
 * the store, never held whole in memory. Each file passes the stream inspection of ./inspect.ts
 * (type sniffed from its first bytes, size bounded, hashed while streaming); a refused or
 * interrupted file leaves neither a row nor a file. Each accepted file is recorded by
 * services/evidence-upload.ts in a transaction of its own, so one bad file does not cost the good
 * ones. Same-origin is checked for every POST in hooks.server.ts. Called by
 * evidence/upload-route.ts (the upload routes), and by tests.
 */

export const MAX_FILES_PER_UPLOAD = 10;

/** The form field with the date the evidence is effective from; it must precede the files. */
export const EFFECTIVE_FROM_FIELD = 'effective_from';

/**
 * The form field naming the earlier file an upload replaces (issue 12 item 9); like the date it
 * must precede the file, and a replacement is one file.
 */
export const SUPERSEDES_FIELD = 'supersedes';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
	/** The finding the files are evidence of (ignored when `subject` is given). */
	findingId?: string;
	/** Or any subject: an obligation's due item (POST /api/obligation-evidence/[itemId]). */
	subject?: EvidenceSubject;
	locale: Locale;
	storage: EvidenceStorage;
	/** The clock, for "today" in the tenant's zone. */
	now?: Date;
	/** Told of each recorded file after its transaction commits (the route queues its re-check). */
	afterRecord?: (evidenceId: string) => void;
}

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

/**
 * Receives the multipart request of `POST /api/evidence/[findingId=uuid]`: form field
 * `effective_from` (optional, default today in the tenant's zone; it must come before the
 * files), then up to MAX_FILES_PER_UPLOAD files. Answers with one result per file.
 */
export async function handleEvidenceUpload(
	input: EvidenceUploadInput
): Promise<EvidenceUploadResponse> {
	const { request, app, actor, locale, storage } = input;
	const subject: EvidenceSubject = input.subject ?? { kind: 'finding', id: input.findingId ?? '' };
	const say = (key: string, params: Record<string, string | number> = {}) =>
		translate(key, locale, params);
	const refuse = (status: number, key: string, params: Record<string, string | number> = {}) => ({
		status,
		body: { files: [], error: say(key, params) }
	});

	if (!actor) return refuse(401, 'error_signed_out');
	const contentType = request.headers.get('content-type') ?? '';
	if (!/^multipart\/form-data\s*;/i.test(contentType) || !request.body)
		return refuse(415, 'evidence_not_multipart');
	const maxBytes = app.config.evidenceMaxBytes;
	const limit = formatBytes(maxBytes, locale);
	const declaredLength = Number(request.headers.get('content-length') ?? 0);
	if (declaredLength > MAX_FILES_PER_UPLOAD * (maxBytes + FRAMING_ALLOWANCE))
		return refuse(413, 'evidence_request_too_large', { limit, max: MAX_FILES_PER_UPLOAD });

	// Whether evidence may be added is settled before the body is parsed (a refused request
	// costs no name or byte work: issue 8 item 11), and checked again as each file's row is written.
	try {
		await checkEvidenceUploadTo(app.db, actor, subject);
	} catch (error) {
		if (!(error instanceof Refusal)) throw error;
		return {
			status: STATUS_OF_REFUSAL[error.kind],
			body: { files: [], error: say(error.messageKey, error.params) }
		};
	}
	// Set by the field and file handlers below, which TypeScript's narrowing does not follow.
	let refusal = null as Refusal | null;

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

	const today = todayInZone(input.now ?? new Date(), actor.tenant.timeZone);
	let effectiveFrom: string | null = null;
	let supersedesId: string | null = null;
	let filesSeen = 0;
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
		if (supersedesId && ++filesSeen > 1)
			refusal ??= badInput(SUPERSEDES_FIELD, 'evidence_replace_one_file');
		if (refusal) {
			file.resume();
			return;
		}
		try {
			const inspected = await stageFile(file, result.name, storage, maxBytes);
			const evidenceFile = {
				name: result.name,
				declaredType: (info.mimeType ?? '').slice(0, 200),
				effectiveFrom,
				supersedesId
			};
			const recorded = recording.then(() =>
				recordEvidenceOf(app.db, actor, subject, inspected, evidenceFile).finally(() =>
					inspected.staged.discard()
				)
			);
			recording = recorded.catch(() => {});
			const { id, duplicate } = await recorded;
			input.afterRecord?.(id);
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
		// Named before any file arrives, as the uploader sends it; an id that is none names nothing.
		if (name === SUPERSEDES_FIELD && value.trim() && results.length === 0) {
			if (UUID.test(value.trim())) supersedesId = value.trim().toLowerCase();
			else refusal ??= new Refusal('NOT_FOUND', 'evidence_replace_not_found');
		}
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
	let overBodyLimit = false;
	try {
		await pipeline(Readable.fromWeb(request.body as NodeReadableStream<Uint8Array>), parser);
	} catch (error) {
		interrupted = true;
		overBodyLimit = isBodySizeLimitError(error);
	}
	await Promise.all(pending);

	if (overBodyLimit) {
		// The server stopped reading at its BODY_SIZE_LIMIT: a size refusal, not a broken upload.
		const bodyLimit = bodySizeLimitBytes();
		const error = bodyLimit
			? say('evidence_body_too_large', { limit: formatBytes(bodyLimit, locale) })
			: say('evidence_request_too_large', { limit, max: MAX_FILES_PER_UPLOAD });
		for (const result of results) if (!result.ok) result.error = error;
		return { status: 413, body: { files: results, error } };
	}

	if (refusal) {
		const error = messageOf(refusal);
		for (const result of results) result.error ??= error;
		return { status: STATUS_OF_REFUSAL[refusal.kind], body: { files: results, error } };
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
