// Defaults the built server needs however it is started: `npm start` (scripts/start.js) imports
// this before the server, and `npm run build` makes build/index.js import a copy of it first
// (scripts/build-entry.js), so `node build/index.js` (a container's way) gets the same limits.
// Set values always win.

// A stop is bounded (SHUTDOWN_BOUND_MS, default 10 s; src/lib/server/runtime.ts): requests in
// flight get half of it (adapter-node's SHUTDOWN_TIMEOUT, in seconds), closing the rest.
process.env.SHUTDOWN_BOUND_MS ??= '10000';
process.env.SHUTDOWN_TIMEOUT ??= String(
	Math.max(1, Math.floor(Number(process.env.SHUTDOWN_BOUND_MS) / 2000))
);
// Evidence uploads stream through their own per-file limit (EVIDENCE_MAX_MB); let a request carry
// up to ten files and their framing (src/lib/server/evidence/upload.ts). adapter-node's own
// default, 512K, would refuse a 1 MiB file.
process.env.BODY_SIZE_LIMIT ??= String(
	10 * (Number(process.env.EVIDENCE_MAX_MB ?? 25) + 1) * 1024 * 1024
);
