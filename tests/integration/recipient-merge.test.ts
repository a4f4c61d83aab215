import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { newWorkflowWorld, type WorkflowWorld } from '../support/workflow-factories';
import {
	resolvedMessage,
	tenantMailContext,
	writeMessages
} from '../../src/lib/server/mail/outbox';

/*
 * The demo's organisation user is also its reminder contact, at the same address: one email,
 * and it is the user's, so the bell counts it (seen as "0 unread" in the browser before).
 */

describe.each(DIALECTS)('a contact and a user at one address (%s)', (kind) => {
	let t: TestDatabase;
	let world: WorkflowWorld;

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		world = await newWorkflowWorld(t);
	});
	afterAll(() => t?.drop());

	it('writes one message, for the user, with its notification', async () => {
		const email = world.orgUser.email;
		await t.db.inTenant({ tenantId: world.tenantId, userId: null }, async (tx) =>
			writeMessages(tx, await tenantMailContext(tx, world.tenantId), [
				resolvedMessage(
					'finding.evidence_verified',
					{ reference: 'NC-MERGE' },
					{
						recipients: [
							{ email, name: 'Contact', userId: null, locale: 'zh-CN', mailMode: 'immediate' },
							{
								email,
								name: world.orgUser.name,
								userId: world.orgUser.userId,
								locale: 'en',
								mailMode: 'immediate'
							}
						],
						link: '/findings/x',
						dedupeKey: 'merge-test'
					}
				)
			])
		);
		const rows = await t.owner
			.selectFrom('outbox')
			.select(['to_email', 'recipient_user_id', 'locale'])
			.where('dedupe_key', 'like', 'merge-test%')
			.execute();
		expect(rows).toEqual([
			{ to_email: email, recipient_user_id: world.orgUser.userId, locale: 'en' }
		]);
		const notes = await t.owner
			.selectFrom('notifications')
			.select('user_id')
			.where('dedupe_key', '=', 'merge-test')
			.execute();
		expect(notes).toEqual([{ user_id: world.orgUser.userId }]);
	});
});
