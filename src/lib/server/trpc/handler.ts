import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { appRouter } from './router';
import type { TrpcContext } from './context';
import { translate } from '../i18n/translate';

export const TRPC_ENDPOINT = '/api/trpc';

/**
 * CSRF: a mutation must come as JSON (a form cannot send that cross-site without CORS) from
 * this origin, by the Origin header, or by Sec-Fetch-Site where a browser omits Origin.
 */
export function crossSiteMutation(request: Request): boolean {
	if (request.method !== 'POST') return false;
	const contentType = request.headers.get('content-type') ?? '';
	if (!contentType.toLowerCase().startsWith('application/json')) return true;
	const origin = request.headers.get('origin');
	if (origin) return origin !== new URL(request.url).origin;
	const site = request.headers.get('sec-fetch-site');
	return site !== null && site !== 'same-origin';
}

export function handleTrpcRequest(request: Request, context: TrpcContext): Promise<Response> {
	if (crossSiteMutation(request)) {
		const body = JSON.stringify({
			error: { message: translate('error_cross_site', context.locale), code: 'FORBIDDEN' }
		});
		return Promise.resolve(
			new Response(body, { status: 403, headers: { 'content-type': 'application/json' } })
		);
	}
	return fetchRequestHandler({
		endpoint: TRPC_ENDPOINT,
		req: request,
		router: appRouter,
		allowBatching: true,
		createContext: () => context,
		onError: ({ error, path }) => {
			if (error.code === 'INTERNAL_SERVER_ERROR') console.error(`tRPC ${path}:`, error);
		}
	});
}
