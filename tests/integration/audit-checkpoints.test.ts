import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, appendFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { newActor, newTenant, testApp } from '../support/factories';
import { recordAudit } from '../../src/lib/server/repositories/audit';
import {
	latestAuditCheckpoint,
	verifyAuditChain,
	writeAuditCheckpoint
} from '../../src/lib/server/services/audit';
import { CheckpointStore, checkpointStore } from '../../src/lib/server/evidence/checkpoints';
import { handleAuditCheckpoint } from '../../jobs/audit-checkpoint/handler';
import { auditCheckpoint } from '../../jobs/audit-checkpoint/definition';
import { checkRegistry, definitions } from '../../jobs/registry';
import { jobName, type JobContext } from '../../jobs/definition';
import { NO_PRODUCER } from '../../jobs/producer';
import { readConfig } from '../../src/lib/server/config';
import type { MailTransport } from '../../src/lib/server/mail/transport';

/*
 * Issue 8 §21: the audit chain anchored outside the database. A superuser who edits an entry and
 * then recomputes every hash (and the head) passes the chain's own verification; verification
 * against the daily checkpoints in the evidence store finds the rewrite.
 */

let dir: string;

beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), 'certtrack-checkpoints-'));
});

afterAll(async () => {
	await rm(dir, { recursive: true, force: true });
});

