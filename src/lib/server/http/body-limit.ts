/*
 * adapter-node refuses a request body larger than BODY_SIZE_LIMIT by failing the body's stream
 * part-way (SvelteKit's getRequest), which a streaming reader would otherwise take for a broken
 * connection. These let the evidence upload tell the two apart and name the limit (issue 9
 * item 5). The built server's default is set in scripts/server-defaults.js.
 */

const MULTIPLIERS: Record<string, number> = { K: 1024, M: 1024 * 1024, G: 1024 * 1024 * 1024 };

/** BODY_SIZE_LIMIT as adapter-node reads it (bytes, or with a K/M/G suffix); null when unset. */
export function bodySizeLimitBytes(env: NodeJS.ProcessEnv = process.env): number | null {
	const value = env.BODY_SIZE_LIMIT?.trim();
	if (!value) return null;
	const multiplier = MULTIPLIERS[value.at(-1)?.toUpperCase() ?? ''] ?? 1;
	const bytes = Number(multiplier === 1 ? value : value.slice(0, -1)) * multiplier;
	return Number.isFinite(bytes) && bytes > 0 ? bytes : null;
}

/** Whether `error` (or what it wraps) is the server's refusal of a body over its size limit. */
export function isBodySizeLimitError(error: unknown): boolean {
	for (let current = error, depth = 0; current && depth < 5; depth++) {
		if (typeof current !== 'object') return false;
		if ((current as { status?: unknown }).status === 413) return true;
		current = (current as { cause?: unknown }).cause;
	}
	return false;
}
