import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { startWireCounter, type WireCounter, type WireCounts } from '../support/wire-counter';
import { buildApp, startBuiltApp, type RunningServer } from '../support/server';
import { signedIn, type Browserless } from '../support/http';
import { loadDemoData } from '../../db/seed/demo';

/*
 * Issue 9 item 1: what one request costs in round trips to PostgreSQL, counted on the wire by a
 * proxy between the built app and the server — a count, not a time, so a regression fails here.
 * A round trip is a send of the app's after the server has answered; the session check, the
 * tenant scope, the membership and the work share one transaction, BEGIN and set_config travel
 * with the next query, and a warmed-up connection only binds its named statements.
 */

/** Issue 9's ceilings. */
const LIST_MAX = 6;
const PAGE_MAX = 8;

describe('round trips per request on PostgreSQL', () => {
	let t: TestDatabase;
	let wire: WireCounter;
	let server: RunningServer;
	let evaluator: Browserless;

	beforeAll(async () => {
		t = await createTestDatabase('postgres');
		await loadDemoData(t.owner, t.db);
		wire = await startWireCounter();
		buildApp();
		// No job workers in this process: nothing but the requests reaches the database.
		server = await startBuiltApp({ DATABASE_URL: wire.url(t.url!), WORKERS: 'off' });
		evaluator = await signedIn(server, 'evaluator@demo.test');
	}, 300_000);

	afterAll(async () => {
		await server?.stop();
		await wire?.close();
		await t?.drop();
	});

	/** The counts of one request, after `warm` earlier ones have prepared its statements. */
	async function measure(path: string, warm = 2): Promise<{ status: number; counts: WireCounts }> {
		for (let i = 0; i < warm; i++) await (await evaluator.fetch(path)).arrayBuffer();
		// Whatever the earlier requests left in flight has settled.
		await new Promise((resolve) => setTimeout(resolve, 100));
		wire.reset();
		const response = await evaluator.fetch(path);
		await response.arrayBuffer();
		await new Promise((resolve) => setTimeout(resolve, 100));
		return { status: response.status, counts: wire.counts() };
	}

	const list = (input: Record<string, unknown>) =>
		`/api/trpc/findings.list?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;

	it(`answers findings.list in at most ${LIST_MAX} round trips, parsing nothing once warm`, async () => {
		const { status, counts } = await measure(list({}));
		expect(status).toBe(200);
		expect(counts.roundTrips).toBeLessThanOrEqual(LIST_MAX);
		expect(counts.parses).toBe(0);
	});

	it('filters by status and searches within the same ceiling', async () => {
		for (const input of [{ status: 'open' }, { search: '记录' }]) {
			const { status, counts } = await measure(list(input));
			expect(status).toBe(200);
			expect(counts.roundTrips).toBeLessThanOrEqual(LIST_MAX);
		}
	});

	it(`renders the /findings page in at most ${PAGE_MAX} round trips`, async () => {
		const { status, counts } = await measure('/findings');
		expect(status).toBe(200);
		expect(counts.roundTrips).toBeLessThanOrEqual(PAGE_MAX);
		expect(counts.parses).toBe(0);
	});

	it('sends nothing to the database for a signed-out page', async () => {
		wire.reset();
		const response = await fetch(`${server.origin}/login`);
		expect(response.status).toBe(200);
		await response.arrayBuffer();
		expect(wire.counts().roundTrips).toBe(0);
	});
});