describe.each(DIALECTS)('audit checkpoints on %s', (kind) => {
	let t: TestDatabase;
	let store: CheckpointStore;

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		store = new CheckpointStore(join(dir, kind));
	});

	afterAll(async () => {
		await t?.drop();
	});

	async function chainOf(n: number) {
		const tenant = await newTenant(t);
		const admin = await newActor(t, tenant.id, 'admin');
		await append(tenant.id, admin.userId, 1, n);
		return { tenant, admin };
	}

	async function append(tenantId: string, userId: string, from: number, to: number) {
		await t.db.inTenant({ tenantId, userId }, async (tx) => {
			for (let i = from; i <= to; i++)
				await recordAudit(tx, {
					tenantId,
					actorUserId: userId,
					action: 'organisation.update',
					entityType: 'organisation',
					entityId: `e-${i}`,
					after: { n: i }
				});
		});
	}

	/** What a superuser can do: change an entry, then re-chain everything after it, head included. */
	async function rewriteAndRehash(tenantId: string, seq: number, after: unknown) {
		await t.owner.transaction().execute(async (trx) => {
			await sql`alter table audit_log disable trigger audit_log_no_update`.execute(trx);
			await sql`update audit_log set after = ${JSON.stringify(after)}::jsonb
			          where tenant_id = ${tenantId} and seq = ${seq}`.execute(trx);
			const { rows } = await sql<{ seq: string }>`
			  select seq::text as seq from audit_log
			  where tenant_id = ${tenantId} and seq >= ${seq} order by audit_log.seq`.execute(trx);
			for (const row of rows)
				await sql`update audit_log a set
				    prev_hash = coalesce((select p.hash from audit_log p
				      where p.tenant_id = a.tenant_id and p.seq = a.seq - 1), repeat('0', 64)),
				    hash = audit_entry_hash(
				      coalesce((select p.hash from audit_log p
				        where p.tenant_id = a.tenant_id and p.seq = a.seq - 1), repeat('0', 64)),
				      a.tenant_id, a.seq, a.actor_user_id, a.action, a.entity_type, a.entity_id,
				      a.before, a.after, a.created_at)
				  where a.tenant_id = ${tenantId} and a.seq = ${row.seq}::bigint`.execute(trx);
			await sql`update audit_chain_heads h set hash = a.hash
			          from audit_log a
			          where a.tenant_id = h.tenant_id and a.seq = h.seq
			            and h.tenant_id = ${tenantId}`.execute(trx);
			await sql`alter table audit_log enable trigger audit_log_no_update`.execute(trx);
		});
	}

	it('writes the head once, and again only after the chain has grown', async () => {
		const { tenant, admin } = await chainOf(5);
		const first = await writeAuditCheckpoint(t.db, store, tenant.id, new Date('2026-12-01'));
		expect(first).toMatchObject({ seq: 5, at: '2026-12-01T00:00:00.000Z' });
		expect(first!.hash).toMatch(/^[0-9a-f]{64}$/);
		expect(await writeAuditCheckpoint(t.db, store, tenant.id)).toBeNull();
		await append(tenant.id, admin.userId, 6, 8);
		expect(await writeAuditCheckpoint(t.db, store, tenant.id)).toMatchObject({ seq: 8 });
		// Appended, never rewritten: both lines are in the file, oldest first.
		const lines = (await readFile(store.pathOf(tenant.id), 'utf8')).trim().split('\n');
		expect(lines.map((line) => JSON.parse(line).seq)).toEqual([5, 8]);
		expect(await latestAuditCheckpoint(admin, store)).toMatchObject({ seq: 8 });
	});

	it('writes nothing for a tenant with an empty chain', async () => {
		const tenant = await newTenant(t);
		expect(await writeAuditCheckpoint(t.db, store, tenant.id)).toBeNull();
		expect(await store.list(tenant.id)).toEqual([]);
	});

	it('verifies an untouched chain against its checkpoints', async () => {
		const { tenant, admin } = await chainOf(6);
		await writeAuditCheckpoint(t.db, store, tenant.id);
		await append(tenant.id, admin.userId, 7, 9);
		await writeAuditCheckpoint(t.db, store, tenant.id);
		await append(tenant.id, admin.userId, 10, 10);
		const result = await verifyAuditChain(t.db, admin, { checkpoints: store, batchSize: 4 });
		expect(result).toMatchObject({ ok: true, entries: 10, checkpoints: { checked: 2 } });
		expect(result.checkpoints?.latest?.seq).toBe(9);
	});

	it('finds an edited and fully re-hashed chain only through the checkpoint', async () => {
		const { tenant, admin } = await chainOf(12);
		await writeAuditCheckpoint(t.db, store, tenant.id);
		await append(tenant.id, admin.userId, 13, 15);
		await rewriteAndRehash(tenant.id, 4, { n: 4000 });
		// The rewrite is consistent in itself: the chain alone looks intact.
		expect(await verifyAuditChain(t.db, admin)).toEqual({ ok: true, entries: 15 });
		for (const batchSize of [3, 12, 2000])
			expect(await verifyAuditChain(t.db, admin, { checkpoints: store, batchSize })).toMatchObject({
				ok: false,
				entries: 15,
				firstProblem: { seq: 12, kind: 'checkpoint' }
			});
	});

	it('finds entries cut off the end, head moved back, through the checkpoint', async () => {
		const { tenant, admin } = await chainOf(8);
		await writeAuditCheckpoint(t.db, store, tenant.id);
		await t.owner.transaction().execute(async (trx) => {
			await sql`alter table audit_log disable trigger audit_log_no_update`.execute(trx);
			await sql`delete from audit_log where tenant_id = ${tenant.id} and seq > 5`.execute(trx);
			await sql`update audit_chain_heads h set seq = 5, hash = a.hash from audit_log a
			          where a.tenant_id = h.tenant_id and a.seq = 5 and h.tenant_id = ${tenant.id}`.execute(
				trx
			);
			await sql`alter table audit_log enable trigger audit_log_no_update`.execute(trx);
		});
		expect(await verifyAuditChain(t.db, admin)).toEqual({ ok: true, entries: 5 });
		expect(await verifyAuditChain(t.db, admin, { checkpoints: store })).toMatchObject({
			ok: false,
			firstProblem: { seq: 8, kind: 'checkpoint' }
		});
	});

	it('runs as the scheduled job: one checkpoint per tenant with entries, idempotent', async () => {
		const { tenant: a } = await chainOf(3);
		const { tenant: b } = await chainOf(2);
		const evidenceDir = join(dir, `${kind}-job`);
		const app = { ...testApp(t), config: readConfig({ DATA_DIR: dir, EVIDENCE_DIR: evidenceDir }) };
		const context: JobContext = {
			app,
			transport: {} as MailTransport,
			producer: NO_PRODUCER,
			now: () => new Date('2026-12-02T01:00:00Z')
		};
		const first = await handleAuditCheckpoint(context);
		expect(first.written).toBeGreaterThanOrEqual(2);
		expect((await handleAuditCheckpoint(context)).written).toBe(0);
		const jobStore = checkpointStore(app.config);
		expect(await jobStore.list(a.id)).toEqual([
			expect.objectContaining({ seq: 3, at: '2026-12-02T01:00:00.000Z' })
		]);
		expect(await jobStore.list(b.id)).toEqual([expect.objectContaining({ seq: 2 })]);
		// Kept where only its owner reads it.
		expect((await stat(jobStore.pathOf(a.id))).mode & 0o077).toBe(0);
	});
});

describe('checkpoint store', () => {
	it('skips a torn last line and refuses a name that is no tenant id', async () => {
		const store = new CheckpointStore(join(dir, 'torn'));
		const tenantId = '00000000-0000-4000-8000-000000000001';
		await store.append(tenantId, { seq: 3, hash: 'a'.repeat(64), at: '2026-12-01T00:00:00Z' });
		await appendFile(store.pathOf(tenantId), '{"seq":4,"ha');
		expect(await store.list(tenantId)).toEqual([
			{ seq: 3, hash: 'a'.repeat(64), at: '2026-12-01T00:00:00Z' }
		]);
		expect(() => store.pathOf('../../etc/passwd')).toThrow(RangeError);
	});

	it('is a registered, daily scheduled job', () => {
		checkRegistry();
		expect(definitions).toContain(auditCheckpoint);
		expect(jobName(auditCheckpoint)).toBe('audit.checkpoint@1');
		expect(auditCheckpoint.schedule?.everyMs).toBe(86_400_000);
	});
});
