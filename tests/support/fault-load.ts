import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Browserless } from './http';

/*
 * Load for the PostgreSQL fault test and `npm run bench:fault-pg`: a fixed number of requests
 * always in flight — tRPC reads, a server-rendered page, and tRPC writes that add a contact (a
 * row and an audit entry each) — each with a deadline, every outcome recorded.
 */

export interface Outcome {
	kind: 'read' | 'page' | 'write';
	/** HTTP status, or null when no answer came (deadline passed or the connection broke). */
	status: number | null;
	failure: 'timeout' | 'transport' | null;
	ms: number;
	/** For a write: the contact's email, unique to this request. */
	email?: string;
}

export interface LoadOptions {
	client: Browserless;
	organisationId: string;
	inFlight: number;
	/** A request with no answer after this long is unanswered. */
	timeoutMs: number;
	stop: AbortSignal;
}

const trpcInput = (input: unknown) => encodeURIComponent(JSON.stringify({ json: input }));

async function one(options: LoadOptions, n: number, tag: string): Promise<Outcome> {
	const { client } = options;
	const kind: Outcome['kind'] = n % 5 < 2 ? 'write' : n % 5 < 4 ? 'read' : 'page';
	const started = Date.now();
	const email = kind === 'write' ? `fault-${tag}-${n}@example.test` : undefined;
	const signal = AbortSignal.timeout(options.timeoutMs);
	try {
		let response: Response;
		if (kind === 'write') {
			response = await client.fetch('/api/trpc/organisations.addContact', {
				method: 'POST',
				signal,
				headers: { 'content-type': 'application/json', origin: client.origin },
				body: JSON.stringify({
					json: {
						organisationId: options.organisationId,
						name: `Fault ${tag} ${n}`,
						email,
						receivesReminders: false
					}
				})
			});
		} else if (kind === 'read') {
			response = await client.fetch(`/api/trpc/organisations.list?input=${trpcInput({})}`, {
				signal,
				headers: { accept: 'application/json' }
			});
		} else {
			response = await client.fetch('/organisations', { signal, headers: { accept: 'text/html' } });
		}
		await response.arrayBuffer();
		return { kind, status: response.status, failure: null, ms: Date.now() - started, email };
	} catch (error) {
		const timedOut = signal.aborted || (error as Error).name === 'TimeoutError';
		return {
			kind,
			status: null,
			failure: timedOut ? 'timeout' : 'transport',
			ms: Date.now() - started,
			email
		};
	}
}

/** Keeps `inFlight` requests going until `stop` aborts, then waits for the last to end. */
export async function runLoad(options: LoadOptions): Promise<Outcome[]> {
	const tag = randomBytes(3).toString('hex');
	const outcomes: Outcome[] = [];
	let next = 0;
	const lane = async () => {
		while (!options.stop.aborted) outcomes.push(await one(options, next++, tag));
	};
	await Promise.all(Array.from({ length: options.inFlight }, lane));
	return outcomes;
}

export interface LoadSummary {
	requests: number;
	unanswered: number;
	/** Answers that are neither a success, a 4xx nor a clean 503. */
	unclean: number;
	byStatus: Record<string, number>;
	acknowledgedWrites: string[];
	slowestMs: number;
}

export function summarise(outcomes: Outcome[]): LoadSummary {
	const byStatus: Record<string, number> = {};
	for (const outcome of outcomes) {
		const key = outcome.status === null ? outcome.failure! : String(outcome.status);
		byStatus[key] = (byStatus[key] ?? 0) + 1;
	}
	return {
		requests: outcomes.length,
		unanswered: outcomes.filter((outcome) => outcome.status === null).length,
		unclean: outcomes.filter(
			(outcome) => outcome.status !== null && outcome.status >= 500 && outcome.status !== 503
		).length,
		byStatus,
		acknowledgedWrites: outcomes
			.filter((outcome) => outcome.kind === 'write' && outcome.status === 200)
			.map((outcome) => outcome.email!),
		slowestMs: Math.max(0, ...outcomes.map((outcome) => outcome.ms))
	};
}

/** The acknowledged writes that are not in the database. */
export async function lostWrites(url: string, emails: string[]): Promise<string[]> {
	const client = new pg.Client({ connectionString: url });
	client.on('error', () => {});
	await client.connect();
	try {
		const { rows } = await client.query<{ email: string }>(
			'select email from contacts where email = any($1::text[])',
			[emails]
		);
		const found = new Set(rows.map((row) => row.email));
		return emails.filter((email) => !found.has(email));
	} finally {
		await client.end();
	}
}

/** The organisation the writes go to: one of admin@demo.test's body. */
export async function demoOrganisationId(url: string): Promise<string> {
	const client = new pg.Client({ connectionString: url });
	client.on('error', () => {});
	await client.connect();
	try {
		const { rows } = await client.query<{ id: string }>(
			`select o.id from organisations o
			   join memberships m on m.tenant_id = o.tenant_id
			   join users u on u.id = m.user_id
			  where u.email = 'admin@demo.test' order by o.created_at limit 1`
		);
		return rows[0]!.id;
	} finally {
		await client.end();
	}
}

/** The admin's tenant audit chain, verified through the app (audit.verify). */
export async function verifyChain(client: Browserless): Promise<{ ok: boolean; entries: number }> {
	// Right after a restart a pooled connection the restart killed can still answer a clean 503
	// ("try again") once /healthz is already 200 on another connection: try again, as a person would.
	let response = await client.fetch(`/api/trpc/audit.verify`, {
		headers: { accept: 'application/json' }
	});
	for (let attempt = 1; response.status === 503 && attempt < 10; attempt++) {
		await new Promise((resolve) => setTimeout(resolve, 500));
		response = await client.fetch(`/api/trpc/audit.verify`, {
			headers: { accept: 'application/json' }
		});
	}
	if (response.status !== 200) throw new Error(`audit.verify answered ${response.status}`);
	const body = (await response.json()) as {
		result: { data: { json: { ok: boolean; entries: number } } };
	};
	return body.result.data.json;
}

/** Waits until /healthz says 200 (the database is back), up to `ms`. */
export async function healthy(origin: string, ms: number): Promise<boolean> {
	const deadline = Date.now() + ms;
	while (Date.now() < deadline) {
		try {
			const response = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(2_000) });
			if (response.status === 200) return true;
		} catch {
			// not answering yet
		}
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
	return false;
}
