/*
 * CSRF, one rule for every request that changes something: form actions, evidence uploads and
 * tRPC mutations. A browser names where a request comes from by `Origin` (sent on every POST by
 * current browsers) or, where it omits that, by `Sec-Fetch-Site`. A request carrying neither did
 * not come from a browser page, so no other site can have made a visitor send it.
 */

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isCrossSite(request: Request, origin = new URL(request.url).origin): boolean {
	if (SAFE_METHODS.has(request.method)) return false;
	const from = request.headers.get('origin');
	if (from !== null) return from !== origin;
	const site = request.headers.get('sec-fetch-site');
	if (site !== null) return site !== 'same-origin' && site !== 'none';
	return false;
}
