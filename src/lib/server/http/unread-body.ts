/*
 * A request answered without reading its body (a refused form action, a cross-site refusal, a
 * 404 for a bad id) must not leave its connection stuck. SvelteKit's adapter-node starts reading
 * the body as soon as the request is made and pauses the socket after the first chunk, so Node's
 * own clean-up (dumping a body nobody touched) never runs: the connection is still offered for
 * keep-alive, the client's next request on it is never read, and when the keep-alive timer fires
 * Node destroys the socket with that request unread — the client sees ECONNRESET (or EPIPE) for
 * a request the server never looked at (the fuzz test's rare "no answer", issue 8).
 *
 * So before the answer goes out, an unread body is read to its end and dropped when it is small;
 * a larger one (or one of unknown length that turns out larger) is left, and the answer says
 * `Connection: close`, so the client opens a new connection for its next request.
 */

/** Bodies up to this size are read and dropped; past it the connection is closed instead. */
export const DRAIN_LIMIT_BYTES = 1024 * 1024;

function withConnectionClose(response: Response): Response {
	try {
		response.headers.set('connection', 'close');
		return response;
	} catch {
		// Immutable headers (a fetched response): copy them.
		const headers = new Headers(response.headers);
		headers.set('connection', 'close');
		return new Response(response.body, {
			status: response.status,
			statusText: response.statusText,
			headers
		});
	}
}

/** `response`, once `request`'s unread body is drained, or marked to close the connection. */
export async function settleUnreadBody(request: Request, response: Response): Promise<Response> {
	const body = request.body;
	// No body, or its reader owns it (it read it, or cancelled it and so closed the connection).
	if (!body || request.bodyUsed || body.locked) return response;
	const declared = Number(request.headers.get('content-length') ?? NaN);
	if (Number.isFinite(declared) && declared > DRAIN_LIMIT_BYTES)
		return withConnectionClose(response);
	const reader = body.getReader();
	let size = 0;
	try {
		for (;;) {
			const { done, value } = await reader.read();
			if (done) return response;
			size += value.byteLength;
			if (size > DRAIN_LIMIT_BYTES) break;
		}
	} catch {
		// The body failed (the client went away, or it passed BODY_SIZE_LIMIT): close.
	}
	reader.releaseLock();
	return withConnectionClose(response);
}
