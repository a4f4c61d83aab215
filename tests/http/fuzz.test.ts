import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { appRouter } from '../../src/lib/server/trpc/router';
import { DRAIN_LIMIT_BYTES } from '../../src/lib/server/http/unread-body';
import { Browserless, DEMO_PASSWORD, startDemoApp } from '../support/http';
import { buildApp, type RunningServer } from '../support/server';
import {
	formActions,
	formFields,
	hostile,
	inputArbitrary,
	serviceSchemas,
	type InputContext
} from '../support/fuzz-inputs';

/*
 * Issue 8's property-based fuzz test: every tRPC procedure and every form action of the built
 * app, signed in as each demo role (and signed out), fed inputs generated from their own zod
 * schemas mixed with hostile values, wrong content types, wrong shapes and non-UUID route ids.
 * The property: no answer is a 5xx, and the process keeps answering. Procedures are read from the
 * router and actions from the route files, so a new one is fuzzed without touching this file.
 *
 * FUZZ_RUNS (default 1) times the six clients (five roles and signed out) is the number of
 * generated inputs per procedure and per action; with 1 the test sends about 950 requests
 * (it prints the count).
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 1);
const ROLES = ['admin', 'evaluator', 'decider', 'org', 'multi'] as const;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

interface Procedure {
	path: string;
	type: 'query' | 'mutation';
	input: z.ZodType | undefined;
}

const procedures: Procedure[] = Object.entries(
	(appRouter as unknown as { _def: { procedures: Record<string, unknown> } })._def.procedures
).map(([path, procedure]) => {
	const def = (procedure as { _def: { type: 'query' | 'mutation'; inputs: z.ZodType[] } })._def;
	return { path, type: def.type, input: def.inputs[0] };
});

/** Each 5xx (or broken connection) seen: what was sent and the start of the answer. */
const failures: string[] = [];
let requests = 0;
/**
 * Large-bodied requests whose connection closed before the (early) answer was read. The server
 * drains an unread body up to DRAIN_LIMIT_BYTES and keeps the connection; past that it answers
 * with `Connection: close` (src/lib/server/http/unread-body.ts), and a client still sending then
 * may see the close before the answer. Any smaller body must be answered: a reset there is a
 * server bug (it was one: an unread body stalled the keep-alive connection, and the next request
 * on it was reset six seconds later, about 1 in 840 requests).
 */
let closedEarly = 0;
const LARGE_BODY_BYTES = DRAIN_LIMIT_BYTES;

function bodySize(body: RequestInit['body']): number {
	if (typeof body === 'string') return Buffer.byteLength(body);
	if (body instanceof URLSearchParams) return Buffer.byteLength(body.toString());
	if (body instanceof FormData)
		return [...body.values()].reduce(
			(sum, value) => sum + (typeof value === 'string' ? Buffer.byteLength(value) : value.size),
			0
		);
	return 0;
}
let server: RunningServer;
const clients = new Map<string, Browserless>();
const ids = new Set<string>();
const context: InputContext = { ids: () => [...ids] };
let address = 0;

/** A client address of its own for every sign-in, so the sign-in limits never lock the test out. */
const nextAddress = () => `10.${(++address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}`;

async function signIn(client: Browserless, email: string) {
	await client.fetch('/login', {
		method: 'POST',
		body: new URLSearchParams({ email, password: DEMO_PASSWORD }),
		headers: {
			origin: client.origin,
			accept: 'text/html',
			'content-type': 'application/x-www-form-urlencoded',
			'x-forwarded-for': nextAddress()
		}
	});
}

/** Sends one request and records a 5xx or a dropped connection. Answers the body's text. */
async function send(client: Browserless, label: string, path: string, init: RequestInit) {
	requests++;
	const headers = new Headers(init.headers);
	headers.set('x-forwarded-for', nextAddress());
	let response: Response;
	try {
		response = await client.fetch(path, { ...init, headers, signal: AbortSignal.timeout(30_000) });
	} catch (cause) {
		// A request refused before its body is read (413 past the tRPC limit, 403 or sign-in for a
		// form past the drain limit) is answered and the connection closed: with a large body still
		// being sent, fetch may see the close before the answer. Counted and printed, not failed.
		if ((cause as Error).name !== 'TimeoutError' && bodySize(init.body) > LARGE_BODY_BYTES) {
			closedEarly++;
			return { status: 0, text: '' };
		}
		failures.push(
			`${label}: no answer (${String(cause)}: ${String((cause as Error).cause)}) for ` +
				`${path.slice(0, 300)}, a body of ${bodySize(init.body)} bytes`
		);
		return { status: 0, text: '' };
	}
	const text = await response.text();
	if (response.status >= 500)
		failures.push(
			`${label}: ${response.status} for ${init.method ?? 'GET'} ${path.slice(0, 300)} ` +
				`body ${String(init.body ?? '').slice(0, 300)} → ${text.slice(0, 300)}`
		);
	// A signed-out client (the logout action, a deactivated session) signs in again.
	if (response.status === 401 || response.headers.get('location')?.startsWith('/login'))
		stale.add(client);
	return { status: response.status, text };
}

