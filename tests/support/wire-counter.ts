import { createConnection, createServer, type Server, type Socket } from 'node:net';

/*
 * A TCP proxy in front of PostgreSQL that counts what clients send, by the wire protocol: round
 * trips (a client's send after the server has answered, however many messages it carries) and
 * messages by type (P parse, B bind, E execute, S sync, Q simple query). Connections are told
 * apart by the application_name of their startup packet, so the app's pool ('certtrack') is
 * counted without its health check ('certtrack-health') or anyone else.
 */

export interface WireCounts {
	roundTrips: number;
	parses: number;
	binds: number;
	syncs: number;
	queries: number;
	/** Bytes the clients sent. */
	bytes: number;
}

const empty = (): WireCounts => ({
	roundTrips: 0,
	parses: 0,
	binds: 0,
	syncs: 0,
	queries: 0,
	bytes: 0
});

export interface WireCounter {
	/** A URL like `upstream` but through the proxy. */
	url(upstream: string): string;
	/** What connections with this application_name sent since the last reset. */
	counts(applicationName?: string): WireCounts;
	reset(): void;
	close(): Promise<void>;
}

interface Tap {
	application: string | null;
	/** Who spoke last: a client send after the server's answer is a new round trip. */
	clientTurn: boolean;
	pending: Buffer;
	started: boolean;
	counts: WireCounts;
}

function parseStartup(packet: Buffer): string | null {
	// int32 length, int32 protocol version, then name\0value\0 … \0
	const fields = packet.subarray(8).toString('utf8').split('\0');
	for (let i = 0; i + 1 < fields.length; i += 2)
		if (fields[i] === 'application_name') return fields[i + 1]!;
	return null;
}

function consume(tap: Tap, chunk: Buffer) {
	tap.pending = tap.pending.length ? Buffer.concat([tap.pending, chunk]) : chunk;
	let counted = false;
	for (;;) {
		if (!tap.started) {
			if (tap.pending.length < 8) return;
			const length = tap.pending.readInt32BE(0);
			if (tap.pending.length < length) return;
			const code = tap.pending.readInt32BE(4);
			// An SSLRequest (80877103) or GSSENCRequest precedes the real startup packet.
			if (code !== 80877103 && code !== 80877104) {
				tap.application = parseStartup(tap.pending.subarray(0, length));
				tap.started = true;
			}
			tap.pending = tap.pending.subarray(length);
			continue;
		}
		if (tap.pending.length < 5) break;
		const type = String.fromCharCode(tap.pending[0]!);
		const length = tap.pending.readInt32BE(1);
		if (tap.pending.length < length + 1) break;
		tap.pending = tap.pending.subarray(length + 1);
		const counts = tap.counts;
		counts.bytes += length + 1;
		if (type === 'P') counts.parses++;
		else if (type === 'B') counts.binds++;
		else if (type === 'S') counts.syncs++;
		else if (type === 'Q') counts.queries++;
		if ('PBESQ'.includes(type)) counted = true;
	}
	if (counted && !tap.clientTurn) {
		tap.counts.roundTrips++;
		tap.clientTurn = true;
	}
}

export async function startWireCounter(upstreamHost = '127.0.0.1', upstreamPort = 5432) {
	const taps = new Set<Tap>();
	const sockets = new Set<Socket>();
	const server: Server = createServer((client) => {
		const tap: Tap = {
			application: null,
			clientTurn: false,
			pending: Buffer.alloc(0),
			started: false,
			counts: empty()
		};
		taps.add(tap);
		const upstream = createConnection({ host: upstreamHost, port: upstreamPort });
		sockets.add(client).add(upstream);
		client.setNoDelay(true);
		upstream.setNoDelay(true);
		client.on('data', (chunk) => {
			consume(tap, chunk);
			upstream.write(chunk);
		});
		upstream.on('data', (chunk) => {
			tap.clientTurn = false;
			client.write(chunk);
		});
		const end = () => {
			client.destroy();
			upstream.destroy();
			sockets.delete(client);
			sockets.delete(upstream);
		};
		client.on('close', end).on('error', end);
		upstream.on('close', end).on('error', end);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : 0;
	const counter: WireCounter = {
		url(upstream) {
			const url = new URL(upstream);
			url.hostname = '127.0.0.1';
			url.port = String(port);
			return url.toString();
		},
		counts(applicationName = 'certtrack') {
			const total = empty();
			for (const tap of taps) {
				if (tap.application !== applicationName) continue;
				for (const key of Object.keys(total) as (keyof WireCounts)[]) total[key] += tap.counts[key];
			}
			return total;
		},
		reset() {
			for (const tap of taps) tap.counts = empty();
		},
		async close() {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		}
	};
	return counter;
}
