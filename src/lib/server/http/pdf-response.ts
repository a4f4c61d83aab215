import type { GeneratedDocument } from '../services/documents';

/*
 * A generated PDF as a download. Never cached: each download is a new document with its own
 * code and hash (and the reader's rights are checked on every request).
 */
export function pdfResponse(document: GeneratedDocument): Response {
	// An ASCII fallback for old clients, the UTF-8 name (Chinese words) for the rest (RFC 6266).
	const ascii = document.filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
	return new Response(new Uint8Array(document.bytes), {
		headers: {
			'content-type': 'application/pdf',
			'content-disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(document.filename)}`,
			'cache-control': 'no-store',
			'x-content-type-options': 'nosniff',
			'x-document-code': document.code
		}
	});
}
