import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { newActor, newTenant } from '../support/factories';
import { resolveActing } from '../../src/lib/server/services/sessions';
import type { Actor } from '../../src/lib/server/actor';

/*
 * The header's bell counts the acting person's unread notifications in the transaction that
 * resolves their membership: their own only, of the tenant they act in only.
 */

describe.each(DIALECTS)('the notification bell on %s', (kind) => {
	let t: TestDatabase;
	let me: Actor;

	async function notify(tenantId: string, userId: string, key: string, read = false) {
		await t.owner
			.insertInto('notifications')
			.values({
				tenant_id: tenantId,
				user_id: userId,
				template: 'test',
				title: key,
				body: key,
				link: '/dashboard',
				dedupe_key: key,
				read_at: read ? new Date() : null
			})
			.execute();
	}

	const acting = (actor: Actor, tenantId: string) =>
		resolveActing(t.db, {
			sessionId: 'test-session',
			userId: actor.userId,
			email: actor.email,
			name: actor.name,
			locale: null,
			expiresAt: new Date(Date.now() + 60_000),
			tenantId
		});

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		const a = await newTenant(t);
		const b = await newTenant(t);
		me = await newActor(t, a.id, 'evaluator');
		const colleague = await newActor(t, a.id, 'evaluator');
		await notify(a.id, me.userId, 'mine-1');
		await notify(a.id, me.userId, 'mine-2');
		await notify(a.id, me.userId, 'mine-read', true);
		await notify(a.id, colleague.userId, 'theirs');
		// The same person's notification in another body, where they are no member.
		await notify(b.id, me.userId, 'other-body');
	});

	afterAll(async () => {
		await t?.drop();
	});

	it('counts the unread notifications of the acting person in their tenant only', async () => {
		const result = await acting(me, me.tenantId);
		expect(result.actor?.userId).toBe(me.userId);
		expect(result.unreadNotifications).toBe(2);
	});

	it('counts nothing, and resolves no actor, for a tenant the person is no member of', async () => {
		const other = await t.owner
			.selectFrom('notifications')
			.select('tenant_id')
			.where('dedupe_key', '=', 'other-body')
			.executeTakeFirstOrThrow();
		expect(await acting(me, other.tenant_id)).toEqual({ actor: null, unreadNotifications: 0 });
	});
});
