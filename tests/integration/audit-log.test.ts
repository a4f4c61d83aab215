import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { newPerson, newTenant } from '../support/factories';
import { connectPostgres } from '../../src/lib/server/db/connection';
import { AppDatabase } from '../../src/lib/server/db/tenant-scope';
import { recordAudit, type AuditEntry } from '../../src/lib/server/repositories/audit';

/*
 * The audit log: per-tenant sequence numbers and hash chain assigned by the database, recomputable
 * from the row's content, and append-only for everybody, the owner included.
 */

const ZERO_HASH = '0'.repeat(64);
const APPEND_ONLY_REFUSAL = /append-only/i;
const PERMISSION_REFUSAL = /permission denied/i;

interface ChainRow {
	seq: number;
	prev_hash: string;
	hash: string;
	/** prev_hash equals the previous entry's hash (64 zeros for the first). */
	linked: boolean;
	/** audit_entry_hash over the stored content equals the stored hash. */
	intact: boolean;
}

/** The tenant's chain as the owner sees it, each row checked in SQL. */
async function readChain(t: TestDatabase, tenantId: string): Promise<ChainRow[]> {
	const { rows } = await sql<ChainRow>`
	  select seq::int as seq, prev_hash, hash,
	    prev_hash = coalesce(lag(hash) over (order by seq), repeat('0', 64)) as linked,
	    audit_entry_hash(prev_hash, tenant_id, seq, actor_user_id, action, entity_type, entity_id,
	      before, after, created_at) = hash as intact
	  from audit_log where tenant_id = ${tenantId} order by seq`.execute(t.owner);
	return rows;
}

function expectUnbrokenChain(chain: ChainRow[], length: number) {
	expect(chain.map((row) => row.seq)).toEqual(Array.from({ length }, (_, i) => i + 1));
	expect(chain[0]?.prev_hash).toBe(ZERO_HASH);
	for (let i = 1; i < chain.length; i++) expect(chain[i]?.prev_hash).toBe(chain[i - 1]?.hash);
	expect(chain.filter((row) => !row.linked || !row.intact)).toEqual([]);
	expect(new Set(chain.map((row) => row.hash)).size).toBe(length);
	for (const row of chain) expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
}

function entry(tenantId: string, actorUserId: string | null, n: number): AuditEntry {
	return {
		tenantId,
		actorUserId,
		action: 'organisation.update',
		entityType: 'organisation',
		entityId: `entity-${n}`,
		before: n === 1 ? undefined : { n: n - 1, name: `名称 ${n - 1}` },
		after: { n, name: `名称 ${n}`, nested: { list: [1, 2, n] } }
	};
}

