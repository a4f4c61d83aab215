import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { callerFor, testApp } from '../support/factories';
import { newFinding, newWorkflowWorld, type WorkflowWorld } from '../support/workflow-factories';
import { noteOutboxRows } from '../../src/lib/server/db/tenant-scope';
import { closeProducer, nudgeDeliveryAfterCommit, requestDelivery } from '../../jobs/enqueue';
import { jobId } from '../../jobs/producer';
import type { App } from '../../src/lib/server/app';

/*
 * Issue 7: event emails go out at once. A committed transaction that wrote event messages
 * nudges delivery (one mail.deliver job per outbox row, on the shared Redis under a private
 * prefix); a rolled-back one nudges nothing; with Redis down, or a listener that throws, the
 * step still succeeds and the sweep sends the rows later.
 */

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function until(check: () => Promise<boolean>, ms = 5_000) {
	const end = Date.now() + ms;
	while (Date.now() < end) {
		if (await check()) return true;
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	return false;
}

const response = (findingId: string, version: number) => ({
	findingId,
	version,
	correction: '已对超时工单逐一回访。',
	rootCause: '派工规则未考虑偏远地区路程。',
	correctiveAction: '修订派工规则并培训调度员。',
	owner: '服务部经理',
	targetOn: '2026-11-30'
});

describe.each(DIALECTS)('delivery nudged after commit (%s)', (kind) => {
	let t: TestDatabase;
	let world: WorkflowWorld;
	let app: App;
	let queue: Queue;
	const prefix = `{ct-test-nudge-${randomBytes(4).toString('hex')}}`;

	const outboxIdsFor = (findingId: string) =>
		t.owner
			.selectFrom('outbox')
			.select('id')
			.where('dedupe_key', 'like', `%${findingId}%`)
			.where('status', '=', 'pending')
			.execute()
			.then((rows) => rows.map((row) => row.id));

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		world = await newWorkflowWorld(t);
		const base = testApp(t);
		app = {
			...base,
			config: { ...base.config, redisUrl: REDIS_URL, redisPrefix: prefix },
			redis: { available: () => true, client: () => null, close: async () => {} }
		};
		queue = new Queue('mail', { connection: new Redis(REDIS_URL), prefix });
		// The request-path producer connects on first use: let it, before the steps run.
		await requestDelivery(app, world.tenantId, []);
		await new Promise((resolve) => setTimeout(resolve, 500));
		nudgeDeliveryAfterCommit(app);
	});

	afterAll(async () => {
		await queue?.obliterate({ force: true }).catch(() => {});
		await queue?.close();
		if (app) await closeProducer(app);
		await t?.drop();
	});

	it('enqueues one delivery per event message once the step commits', async () => {
		const finding = await newFinding(t, world);
		await callerFor(app, world.orgUser).workflow.submitResponse(
			response(finding.id, finding.version)
		);
		const ids = await outboxIdsFor(finding.id);
		expect(ids.length).toBe(1); // the lead evaluator hears it
		// Delivery jobs carry a batch of outbox rows (mail.deliver v2), keyed by the first and count.
		const id = jobId('mail', ids[0]!, ids.length);
		expect(await until(async () => !!(await queue.getJob(id)))).toBe(true);
		const job = await queue.getJob(id);
		expect(job?.data).toEqual({ tenantId: world.tenantId, outboxIds: ids });
	});

	it('nudges nothing for a refused step (its messages rolled back with it)', async () => {
		const heard: string[][] = [];
		app.db.onOutboxCommitted((_tenant, ids) => heard.push(ids));
		try {
			const finding = await newFinding(t, world);
			await expect(
				callerFor(app, world.orgUser).workflow.submitResponse(
					response(finding.id, finding.version + 5)
				)
			).rejects.toThrow();
			// Rows noted inside a transaction that then fails are never heard of.
			await expect(
				t.db.inTenant({ tenantId: world.tenantId, userId: null }, async (tx) => {
					noteOutboxRows(tx, ['00000000-0000-4000-8000-000000000001']);
					throw new Error('rolled back');
				})
			).rejects.toThrow('rolled back');
			expect(heard).toEqual([]);
			// A committed one is heard once, with every row it noted.
			await t.db.inTenant({ tenantId: world.tenantId, userId: null }, async (tx) => {
				noteOutboxRows(tx, ['a']);
				noteOutboxRows(tx, ['b', 'c']);
			});
			expect(heard).toEqual([['a', 'b', 'c']]);
		} finally {
			nudgeDeliveryAfterCommit(app);
		}
	});

	it('never fails the step when Redis is down or the listener throws', async () => {
		const offline: App = {
			...app,
			redis: { available: () => false, client: () => null, close: async () => {} }
		};
		nudgeDeliveryAfterCommit(offline);
		try {
			const first = await newFinding(t, world);
			const started = Date.now();
			const step = await callerFor(offline, world.orgUser).workflow.submitResponse(
				response(first.id, first.version)
			);
			expect(step.status).toBe('response_submitted');
			// Not held by the missing Redis: the bound tells a hang, not a speed, so it leaves a busy
			// machine room (the step takes milliseconds).
			expect(Date.now() - started).toBeLessThan(10_000);
			const [outboxId] = await outboxIdsFor(first.id);
			expect(outboxId).toBeDefined();
			expect(await queue.getJob(jobId('mail', outboxId!))).toBeUndefined();

			app.db.onOutboxCommitted(() => {
				throw new Error('listener broke');
			});
			const second = await newFinding(t, world);
			const again = await callerFor(app, world.orgUser).workflow.submitResponse(
				response(second.id, second.version)
			);
			expect(again.status).toBe('response_submitted');
		} finally {
			nudgeDeliveryAfterCommit(app);
		}
	});
});
