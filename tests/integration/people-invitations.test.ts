import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import {
	callerFor,
	newActor,
	newMembership,
	newOrganisation,
	newPerson,
	newTenant,
	testApp
} from '../support/factories';
import { openInvitation } from '../support/invitations';
import {
	addMember,
	answerMyInvitation,
	listMyInvitations,
	listPendingInvitations
} from '../../src/lib/server/services/members';
import type { App } from '../../src/lib/server/app';
import { messageContent } from '../../src/lib/server/mail/outbox';

/*
 * Issue 8 §16: people across tenants are invited, never attached. The invitation email is
 * written with the invitation; only the person can answer it; nobody else reads it.
 */

describe.each(DIALECTS)('membership invitations on %s', (kind) => {
	let t: TestDatabase;
	let app: App;

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		app = testApp(t);
	});

	afterAll(async () => {
		await t?.drop();
	});

	async function setting() {
		const tenantA = await newTenant(t, 'Inviting Body');
		const tenantB = await newTenant(t, 'Home Body');
		const adminA = await newActor(t, tenantA.id, 'admin');
		const adminB = await newActor(t, tenantB.id, 'admin');
		const person = await newPerson(t, { name: 'Secret Name' });
		await newMembership(t, tenantB.id, person.id, 'evaluator');
		return { tenantA, tenantB, adminA, adminB, person };
	}

	it('writes the invitation email in the same transaction, addressed by email only', async () => {
		const { tenantA, adminA, person } = await setting();
		const { invitationId } = await addMember(t.db, adminA, {
			email: person.email,
			role: 'evaluator',
			organisationId: null
		});
		const mail = await t.owner
			.selectFrom('outbox')
			.select([
				'template',
				'to_email',
				'dedupe_key',
				'locale',
				'subject',
				'link',
				'recipient_user_id',
				'params',
				'text_body',
				'html_body'
			])
			.where('tenant_id', '=', tenantA.id)
			.execute();
		expect(mail).toEqual([
			expect.objectContaining({
				template: 'membership.invitation',
				to_email: person.email,
				dedupe_key: `invitation:${invitationId}:${person.email.toLowerCase()}`
			})
		]);
		const { text, html } = messageContent(mail[0]!);
		expect(text).toContain('Inviting Body');
		expect(text).toContain('/choose-tenant');
		// The invitee may have no account yet: no link to notification settings.
		expect(text).not.toContain('/notifications');
		expect(html).not.toContain('/notifications');
		expect(text).toContain('邀请了此邮箱');
		// No in-app notification in a tenant the person is not a member of.
		const notes = await t.owner
			.selectFrom('notifications')
			.select('id')
			.where('tenant_id', '=', tenantA.id)
			.execute();
		expect(notes).toEqual([]);
	});

	it('rolls the invitation and its email back together when the add fails', async () => {
		const { tenantA, adminA } = await setting();
		const organisation = await newOrganisation(t, tenantA.id);
		await expect(
			addMember(t.db, adminA, {
				email: `nobody-${kind}@example.test`,
				role: 'org_member',
				organisationId: '00000000-0000-4000-8000-000000000000'
			})
		).rejects.toMatchObject({ messageKey: 'error_organisation_unknown' });
		expect(await openInvitation(t, tenantA.id, `nobody-${kind}@example.test`)).toBeUndefined();
		expect(organisation.id).toBeTruthy();
	});

	it('shows the person their own open invitations with the inviting body, and nobody else', async () => {
		const { adminA, person } = await setting();
		await addMember(t.db, adminA, { email: person.email, role: 'evaluator', organisationId: null });
		const mine = await listMyInvitations(t.db, person.id);
		expect(mine).toEqual([
			expect.objectContaining({ tenant_name: 'Inviting Body', role: 'evaluator' })
		]);
		const stranger = await newPerson(t);
		expect(await listMyInvitations(t.db, stranger.id)).toEqual([]);
		// Through tRPC, the signed-in person's own list.
		const person$ = {
			...adminA,
			userId: person.id,
			email: person.email,
			name: person.name
		};
		expect(await callerFor(app, person$).members.myInvitations()).toHaveLength(1);
	});

	it("keeps one tenant's invitations from another tenant's admins", async () => {
		const { adminA, adminB, person } = await setting();
		await addMember(t.db, adminA, { email: person.email, role: 'evaluator', organisationId: null });
		expect(await listPendingInvitations(t.db, adminA)).toEqual([
			expect.objectContaining({ email: person.email, role: 'evaluator' })
		]);
		expect(await listPendingInvitations(t.db, adminB)).toEqual([]);
		// The admin sees the address they typed, never the person's name.
		expect(JSON.stringify(await listPendingInvitations(t.db, adminA))).not.toContain('Secret Name');
	});

	it('lets only the invited person answer, once; declining attaches nothing', async () => {
		const { tenantA, adminA, person } = await setting();
		const { invitationId } = await addMember(t.db, adminA, {
			email: person.email,
			role: 'decision_maker',
			organisationId: null
		});
		const stranger = await newPerson(t);
		expect(await answerMyInvitation(t.db, stranger.id, invitationId, 'accepted')).toBe(false);
		expect(await answerMyInvitation(t.db, adminA.userId, invitationId, 'accepted')).toBe(false);
		expect(await answerMyInvitation(t.db, person.id, invitationId, 'declined')).toBe(true);
		expect(await answerMyInvitation(t.db, person.id, invitationId, 'accepted')).toBe(false);
		const memberships = await t.owner
			.selectFrom('memberships')
			.select('id')
			.where('tenant_id', '=', tenantA.id)
			.where('user_id', '=', person.id)
			.execute();
		expect(memberships).toEqual([]);
		expect(await listMyInvitations(t.db, person.id)).toEqual([]);
		const audit = await t.owner
			.selectFrom('audit_log')
			.select(['action', 'actor_user_id'])
			.where('tenant_id', '=', tenantA.id)
			.where('entity_id', '=', invitationId)
			.orderBy('seq')
			.execute();
		expect(audit).toEqual([
			{ action: 'membership.invite', actor_user_id: adminA.userId },
			{ action: 'membership.decline', actor_user_id: person.id }
		]);
		// Declined: a fresh invitation may be sent.
		const again = await addMember(t.db, adminA, {
			email: person.email,
			role: 'evaluator',
			organisationId: null
		});
		expect(again.invitationId).not.toBe(invitationId);
	});

	it('refuses an answer to an unknown invitation through tRPC with NOT_FOUND', async () => {
		const { adminA, person } = await setting();
		const person$ = { ...adminA, userId: person.id, email: person.email, name: person.name };
		await expect(
			callerFor(app, person$).members.answerInvitation({
				invitationId: '00000000-0000-4000-8000-000000000000',
				answer: 'accepted'
			})
		).rejects.toMatchObject({ code: 'NOT_FOUND' });
	});
});