const stale = new Set<Browserless>();
const emailOf = new Map<Browserless, string>();

async function ready(client: Browserless) {
	if (!stale.has(client)) return;
	stale.delete(client);
	const email = emailOf.get(client);
	if (email) await signIn(client, email);
}

/** The client of `role`, or a signed-out one. */
function clientOf(role: string): Browserless {
	const client = clients.get(role);
	if (!client) throw new Error(`no client ${role}`);
	return client;
}

const json = (value: unknown) => JSON.stringify({ json: value === undefined ? null : value });

async function callProcedure(
	client: Browserless,
	label: string,
	procedure: Procedure,
	input: unknown,
	shape: number
) {
	const path = `/api/trpc/${procedure.path}`;
	const sameOrigin = { origin: client.origin };
	const body = input === undefined ? '' : json(input);
	if (procedure.type === 'query' && shape < 6) {
		const query = input === undefined ? '' : `?input=${encodeURIComponent(json(input))}`;
		return send(client, label, `${path}${query}`, { method: 'GET' });
	}
	switch (shape) {
		case 6: // multipart to tRPC
			return send(client, label, path, {
				method: 'POST',
				headers: sameOrigin,
				body: multipart(input)
			});
		case 7: // an empty body
			return send(client, label, path, {
				method: 'POST',
				headers: { ...sameOrigin, 'content-type': 'application/json' }
			});
		case 8: // not JSON at all
			return send(client, label, path, {
				method: 'POST',
				headers: { ...sameOrigin, 'content-type': 'application/json' },
				body: `{"json":${body.slice(0, 40)}`
			});
		case 9: // a batch of the same call, one item an array where the object goes
			return send(client, label, `/api/trpc/${procedure.path},${procedure.path}?batch=1`, {
				method: procedure.type === 'query' ? 'GET' : 'POST',
				headers: { ...sameOrigin, 'content-type': 'application/json' },
				...(procedure.type === 'query'
					? {}
					: { body: JSON.stringify({ 0: { json: input ?? null }, 1: [{ json: input ?? null }] }) })
			});
		default:
			return send(client, label, path, {
				method: 'POST',
				headers: { ...sameOrigin, 'content-type': 'application/json' },
				body
			});
	}
}

function multipart(input: unknown): FormData {
	const form = new FormData();
	for (const [name, value] of formFields(input)) form.append(name, value);
	return form;
}

const MALFORMED_MULTIPART = '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n\u0000';

async function postAction(
	client: Browserless,
	label: string,
	path: string,
	name: string,
	input: unknown,
	shape: number
) {
	const url = `${path}${name === 'default' ? '' : `?/${name}`}`;
	const headers: Record<string, string> = {
		origin: client.origin,
		accept: 'application/json',
		'x-sveltekit-action': 'true'
	};
	let body: BodyInit | undefined;
	switch (shape) {
		case 0:
		case 1:
		case 2:
		case 3: // as a browser's form posts it
			body = new URLSearchParams(formFields(input));
			break;
		case 4:
			body = multipart(input);
			break;
		case 5: // JSON to a form action
			headers['content-type'] = 'application/json';
			body = JSON.stringify(input ?? null);
			break;
		case 6:
			headers['content-type'] = 'text/plain';
			body = formFields(input)
				.map(([key, value]) => `${key}=${value}`)
				.join('\n');
			break;
		case 7: // no content type, no body
			break;
		case 8:
			headers['content-type'] = 'multipart/form-data; boundary=x';
			body = MALFORMED_MULTIPART;
			break;
		default: // a page's plain (non-enhanced) post
			delete headers['x-sveltekit-action'];
			headers.accept = 'text/html';
			body = new URLSearchParams(formFields(input));
	}
	return send(client, label, url, { method: 'POST', headers, body });
}

