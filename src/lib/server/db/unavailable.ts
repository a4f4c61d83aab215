/*
 * Whether an error means the database could not be reached or dropped the connection (a
 * restart, pg_terminate_backend, an exhausted pool, a timeout) rather than a fault in the
 * request: the answer is then 503, "try again", never 500.
 */

/** SQLSTATEs of a lost or refused connection, an operator's shutdown, or a timeout. */
const SQLSTATES = new Set([
	'53300', // too_many_connections
	'57014', // query_canceled (statement_timeout)
	'57P01', // admin_shutdown (pg_terminate_backend, fast shutdown)
	'57P02', // crash_shutdown
	'57P03', // cannot_connect_now (starting up, shutting down)
	'25P03' // idle_in_transaction_session_timeout
]);

const SOCKET_CODES = new Set([
	'ECONNREFUSED',
	'ECONNRESET',
	'EPIPE',
	'ETIMEDOUT',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'ENOTFOUND',
	'EAI_AGAIN'
]);

/** node-postgres' and Kysely's own words for a connection that is gone or never came. */
const MESSAGES = [
	/^Connection terminated/,
	/^timeout exceeded when trying to connect/,
	/is not queryable$/,
	/^Postgres connection has been discarded/,
	/^Cannot use a pool after calling end on the pool/,
	/^the database system is (starting up|shutting down|in recovery mode)/
];

function matches(error: unknown): boolean {
	if (typeof error !== 'object' || error === null) return false;
	const { code, message } = error as { code?: unknown; message?: unknown };
	if (typeof code === 'string' && (SQLSTATES.has(code) || code.startsWith('08'))) return true;
	if (typeof code === 'string' && SOCKET_CODES.has(code)) return true;
	return typeof message === 'string' && MESSAGES.some((pattern) => pattern.test(message));
}

export function isDatabaseUnavailable(error: unknown): boolean {
	// tRPC and Kysely wrap the driver's error; AggregateError holds one per address tried.
	for (let current = error, depth = 0; current && depth < 6; depth++) {
		if (matches(current)) return true;
		if (current instanceof AggregateError && current.errors.some(matches)) return true;
		current = (current as { cause?: unknown }).cause;
	}
	return false;
}
