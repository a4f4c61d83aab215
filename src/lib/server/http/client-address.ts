import type { RequestEvent } from '@sveltejs/kit';

/**
 * The client's address for the sign-in limits. adapter-node reads a proxy's header only when
 * ADDRESS_HEADER (and XFF_DEPTH) say so, and throws when that header is missing: such requests
 * share one count rather than fail.
 */
export function clientAddress(event: Pick<RequestEvent, 'getClientAddress'>): string {
	try {
		return event.getClientAddress();
	} catch {
		return 'unknown';
	}
}
