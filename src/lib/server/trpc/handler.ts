import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { appRouter } from './router';
import type { TrpcContext } from './context';
import { translate } from '../i18n/translate';
import { isCrossSite } from '../http/same-origin';

export const TRPC_ENDPOINT = '/api/trpc';

/** Most calls one batched request may carry (issue 8 item 12: 200 calls took up to 22 s). */
export const MAX_BATCH_SIZE = 20;

/** Largest request body: every procedure's input is a few kilobytes at most, even batched. */
export const MAX_BODY_BYTES = 1024 * 1024;

function errorResponse(status: number, code: string, message: string): Response {
	return new Response(JSON.stringify({ error: { message, code } }), {
		status,
		headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }
	});
}

/** How many calls the request bundles (`/api/trpc/a,b,c?batch=1`). */
export function batchSize(request: Request): number {
	const url = new URL(request.url);
	if (url.searchParams.get('batch') !== '1') return 1;
	const paths = url.pathname.slice(TRPC_ENDPOINT.length + 1);
	let decoded: string;
	try {
		decoded = decodeURIComponent(paths);
	} catch {
		decoded = paths;
	}
	return decoded.split(',').length;
}

/**
 * The body, read up to `limit` bytes; null once it goes past. The rest is never read: the answer
 * closes the connection (a cancel would destroy the socket before the 413 is written).
 */
async function readBounded(
	request: Request,
	limit: number
): Promise<Uint8Array<ArrayBuffer> | null> {
	if (!request.body) return new Uint8Array();
	const reader = request.body.getReader();
	const chunks: Uint8Array[] = [];
	let size = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		size += value.byteLength;
		if (size > limit) {
			reader.releaseLock();
			return null;
		}
		chunks.push(value);
	}
	const body = new Uint8Array(size);
	let at = 0;
	for (const chunk of chunks) {
		body.set(chunk, at);
		at += chunk.byteLength;
	}
	return body;
}

/**
 * CSRF: a mutation must come as JSON (a form cannot send that cross-site without CORS), and from
 * this origin by the one rule every changing request follows (http/same-origin.ts).
 */
export function crossSiteMutation(request: Request): boolean {
	if (request.method !== 'POST') return false;
	const contentType = request.headers.get('content-type') ?? '';
	if (!contentType.toLowerCase().startsWith('application/json')) return true;
	return isCrossSite(request);
}

export async function handleTrpcRequest(request: Request, context: TrpcContext): Promise<Response> {
	const say = (key: string, params: Record<string, string | number> = {}) =>
		translate(key, context.locale, params);
	if (crossSiteMutation(request)) return errorResponse(403, 'FORBIDDEN', say('error_cross_site'));
	// Both limits are settled before any procedure runs or any input is parsed.
	const calls = batchSize(request);
	if (calls > MAX_BATCH_SIZE)
		return errorResponse(
			400,
			'BAD_REQUEST',
			say('security_batch_too_large', { count: calls, max: MAX_BATCH_SIZE })
		);
	const tooLarge = () => {
		const response = errorResponse(
			413,
			'PAYLOAD_TOO_LARGE',
			say('security_request_too_large', { limit: '1 MB' })
		);
		// The unread rest of the body would stall this connection (http/unread-body.ts).
		response.headers.set('connection', 'close');
		return response;
	};
	let req = request;
	if (request.method === 'POST') {
		if (Number(request.headers.get('content-length') ?? 0) > MAX_BODY_BYTES) return tooLarge();
		// A chunked body declares no length: it is counted as it comes.
		const body = await readBounded(request, MAX_BODY_BYTES);
		if (!body) return tooLarge();
		req = new Request(request.url, { method: 'POST', headers: request.headers, body });
	}
	return fetchRequestHandler({
		endpoint: TRPC_ENDPOINT,
		req,
		maxBatchSize: MAX_BATCH_SIZE,
		router: appRouter,
		allowBatching: true,
		createContext: () => context,
		onError: ({ error, path }) => {
			if (error.code === 'INTERNAL_SERVER_ERROR') console.error(`tRPC ${path}:`, error);
		}
	});
}
