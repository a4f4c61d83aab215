import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { appRouter } from './router';
import type { TrpcContext } from './context';
import { translate } from '../i18n/translate';
import { isCrossSite } from '../http/same-origin';

export const TRPC_ENDPOINT = '/api/trpc';

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
