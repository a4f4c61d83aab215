import { Readable } from 'node:stream';
import { fail, type RequestEvent } from '@sveltejs/kit';
import type { App } from '../app';
import { createAddressLimiter, type AddressLimiter } from '../auth/rate-limit';
import { COMPLAINT_POLICY } from '../domain/login-throttle';
import { translate } from '../i18n/translate';
import { parseFormData, readForm, refusalFailure } from '../forms';
import { evidenceStorage } from '../evidence/storage';
import { formatBytes } from '../evidence/upload';
import { runtimeApp } from '../runtime';
import {
	COMPLAINT_FILES_FIELD,
	fileComplaint,
	MAX_COMPLAINT_FILE_BYTES,
	MAX_COMPLAINT_FILES,
	type ComplaintUpload
} from '../services/complaints';
import { fileComplaintInput } from '../services/complaints.schema';
import { clientAddress } from './public-limit';

/*
 * The public complaint form's action (issue 13 item 4), shared by a body's page and a
 * certificate's page. Every post counts against its address (5 an hour, COMPLAINT_POLICY), the
 * honeypot's included, before anything is stored: a clear 429 past the limit, with what was typed
 * sent back. No third-party service: the counts live where sign-in's do (Redis, else here).
 * The form is multipart: its optional files are read from the same form data and handed to the
 * service only after the limit let the post through.
 */

/** The form's name in the page's answer (the page has other forms). */
export const COMPLAINT_FORM = 'complaint';

/** The largest body the form reads: its files at their limit and a MiB for the text and framing. */
export const MAX_COMPLAINT_REQUEST_BYTES =
	MAX_COMPLAINT_FILES * MAX_COMPLAINT_FILE_BYTES + 1024 * 1024;

/**
 * The posted form, its body read to at most `limit` bytes whatever it declares (a chunked body
 * declares nothing): 'too-large' as soon as it goes past, the rest never read. Not cancelled:
 * a cancel destroys the socket before the 413 is written (the answer closes the connection
 * instead, as the tRPC handler's does). Null when the body is no form.
 */
export async function readBoundedForm(
	request: Request,
	limit: number
): Promise<FormData | null | 'too-large'> {
	if (!request.body) return readForm(request);
	const reader = request.body.getReader();
	const chunks: Uint8Array[] = [];
	let size = 0;
	for (;;) {
		let next: ReadableStreamReadResult<Uint8Array>;
		try {
			next = await reader.read();
		} catch {
			// The client went away, or the body passed the server's own limit: no form.
			reader.releaseLock();
			return null;
		}
		if (next.done) break;
		size += next.value.byteLength;
		if (size > limit) {
			reader.releaseLock();
			return 'too-large';
		}
		chunks.push(next.value);
	}
	return readForm(
		new Request(request.url, {
			method: request.method,
			headers: request.headers,
			body: Buffer.concat(chunks)
		})
	);
}

const limiters = new WeakMap<App, AddressLimiter>();

function limiterOf(app: App): AddressLimiter {
	let limiter = limiters.get(app);
	if (!limiter) {
		limiter = createAddressLimiter({
			redis: app.redis,
			prefix: app.config.redisPrefix,
			name: 'complaint',
			policy: COMPLAINT_POLICY
		});
		limiters.set(app, limiter);
	}
	return limiter;
}

/**
 * Files the posted complaint at the body of `event.params.slug`; `certificateNumber`, when the
 * page is a certificate's, is the one complained about whatever the form posts.
 */
export async function complaintAction(
	event: RequestEvent<{ slug: string }>,
	certificateNumber?: string
) {
	const app = await runtimeApp();
	const locale = event.locals.locale;
	const form = COMPLAINT_FORM;
	const tooLarge = async () => {
		await limiterOf(app).hit(clientAddress(event));
		return fail(413, {
			form,
			values: {},
			errors: {
				files: translate('complaints_error_files_request_too_large', locale, {
					max: MAX_COMPLAINT_FILES,
					limit: formatBytes(MAX_COMPLAINT_FILE_BYTES, locale)
				})
			},
			stale: false
		});
	};
	// The server's body limit is sized for evidence uploads (ten files); this public form is read
	// into memory, so a declared body past what three files can need is refused unread, and any
	// other is read no further than that.
	const declared = Number(event.request.headers.get('content-length') ?? 0);
	if (declared > MAX_COMPLAINT_REQUEST_BYTES) return tooLarge();
	const data = await readBoundedForm(event.request, MAX_COMPLAINT_REQUEST_BYTES);
	if (data === 'too-large') {
		// The unread rest would stall this keep-alive connection (http/unread-body.ts).
		event.setHeaders({ connection: 'close' });
		return tooLarge();
	}
	const parsed = parseFormData(data, fileComplaintInput, locale, {
		form,
		extra: certificateNumber === undefined ? undefined : { certificateNumber }
	});
	const verdict = await limiterOf(app).hit(clientAddress(event));
	if (verdict.kind === 'refuse') {
		event.setHeaders({ 'retry-after': String(verdict.retryAfterSeconds) });
		return fail(429, {
			form,
			values: parsed.ok ? parsed.values : parsed.failure.data.values,
			errors: {
				_: translate('complaints_rate_limited', locale, {
					minutes: Math.max(1, Math.ceil(verdict.retryAfterSeconds / 60))
				})
			},
			stale: false
		});
	}
	if (!parsed.ok) return parsed.failure;
	try {
		const result = await fileComplaint(
			app.db,
			event.params.slug,
			parsed.data,
			locale,
			{},
			{ storage: evidenceStorage(app.config), files: uploadsOf(data) }
		);
		// A bot that filled the hidden field is thanked like a person; it gets no reference.
		return {
			form,
			filed: true as const,
			reference: result.kind === 'filed' ? result.reference : null
		};
	} catch (cause) {
		return refusalFailure(cause, locale, parsed.values, { form });
	}
}

/** The form's chosen files; an empty file input posts one nameless empty part, which is none. */
function uploadsOf(data: FormData | null): ComplaintUpload[] {
	if (!data) return [];
	return data
		.getAll(COMPLAINT_FILES_FIELD)
		.filter((value): value is File => typeof value !== 'string')
		.filter((file) => !(file.name === '' && file.size === 0))
		.map((file) => ({
			name: file.name,
			content: Readable.fromWeb(file.stream() as import('node:stream/web').ReadableStream)
		}));
}
