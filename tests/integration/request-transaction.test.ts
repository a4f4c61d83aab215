import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { newOrganisation, newPerson, newTenant } from '../support/factories';
import { noteOutboxRows, type Tx } from '../../src/lib/server/db/tenant-scope';

/*
 * One transaction per request (issue 9 item 1), on both dialects: the calls a request makes share
 * it, each in its own tenant scope, and what a call would have had from a transaction of its own —
 * its changes undone when it throws, outbox rows heard only after a commit — still holds.
 */

const txid = async (tx: Tx) =>
	(await sql<{ id: string }>`select txid_current()::text as id`.execute(tx)).rows[0]!.id;

const organisationNames = async (tx: Tx) =>
	(await tx.selectFrom('organisations').select('legal_name').orderBy('legal_name').execute()).map(
		(row) => row.legal_name
	);

describe.each(DIALECTS)('a request transaction on %s', (kind) => {
	let t: TestDatabase;
	let tenantA: string;
	let tenantB: string;
	let userId: string;

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		tenantA = (await newTenant(t)).id;
		tenantB = (await newTenant(t)).id;
		userId = (await newPerson(t)).id;
		await newOrganisation(t, tenantA, 'A organisation');
		await newOrganisation(t, tenantB, 'B organisation');
	}, 60_000);

	afterAll(async () => {
		await t?.drop();
	});

	it('shares one transaction between the calls, each seeing only its own scope', async () => {
		const seen = await t.db.inRequest(async () => {
			const first = await t.db.asPerson(null, async (tx) => [
				await txid(tx),
				await organisationNames(tx)
			]);
			const a = await t.db.inTenant({ tenantId: tenantA, userId }, async (tx) => [
				await txid(tx),
				await organisationNames(tx)
			]);
			const b = await t.db.inTenant({ tenantId: tenantB, userId }, async (tx) => [
				await txid(tx),
				await organisationNames(tx)
			]);
			const after = await t.db.asPerson(userId, async (tx) => [
				await txid(tx),
				await organisationNames(tx)
			]);
			return { first, a, b, after };
		});
		expect(new Set([seen.first[0], seen.a[0], seen.b[0], seen.after[0]]).size).toBe(1);
		expect(seen.first[1]).toEqual([]);
		expect(seen.a[1]).toEqual(['A organisation']);
		expect(seen.b[1]).toEqual(['B organisation']);
		expect(seen.after[1]).toEqual([]);
	});

	it('lets calls made at once take turns, each in its own scope', async () => {
		const [a, b] = await t.db.inRequest(() =>
			Promise.all([
				t.db.inTenant({ tenantId: tenantA, userId }, organisationNames),
				t.db.inTenant({ tenantId: tenantB, userId }, organisationNames)
			])
		);
		expect(a).toEqual(['A organisation']);
		expect(b).toEqual(['B organisation']);
	});

	it('undoes a call that throws; the calls after it commit in transactions of their own', async () => {
		const ids = await t.db
			.inRequest(async () => {
				const first = await t.db.inTenant({ tenantId: tenantA, userId }, txid);
				await t.db
					.inTenant({ tenantId: tenantA, userId }, async (tx) => {
						await tx
							.updateTable('organisations')
							.set({ address: 'thrown away' })
							.where('legal_name', '=', 'A organisation')
							.execute();
						throw new Error('refused');
					})
					.catch(() => {});
				const second = await t.db.inTenant({ tenantId: tenantA, userId }, async (tx) => {
					await tx
						.updateTable('organisations')
						.set({ address: 'kept' })
						.where('legal_name', '=', 'A organisation')
						.execute();
					return txid(tx);
				});
				const third = await t.db.inTenant({ tenantId: tenantA, userId }, txid);
				return { first, second, third };
			})
			.catch((error) => error);
		expect(ids.second).not.toBe(ids.first);
		expect(ids.third).not.toBe(ids.second);
		const row = await t.owner
			.selectFrom('organisations')
			.select('address')
			.where('legal_name', '=', 'A organisation')
			.executeTakeFirstOrThrow();
		expect(row.address).toBe('kept');
	});

	it('commits at endRequestTransaction; later calls have their own transactions', async () => {
		await t.db.inRequest(async () => {
			const first = await t.db.inTenant({ tenantId: tenantB, userId }, async (tx) => {
				await tx
					.updateTable('organisations')
					.set({ address: 'committed early' })
					.where('legal_name', '=', 'B organisation')
					.execute();
				return txid(tx);
			});
			await t.db.endRequestTransaction();
			const row = await t.owner
				.selectFrom('organisations')
				.select('address')
				.where('legal_name', '=', 'B organisation')
				.executeTakeFirstOrThrow();
			expect(row.address).toBe('committed early');
			expect(await t.db.inTenant({ tenantId: tenantB, userId }, txid)).not.toBe(first);
		});
	});

	it('lets a request made while answering another share its transaction', async () => {
		const [outer, inner] = await t.db.inRequest(async () => {
			const first = await t.db.inTenant({ tenantId: tenantA, userId }, txid);
			const nested = await t.db.inRequest(() => t.db.inTenant({ tenantId: tenantA, userId }, txid));
			return [first, nested];
		});
		expect(inner).toBe(outer);
	});

	it('tells the outbox listener about rows only once the request has committed, never on rollback', async () => {
		const heard: [string, string[]][] = [];
		t.db.onOutboxCommitted((tenantId, ids) => heard.push([tenantId, ids]));
		try {
			await t.db.inRequest(async () => {
				await t.db.inTenant({ tenantId: tenantA, userId }, async (tx) => {
					noteOutboxRows(tx, ['outbox-1']);
				});
				await t.db.inTenant({ tenantId: tenantB, userId }, async (tx) => {
					noteOutboxRows(tx, ['outbox-2']);
				});
				expect(heard).toEqual([]);
			});
			expect(heard).toEqual([
				[tenantA, ['outbox-1']],
				[tenantB, ['outbox-2']]
			]);
			heard.length = 0;
			await t.db
				.inRequest(async () => {
					await t.db.inTenant({ tenantId: tenantA, userId }, async (tx) => {
						noteOutboxRows(tx, ['outbox-3']);
					});
					throw new Error('the request failed');
				})
				.catch(() => {});
			expect(heard).toEqual([]);
		} finally {
			t.db.onOutboxCommitted(null);
		}
	});
});