/** A route id: mostly one that exists, sometimes none, sometimes no UUID at all. */
const routeId = () =>
	fc.oneof(
		{
			arbitrary: fc.constant(null).chain(() => (ids.size ? fc.constantFrom(...ids) : fc.uuid())),
			weight: 5
		},
		{ arbitrary: fc.uuid(), weight: 1 },
		{
			arbitrary: fc.constantFrom(
				'not-a-uuid',
				'%00',
				'1',
				'2147483648',
				'%2e%2e',
				'x'.repeat(3000)
			),
			weight: 1
		}
	);

/** Reads ids from every query the roles can answer without input, then one level deeper. */
async function harvestIds() {
	const record = (text: string) => {
		for (const id of text.match(UUID) ?? []) ids.add(id.toLowerCase());
	};
	// The CB admin sees the tenant, the organisation contact their own organisation's records.
	for (const role of ['admin', 'org'] as const) {
		const client = clientOf(role);
		for (const procedure of procedures.filter((p) => p.type === 'query')) {
			const answer = await callProcedure(client, `harvest ${role}`, procedure, {}, 0);
			record(answer.text);
		}
	}
	const firstLevel = [...ids].slice(0, 6);
	const admin = clientOf('admin');
	for (const procedure of procedures.filter((p) => p.type === 'query' && p.input))
		for (const id of firstLevel) {
			const answer = await callProcedure(admin, 'harvest', procedure, { id }, 0);
			record(answer.text);
		}
}

const schemas = await serviceSchemas();
const actions = formActions(new Set(schemas.keys()));

describe('fuzzing the built app', () => {
	beforeAll(async () => {
		buildApp();
		server = await startDemoApp({ ADDRESS_HEADER: 'x-forwarded-for', XFF_DEPTH: '1' });
		for (const role of ROLES) {
			const client = new Browserless(server.origin);
			emailOf.set(client, `${role}@demo.test`);
			await signIn(client, `${role}@demo.test`);
			clients.set(role, client);
		}
		clients.set('signed-out', new Browserless(server.origin));
		await harvestIds();
	}, 300_000);

	afterAll(async () => {
		console.log(
			`fuzz: ${requests} requests (FUZZ_RUNS=${RUNS}), ${procedures.length} procedures, ` +
				`${actions.length} form actions, ${ids.size} known ids, ${closedEarly} large bodies closed early, ${failures.length} failures`
		);
		await server?.stop();
	});

	it('finds every procedure and form action', () => {
		expect(procedures.length).toBeGreaterThan(50);
		expect(actions.length).toBeGreaterThan(40);
	});

	const roles = [...ROLES, 'signed-out'] as const;

	it.each(procedures.map((procedure) => [procedure.path, procedure] as const))(
		'tRPC %s answers no 5xx',
		async (path, procedure) => {
			const before = failures.length;
			await fc.assert(
				fc.asyncProperty(
					fc.constantFrom(...roles),
					inputArbitrary(procedure.input, context),
					fc.nat(9),
					async (role, input, shape) => {
						const client = clientOf(role);
						await ready(client);
						await callProcedure(client, `${role} ${path}`, procedure, input, shape);
					}
				),
				{ numRuns: RUNS * roles.length }
			);
			expect(failures.slice(before)).toEqual([]);
		},
		120_000
	);

	it.each(actions.map((action) => [`${action.route}?/${action.name}`, action] as const))(
		'form action %s answers no 5xx',
		async (label, action) => {
			const before = failures.length;
			const candidates = action.schemaNames.map((name) => schemas.get(name)!);
			const input = candidates.length
				? fc.oneof(...candidates.map((schema) => inputArbitrary(schema, context)))
				: fc.oneof(hostile(), fc.dictionary(fc.string({ maxLength: 12 }), fc.string()));
			await fc.assert(
				fc.asyncProperty(
					fc.constantFrom(...roles),
					input,
					routeId(),
					fc.nat(9),
					async (role, values, id, shape) => {
						const client = clientOf(role);
						await ready(client);
						const path = action.route.replace(/\{\w+\}/g, id);
						await postAction(client, `${role} ${label}`, path, action.name, values, shape);
					}
				),
				{ numRuns: RUNS * roles.length }
			);
			expect(failures.slice(before)).toEqual([]);
		},
		120_000
	);

	it('still answers after all of it', async () => {
		const response = await fetch(`${server.origin}/healthz`);
		expect(response.status).toBe(200);
	});
});