describe.each(DIALECTS)('audit log on %s', (kind) => {
	let t: TestDatabase;
	let tenantA: string;
	let tenantB: string;
	let actor: string;

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		tenantA = (await newTenant(t)).id;
		tenantB = (await newTenant(t)).id;
		actor = (await newPerson(t)).id;
		// Interleaved: A, B, A (two in one transaction), B.
		await t.db.inTenant({ tenantId: tenantA, userId: actor }, (tx) =>
			recordAudit(tx, entry(tenantA, actor, 1))
		);
		await t.db.inTenant({ tenantId: tenantB, userId: null }, (tx) =>
			recordAudit(tx, entry(tenantB, null, 1))
		);
		await t.db.inTenant({ tenantId: tenantA, userId: actor }, async (tx) => {
			await recordAudit(tx, entry(tenantA, actor, 2));
			await recordAudit(tx, entry(tenantA, actor, 3));
		});
		await t.db.inTenant({ tenantId: tenantB, userId: actor }, (tx) =>
			recordAudit(tx, entry(tenantB, actor, 2))
		);
	});

	afterAll(async () => {
		await t?.drop();
	});

	it('numbers entries 1, 2, 3 per tenant, independently of other tenants', async () => {
		expect((await readChain(t, tenantA)).map((row) => row.seq)).toEqual([1, 2, 3]);
		expect((await readChain(t, tenantB)).map((row) => row.seq)).toEqual([1, 2]);
	});

	it("links each entry to the previous entry's hash, starting from 64 zeros", async () => {
		expectUnbrokenChain(await readChain(t, tenantA), 3);
		expectUnbrokenChain(await readChain(t, tenantB), 2);
	});

	it('stores hashes that audit_entry_hash recomputes from the row content', async () => {
		const { rows } = await sql<{ total: number; matching: number }>`
		  select count(*)::int as total,
		    count(*) filter (where audit_entry_hash(prev_hash, tenant_id, seq, actor_user_id, action,
		      entity_type, entity_id, before, after, created_at) = hash)::int as matching
		  from audit_log`.execute(t.owner);
		expect(rows[0]?.total).toBe(5);
		expect(rows[0]?.matching).toBe(5);
	});

	it("keeps each tenant's chain head at its last entry", async () => {
		const { rows } = await sql<{ tenant_id: string; seq: number; hash: string }>`
		  select tenant_id, seq::int as seq, hash from audit_chain_heads order by seq`.execute(t.owner);
		const chainA = await readChain(t, tenantA);
		const chainB = await readChain(t, tenantB);
		expect(rows).toEqual([
			{ tenant_id: tenantB, seq: 2, hash: chainB[1]?.hash },
			{ tenant_id: tenantA, seq: 3, hash: chainA[2]?.hash }
		]);
	});

	it('stores what recordAudit was given: actor, action, entity and JSON objects', async () => {
		const { rows } = await sql<{
			actor_user_id: string | null;
			action: string;
			entity_type: string;
			entity_id: string;
			before: unknown;
			after: unknown;
			before_type: string | null;
			after_type: string | null;
		}>`select actor_user_id, action, entity_type, entity_id, before, after,
		     jsonb_typeof(before) as before_type, jsonb_typeof(after) as after_type
		   from audit_log where tenant_id = ${tenantA} order by seq`.execute(t.owner);
		expect(rows[0]).toMatchObject({
			actor_user_id: actor,
			action: 'organisation.update',
			entity_type: 'organisation',
			entity_id: 'entity-1',
			before: null,
			before_type: null,
			after_type: 'object'
		});
		expect(rows.map((row) => row.after_type)).toEqual(['object', 'object', 'object']);
		expect(rows.map((row) => row.before_type)).toEqual([null, 'object', 'object']);
		expect(rows[2]?.after).toEqual({ n: 3, name: '名称 3', nested: { list: [1, 2, 3] } });
		expect(rows[2]?.before).toEqual({ n: 2, name: '名称 2' });
	});

	it("shows a tenant's scope its own entries only", async () => {
		const seqs = await t.db.inTenant({ tenantId: tenantB, userId: actor }, async (tx) => {
			const { rows } = await sql<{
				tenant_id: string;
				seq: number;
			}>`select tenant_id, seq::int as seq from audit_log order by seq`.execute(tx);
			return rows;
		});
		expect(seqs).toEqual([
			{ tenant_id: tenantB, seq: 1 },
			{ tenant_id: tenantB, seq: 2 }
		]);
	});

	it('ignores seq, hashes and time forged by the inserting transaction', async () => {
		const tenant = (await newTenant(t)).id;
		await t.db.inTenant({ tenantId: tenant, userId: actor }, (tx) =>
			sql`insert into audit_log (tenant_id, seq, actor_user_id, action, entity_type, entity_id,
			      after, created_at, prev_hash, hash)
			    values (${tenant}, 999, ${actor}, 'forged', 'thing', 'x', '{"a":1}'::jsonb,
			      '2000-01-01T00:00:00Z', ${'e'.repeat(64)}, ${'f'.repeat(64)})`.execute(tx)
		);
		const chain = await readChain(t, tenant);
		expectUnbrokenChain(chain, 1);
		expect(chain[0]?.hash).not.toBe('f'.repeat(64));
		const { rows } = await sql<{ recent: boolean }>`
		  select created_at > now() - interval '1 hour' as recent from audit_log
		  where tenant_id = ${tenant}`.execute(t.owner);
		expect(rows).toEqual([{ recent: true }]);
	});

	it('keeps a given time only in order: after the previous entry (or the tenant), not ahead of the clock', async () => {
		const pastTenant = async () =>
			(
				await t.owner
					.insertInto('tenants')
					.values({
						slug: `past-${Math.random().toString(36).slice(2)}`,
						name: 'Past body',
						created_at: new Date('2025-01-01T00:00:00Z')
					})
					.returning('id')
					.executeTakeFirstOrThrow()
			).id;
		const write = (tenant: string, n: number, at?: string) =>
			t.db.inTenant({ tenantId: tenant, userId: actor }, (tx) =>
				recordAudit(tx, { ...entry(tenant, actor, n), at: at ? new Date(at) : undefined })
			);
		/** Each entry's time, or 'clock' where the chain took the clock instead. */
		const times = async (tenant: string) => {
			const { rows } = await sql<{ at: string; clock: boolean }>`
			  select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as at,
			    created_at > now() - interval '1 hour' and created_at <= clock_timestamp() as clock
			  from audit_log where tenant_id = ${tenant} order by seq`.execute(t.owner);
			expectUnbrokenChain(await readChain(t, tenant), rows.length);
			return rows.map((row) => (row.clock ? 'clock' : row.at));
		};

		const story = await pastTenant();
		await write(story, 1, '2025-02-01T08:00:00Z');
		await write(story, 2, '2025-03-01T08:00:00Z');
		await write(story, 3, '2025-02-15T08:00:00Z'); // before entry 2
		await write(story, 4, '2025-03-02T08:00:00Z'); // before entry 3, now the clock's
		await write(story, 5);
		expect(await times(story)).toEqual([
			'2025-02-01T08:00:00Z',
			'2025-03-01T08:00:00Z',
			'clock',
			'clock',
			'clock'
		]);

		const early = await pastTenant();
		await write(early, 1, '2024-12-31T23:59:59Z'); // before the tenant existed
		const ahead = await pastTenant();
		await write(ahead, 1, '2999-01-01T00:00:00Z'); // not yet
		expect([...(await times(early)), ...(await times(ahead))]).toEqual(['clock', 'clock']);
	});

	describe('is append-only', () => {
		const snapshot = async () =>
			(
				await sql<{
					row: string;
				}>`select to_jsonb(a)::text as row from audit_log a order by tenant_id, seq`.execute(
					t.owner
				)
			).rows.map((r) => r.row);
		let before: string[];

		beforeAll(async () => {
			before = await snapshot();
		});

		it('refuses the owner an UPDATE', async () => {
			await expect(
				sql`update audit_log set after = '{"tampered":true}'::jsonb
				    where tenant_id = ${tenantA} and seq = 2`.execute(t.owner)
			).rejects.toThrow(APPEND_ONLY_REFUSAL);
			await expect(
				sql`update audit_log set action = action where tenant_id = ${tenantA}`.execute(t.owner)
			).rejects.toThrow(APPEND_ONLY_REFUSAL);
		});

		it('refuses the owner a DELETE', async () => {
			await expect(
				sql`delete from audit_log where tenant_id = ${tenantA} and seq = 3`.execute(t.owner)
			).rejects.toThrow(APPEND_ONLY_REFUSAL);
			await expect(sql`delete from audit_log`.execute(t.owner)).rejects.toThrow(
				APPEND_ONLY_REFUSAL
			);
		});

		it('refuses the owner a TRUNCATE', async () => {
			await expect(sql`truncate audit_log`.execute(t.owner)).rejects.toThrow(APPEND_ONLY_REFUSAL);
		});

		it('refuses the app role UPDATE, DELETE and TRUNCATE', async () => {
			const scope = { tenantId: tenantA, userId: actor };
			await expect(
				t.db.inTenant(scope, (tx) =>
					sql`update audit_log set after = '{"tampered":true}'::jsonb where seq = 2`.execute(tx)
				)
			).rejects.toThrow(PERMISSION_REFUSAL);
			await expect(
				t.db.inTenant(scope, (tx) => sql`delete from audit_log where seq = 3`.execute(tx))
			).rejects.toThrow(PERMISSION_REFUSAL);
			await expect(
				t.db.inTenant(scope, (tx) => sql`truncate audit_log`.execute(tx))
			).rejects.toThrow(PERMISSION_REFUSAL);
		});

		it('still holds every entry, unchanged, after all those attempts', async () => {
			expectUnbrokenChain(await readChain(t, tenantA), 3);
			expectUnbrokenChain(await readChain(t, tenantB), 2);
			expect(await snapshot()).toEqual(before);
		});
	});

	describe('tampering', () => {
		it('a different payload does not reproduce the stored hash', async () => {
			const { rows } = await sql<{
				genuine: boolean;
				other_after: boolean;
				other_before: boolean;
				other_actor: boolean;
				other_time: boolean;
				other_prev: boolean;
			}>`
			  select
			    audit_entry_hash(prev_hash, tenant_id, seq, actor_user_id, action, entity_type, entity_id,
			      before, after, created_at) = hash as genuine,
			    audit_entry_hash(prev_hash, tenant_id, seq, actor_user_id, action, entity_type, entity_id,
			      before, '{"tampered":true}'::jsonb, created_at) = hash as other_after,
			    audit_entry_hash(prev_hash, tenant_id, seq, actor_user_id, action, entity_type, entity_id,
			      null, after, created_at) = hash as other_before,
			    audit_entry_hash(prev_hash, tenant_id, seq, null, action, entity_type, entity_id,
			      before, after, created_at) = hash as other_actor,
			    audit_entry_hash(prev_hash, tenant_id, seq, actor_user_id, action, entity_type, entity_id,
			      before, after, created_at + interval '1 microsecond') = hash as other_time,
			    audit_entry_hash(${ZERO_HASH}, tenant_id, seq, actor_user_id, action, entity_type, entity_id,
			      before, after, created_at) = hash as other_prev
			  from audit_log where tenant_id = ${tenantA} and seq = 2`.execute(t.owner);
			expect(rows).toEqual([
				{
					genuine: true,
					other_after: false,
					other_before: false,
					other_actor: false,
					other_time: false,
					other_prev: false
				}
			]);
		});

		it('a verification over a tampered copy of the chain points at the altered entry', async () => {
			const { rows } = await sql<{ seq: number }>`
			  with tampered as (
			    select tenant_id, seq, actor_user_id, action, entity_type, entity_id, before,
			      case when seq = 2 then '{"tampered":true}'::jsonb else after end as after,
			      created_at, prev_hash, hash
			    from audit_log where tenant_id = ${tenantA}
			  )
			  select seq::int as seq from tampered
			  where audit_entry_hash(prev_hash, tenant_id, seq, actor_user_id, action, entity_type,
			    entity_id, before, after, created_at) <> hash
			  order by seq`.execute(t.owner);
			expect(rows).toEqual([{ seq: 2 }]);
		});
	});

	if (kind === 'postgres') {
		describe('under concurrency', () => {
			it('gives 20 concurrent writers of one tenant seq 1..20 and an unbroken chain', async () => {
				const tenant = (await newTenant(t)).id;
				// Two pools of 10: all 20 transactions really are open at once.
				const second = connectPostgres(t.url!, { max: 10 });
				const other = new AppDatabase(second);
				try {
					const write = (round: number) =>
						Promise.all(
							Array.from({ length: 20 }, (_, i) =>
								(i % 2 === 0 ? t.db : other).inTenant({ tenantId: tenant, userId: actor }, (tx) =>
									recordAudit(tx, entry(tenant, actor, round * 100 + i))
								)
							)
						);
					// The first round races for the chain head that does not exist yet.
					await write(0);
					expectUnbrokenChain(await readChain(t, tenant), 20);
					// The second extends an existing head.
					await write(1);
					expectUnbrokenChain(await readChain(t, tenant), 40);
				} finally {
					await second.close();
				}
				const { rows } = await sql<{
					n: number;
					entities: number;
				}>`select count(*)::int as n, count(distinct entity_id)::int as entities
				   from audit_log where tenant_id = ${tenant}`.execute(t.owner);
				expect(rows).toEqual([{ n: 40, entities: 40 }]);
				const head = await sql<{ seq: number }>`
				  select seq::int as seq from audit_chain_heads where tenant_id = ${tenant}`.execute(t.owner);
				expect(head.rows).toEqual([{ seq: 40 }]);
			});
		});
	}
});
