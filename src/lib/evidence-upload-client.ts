import type { EvidenceFileResult } from '$lib/server/evidence/upload';

/*
 * The browser's side of the evidence upload: one multipart POST to /api/evidence/[findingId]
 * through XMLHttpRequest (fetch reports no upload progress), with progress, cancelling and the
 * server's per-file answer. The uploader component only shows what this reports.
 */

export type { EvidenceFileResult };

export type UploadOutcome =
	/** The server answered with one result per file (and perhaps a message for the whole). */
	| { kind: 'answered'; files: EvidenceFileResult[]; error: string | null }
	/** The server answered with something that is no upload answer. */
	| { kind: 'server_error'; status: number }
	| { kind: 'network_error' }
	| { kind: 'cancelled' };

export interface UploadEvents {
	/** Bytes sent so far of the request's total. */
	progress?: (loaded: number, total: number) => void;
	/** Every byte is sent; the server is checking and storing the files. */
	sent?: () => void;
}

export interface EvidenceUpload {
	/** Settles once, whatever happens: never rejects. */
	outcome: Promise<UploadOutcome>;
	cancel(): void;
}

export function evidenceUploadPath(findingId: string): string {
	return `/api/evidence/${encodeURIComponent(findingId)}`;
}

/** The upload path of an obligation's due item: the same pipeline and checks as a finding's. */
export function dueItemEvidenceUploadPath(itemId: string): string {
	return `/api/obligation-evidence/${encodeURIComponent(itemId)}`;
}

/** Sends `files` as evidence of the finding, effective from `effectiveFrom` ('YYYY-MM-DD'). */
export function uploadEvidence(
	findingId: string,
	effectiveFrom: string,
	files: readonly File[],
	events: UploadEvents = {}
): EvidenceUpload {
	return uploadEvidenceTo(evidenceUploadPath(findingId), effectiveFrom, files, events);
}

/**
 * Sends `files` to an evidence upload path (a finding's or a due item's); with `supersedes`, one
 * file as the next version of that earlier file (issue 12 item 9).
 */
export function uploadEvidenceTo(
	path: string,
	effectiveFrom: string,
	files: readonly File[],
	events: UploadEvents = {},
	supersedes: string | null = null
): EvidenceUpload {
	const form = new FormData();
	// The date (and the file replaced) first: the server settles them before the first file arrives.
	form.append('effective_from', effectiveFrom);
	if (supersedes) form.append('supersedes', supersedes);
	for (const file of files) form.append('files', file, file.name);

	const xhr = new XMLHttpRequest();
	const outcome = new Promise<UploadOutcome>((resolve) => {
		xhr.upload.onprogress = (progress) => {
			if (progress.lengthComputable) events.progress?.(progress.loaded, progress.total);
		};
		xhr.upload.onload = () => events.sent?.();
		xhr.onload = () => {
			const body = xhr.response as { files?: EvidenceFileResult[]; error?: string } | null;
			resolve(
				body && Array.isArray(body.files)
					? { kind: 'answered', files: body.files, error: body.error ?? null }
					: { kind: 'server_error', status: xhr.status }
			);
		};
		xhr.onerror = () => resolve({ kind: 'network_error' });
		xhr.onabort = () => resolve({ kind: 'cancelled' });
	});
	xhr.open('POST', path);
	xhr.responseType = 'json';
	xhr.setRequestHeader('accept', 'application/json');
	xhr.send(form);
	return { outcome, cancel: () => xhr.abort() };
}
