import { createTRPCClient, httpBatchLink } from '@trpc/client';
import superjson from 'superjson';
import type { AppRouter } from '$lib/server/trpc/router';

/** The browser's tRPC client: batched, superjson, same-origin JSON (which the CSRF check wants). */
export const trpc = createTRPCClient<AppRouter>({
	links: [httpBatchLink({ url: '/api/trpc', transformer: superjson })]
});
