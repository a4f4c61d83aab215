import type { RequestHandler } from './$types';
import { runtimeApp } from '$lib/server/runtime';
import { handleTrpcRequest } from '$lib/server/trpc/handler';

const handle: RequestHandler = async ({ request, locals }) =>
	handleTrpcRequest(request, {
		app: await runtimeApp(),
		person: locals.person,
		actor: locals.actor,
		locale: locals.locale
	});

export const GET = handle;
export const POST = handle;
