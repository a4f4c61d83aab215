import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import {
	actorOf,
	callerFor,
	newActor,
	newMembership,
	newOrganisation,
	newPerson,
	newTenant,
	testApp,
	TEST_PASSWORD
} from '../support/factories';
import { openInvitation } from '../support/invitations';
import {
	addMember,
	changeMemberRole,
	deactivateMember,
	reactivateMember,
	resendInvitation
} from '../../src/lib/server/services/members';
import {
	changeOwnPassword,
	completePasswordReset,
	requestPasswordReset,
	resetLinkIsLive,
	RESET_TOKEN_LIFETIME_MS
} from '../../src/lib/server/services/passwords';
import { signIn } from '../../src/lib/server/services/sign-in';
import {
	chooseTenant,
	listTenantsOf,
	resolveActing,
	sessionPolicy,
	validateSessionToken
} from '../../src/lib/server/services/sessions';
import { createSignInLimiter } from '../../src/lib/server/auth/rate-limit';
import { messageContent } from '../../src/lib/server/mail/outbox';
import { deliverTenantOutbox } from '../../src/lib/server/mail/delivery';
import type { MailTransport, OutgoingMail } from '../../src/lib/server/mail/transport';
import { fromAddress } from '../../src/lib/server/mail/transport';
import { listDeliveryPage } from '../../src/lib/server/services/deliveries';
import type { App } from '../../src/lib/server/app';

/*
 * Issue 12 item 7: people. Deactivation is per body and signs the person out of it at once; roles
 * change and invitations are sent again by the body's admin, or by an organisation's admin for
 * their own organisation's users only (never making anyone staff); a forgotten password is reset
 * through a single-use, expiring emailed link; a person changes their own given the current one.
 * Each change is audited.
 */

const unique = () => randomBytes(5).toString('hex');
const POLICY = sessionPolicy(30);

describe.each(DIALECTS)('people management on %s', (kind) => {
	let t: TestDatabase;
	let app: App;

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		app = testApp(t);
	});

	afterAll(async () => {
		await t?.drop();
	});

	const limiter = () => createSignInLimiter({ redis: null, prefix: `test-${unique()}` });
	const address = () => `203.0.113.${Math.floor(Math.random() * 250) + 1}-${unique()}`;

	/** A session of `email` acting in `tenantId`, as the login form makes it. */
	async function sessionIn(email: string, tenantId: string, password = TEST_PASSWORD) {
		const result = await signIn(
			{ db: t.db, limiter: limiter(), sessionPolicy: POLICY },
			{ email, password, address: address() }
		);
		if (!result.ok) throw new Error(`sign-in failed: ${result.reason}`);
		const person = await validateSessionToken(t.db, result.token, POLICY);
		if (!person || !(await chooseTenant(t.db, person, tenantId))) throw new Error('no tenant');
		return result.token;
	}

	/** What the next request of `token` resolves: the person and the actor (null: signed out). */
	async function nextRequest(token: string) {
		const person = await validateSessionToken(t.db, token, POLICY);
		if (!person) return { person: null, actor: null };
		return { person, actor: (await resolveActing(t.db, person)).actor };
	}

	function auditOf(tenantId: string, action: string) {
		return t.owner
			.selectFrom('audit_log')
			.select(['action', 'entity_type', 'entity_id', 'actor_user_id', 'before', 'after'])
			.where('tenant_id', '=', tenantId)
			.where('action', '=', action)
			.execute();
	}

	async function membershipOf(tenantId: string, userId: string) {
		return t.owner
			.selectFrom('memberships')
			.selectAll()
			.where('tenant_id', '=', tenantId)
			.where('user_id', '=', userId)
			.executeTakeFirstOrThrow();
	}

	async function body() {
		const tenant = await newTenant(t);
		const admin = await newActor(t, tenant.id, 'admin');
		const organisation = await newOrganisation(t, tenant.id);
		const other = await newOrganisation(t, tenant.id);
		const orgAdmin = await newActor(t, tenant.id, 'org_admin', organisation.id);
		return { tenant, admin, organisation, other, orgAdmin };
	}

	describe('deactivation', () => {
		it('revokes a live session at once: its next request is signed out of the body', async () => {
			const { tenant, admin } = await body();
			const person = await newPerson(t);
			const membership = await newMembership(t, tenant.id, person.id, 'evaluator');
			const token = await sessionIn(person.email, tenant.id);
			expect((await nextRequest(token)).actor?.tenantId).toBe(tenant.id);

			const result = await deactivateMember(t.db, admin, { membershipId: membership.id });
			expect(result.sessionsEnded).toBe(1);
			expect(await nextRequest(token)).toEqual({ person: null, actor: null });
			// A fresh sign-in does not reach the body either: it is no longer offered.
			expect(await listTenantsOf(t.db, person.id)).toEqual([]);
			const row = await membershipOf(tenant.id, person.id);
			expect(row.deactivated_at).not.toBeNull();
			expect(row.deactivated_by).toBe(admin.userId);
			expect(await auditOf(tenant.id, 'membership.deactivate')).toEqual([
				expect.objectContaining({ entity_id: membership.id, actor_user_id: admin.userId })
			]);
		});

		it("leaves the person's sessions in their other bodies alone", async () => {
			const { tenant, admin } = await body();
			const home = await newTenant(t);
			const person = await newPerson(t);
			const membership = await newMembership(t, tenant.id, person.id, 'evaluator');
			await newMembership(t, home.id, person.id, 'evaluator');
			const elsewhere = await sessionIn(person.email, home.id);
			await deactivateMember(t.db, admin, { membershipId: membership.id });
			expect((await nextRequest(elsewhere)).actor?.tenantId).toBe(home.id);
			expect((await listTenantsOf(t.db, person.id)).map((m) => m.tenant_id)).toEqual([home.id]);
		});

		it('reactivates: the person can sign in to the body again, audited', async () => {
			const { tenant, admin } = await body();
			const person = await newPerson(t);
			const membership = await newMembership(t, tenant.id, person.id, 'decision_maker');
			await deactivateMember(t.db, admin, { membershipId: membership.id });
			await expect(
				deactivateMember(t.db, admin, { membershipId: membership.id })
			).rejects.toMatchObject({ kind: 'CONFLICT', messageKey: 'people_error_already_deactivated' });
			await reactivateMember(t.db, admin, { membershipId: membership.id });
			const token = await sessionIn(person.email, tenant.id);
			expect((await nextRequest(token)).actor?.role).toBe('decision_maker');
			expect(await auditOf(tenant.id, 'membership.reactivate')).toHaveLength(1);
		});

		it('shows deactivated people on the list, marked', async () => {
			const { tenant, admin } = await body();
			const person = await newPerson(t);
			const membership = await newMembership(t, tenant.id, person.id, 'evaluator');
			await deactivateMember(t.db, admin, { membershipId: membership.id });
			const list = await callerFor(app, admin).members.list();
			expect(list.find((row) => row.id === membership.id)?.deactivated_at).not.toBeNull();
		});

		it('refuses deactivating oneself, and a membership of another body as absent', async () => {
			const { admin } = await body();
			const self = await membershipOf(admin.tenantId, admin.userId);
			await expect(deactivateMember(t.db, admin, { membershipId: self.id })).rejects.toMatchObject({
				messageKey: 'people_error_self'
			});
			const elsewhere = await body();
			const foreign = await membershipOf(elsewhere.tenant.id, elsewhere.admin.userId);
			await expect(
				callerFor(app, admin).members.deactivate({ membershipId: foreign.id })
			).rejects.toMatchObject({ code: 'NOT_FOUND' });
			expect((await membershipOf(elsewhere.tenant.id, elsewhere.admin.userId)).deactivated_at).toBe(
				null
			);
		});

		it("cannot end another body's sessions through the database function", async () => {
			const { tenant } = await body();
			const elsewhere = await body();
			const token = await sessionIn(
				(
					await t.owner
						.selectFrom('users')
						.select('email')
						.where('id', '=', elsewhere.admin.userId)
						.executeTakeFirstOrThrow()
				).email,
				elsewhere.tenant.id
			);
			const ended = await t.db.inTenant({ tenantId: tenant.id, userId: null }, (tx) =>
				sql<{
					n: number;
				}>`select app_sessions_delete_for_member(${elsewhere.admin.userId}) as n`.execute(tx)
			);
			expect(ended.rows[0]?.n).toBe(0);
			expect((await nextRequest(token)).actor?.tenantId).toBe(elsewhere.tenant.id);
		});
	});

	describe('roles', () => {
		it("an admin changes a member's role, audited with before and after", async () => {
			const { tenant, admin } = await body();
			const person = await newPerson(t);
			const membership = await newMembership(t, tenant.id, person.id, 'evaluator');
			const token = await sessionIn(person.email, tenant.id);
			await changeMemberRole(t.db, admin, { membershipId: membership.id, role: 'decision_maker' });
			// The next request acts with the new role.
			expect((await nextRequest(token)).actor?.role).toBe('decision_maker');
			expect(await auditOf(tenant.id, 'membership.role_change')).toEqual([
				expect.objectContaining({
					before: { role: 'evaluator', organisationId: null },
					after: expect.objectContaining({ role: 'decision_maker', organisationId: null })
				})
			]);
		});

		it('an organisation role always names its organisation', async () => {
			const { tenant, admin, organisation } = await body();
			const person = await newPerson(t);
			const membership = await newMembership(t, tenant.id, person.id, 'evaluator');
			await expect(
				changeMemberRole(t.db, admin, { membershipId: membership.id, role: 'org_member' })
			).rejects.toMatchObject({ kind: 'BAD_REQUEST', field: 'organisationId' });
			await changeMemberRole(t.db, admin, {
				membershipId: membership.id,
				role: 'org_member',
				organisationId: organisation.id
			});
			expect(await membershipOf(tenant.id, person.id)).toMatchObject({
				role: 'org_member',
				organisation_id: organisation.id
			});
		});

		it("an organisation's admin manages their own organisation's users only, and never makes staff", async () => {
			const { tenant, organisation, other, orgAdmin } = await body();
			const own = await newPerson(t);
			const ownMembership = await newMembership(
				t,
				tenant.id,
				own.id,
				'org_member',
				organisation.id
			);
			const foreign = await newPerson(t);
			const foreignMembership = await newMembership(
				t,
				tenant.id,
				foreign.id,
				'org_member',
				other.id
			);
			const staff = await newPerson(t);
			const staffMembership = await newMembership(t, tenant.id, staff.id, 'evaluator');

			await changeMemberRole(t.db, orgAdmin, { membershipId: ownMembership.id, role: 'org_admin' });
			expect((await membershipOf(tenant.id, own.id)).role).toBe('org_admin');

			// Staff: refused, and nothing changed.
			await expect(
				changeMemberRole(t.db, orgAdmin, { membershipId: ownMembership.id, role: 'admin' })
			).rejects.toMatchObject({ kind: 'FORBIDDEN' });
			await expect(
				callerFor(app, orgAdmin).members.changeRole({
					membershipId: ownMembership.id,
					role: 'evaluator'
				})
			).rejects.toMatchObject({ code: 'FORBIDDEN' });
			expect((await membershipOf(tenant.id, own.id)).role).toBe('org_admin');
			// Moving their user to another organisation: refused.
			await expect(
				changeMemberRole(t.db, orgAdmin, {
					membershipId: ownMembership.id,
					role: 'org_member',
					organisationId: other.id
				})
			).rejects.toMatchObject({ kind: 'FORBIDDEN' });

			// Another organisation's user and the body's staff are as if absent.
			for (const membershipId of [foreignMembership.id, staffMembership.id]) {
				await expect(
					changeMemberRole(t.db, orgAdmin, { membershipId, role: 'org_member' })
				).rejects.toMatchObject({ kind: 'NOT_FOUND' });
				await expect(deactivateMember(t.db, orgAdmin, { membershipId })).rejects.toMatchObject({
					kind: 'NOT_FOUND'
				});
			}
			expect((await membershipOf(tenant.id, foreign.id)).deactivated_at).toBeNull();
			expect((await membershipOf(tenant.id, staff.id)).role).toBe('evaluator');

			// Their own user they may deactivate.
			await deactivateMember(t.db, orgAdmin, { membershipId: ownMembership.id });
			expect((await membershipOf(tenant.id, own.id)).deactivated_at).not.toBeNull();
		});
	});

	describe('invitations sent again', () => {
		it('writes a new email for the open invitation, audited', async () => {
			const { tenant, admin } = await body();
			const email = `invitee-${unique()}@example.test`;
			const { invitationId } = await addMember(t.db, admin, {
				email,
				role: 'evaluator',
				organisationId: null
			});
			await resendInvitation(t.db, admin, { invitationId });
			const mails = await t.owner
				.selectFrom('outbox')
				.select(['template', 'to_email', 'link'])
				.where('tenant_id', '=', tenant.id)
				.where('template', '=', 'membership.invitation')
				.execute();
			expect(mails).toHaveLength(2);
			expect(mails.every((mail) => mail.to_email === email)).toBe(true);
			expect(await auditOf(tenant.id, 'membership.resend_invitation')).toEqual([
				expect.objectContaining({ entity_id: invitationId, actor_user_id: admin.userId })
			]);
		});

		it("an organisation's admin resends their organisation's invitations, not another's", async () => {
			const { tenant, admin, organisation, other, orgAdmin } = await body();
			const ours = `ours-${unique()}@example.test`;
			const theirs = `theirs-${unique()}@example.test`;
			await addMember(t.db, admin, {
				email: ours,
				role: 'org_member',
				organisationId: organisation.id
			});
			await addMember(t.db, admin, { email: theirs, role: 'org_member', organisationId: other.id });
			const own = (await openInvitation(t, tenant.id, ours))!;
			const foreign = (await openInvitation(t, tenant.id, theirs))!;
			await expect(resendInvitation(t.db, orgAdmin, { invitationId: own.id })).resolves.toEqual({
				resent: ours
			});
			await expect(
				resendInvitation(t.db, orgAdmin, { invitationId: foreign.id })
			).rejects.toMatchObject({ kind: 'NOT_FOUND', messageKey: 'invitations_gone' });
		});

		it('refuses an answered invitation as gone', async () => {
			const { admin } = await body();
			await expect(
				resendInvitation(t.db, admin, { invitationId: '00000000-0000-4000-8000-000000000000' })
			).rejects.toMatchObject({ kind: 'NOT_FOUND', messageKey: 'invitations_gone' });
		});
	});

	describe('password reset', () => {
		/** The token of the newest reset email to `email`, from the link it carries. */
		async function mailedToken(email: string) {
			const row = await t.owner
				.selectFrom('outbox')
				.selectAll()
				.where('to_email', '=', email)
				.where('template', '=', 'person.password_reset')
				.orderBy('created_at', 'desc')
				.executeTakeFirst();
			if (!row) return null;
			const content = messageContent(row);
			expect(content.text).toContain(row.link);
			// Sent to an address, not to an account's notification list: no settings link.
			expect(content.text).not.toContain('/notifications');
			expect(content.html).not.toContain('/notifications');
			return /\/reset-password\/([A-Za-z0-9_-]+)$/.exec(row.link)?.[1] ?? null;
		}

		async function personIn(role: 'evaluator' = 'evaluator') {
			const tenant = await newTenant(t);
			const person = await newPerson(t);
			await newMembership(t, tenant.id, person.id, role);
			return { tenant, person };
		}

		const deps = () => ({ db: t.db, limiter: limiter() });

		it('emails a link through the outbox of the person’s body, audited, with no session', async () => {
			const { tenant, person } = await personIn();
			const answer = await requestPasswordReset(deps(), {
				email: person.email,
				address: address()
			});
			expect(answer).toEqual({ ok: true });
			const token = await mailedToken(person.email);
			expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
			expect(await resetLinkIsLive(t.db, token!)).toBe(true);
			// Only the token's hash is stored.
			const stored = await t.owner.selectFrom('password_reset_tokens').selectAll().execute();
			expect(
				stored.some((row) => Buffer.from(row.token_hash).toString('base64url') === token)
			).toBe(false);
			expect(await auditOf(tenant.id, 'person.password_reset_request')).toHaveLength(1);
		});

		it('answers an unknown address exactly as a known one, and sends nothing', async () => {
			const { person } = await personIn();
			const before = await t.owner.selectFrom('outbox').select('id').execute();
			const unknown = await requestPasswordReset(deps(), {
				email: `nobody-${unique()}@example.test`,
				address: address()
			});
			const known = await requestPasswordReset(deps(), { email: person.email, address: address() });
			expect(unknown).toEqual(known);
			const after = await t.owner.selectFrom('outbox').select('id').execute();
			expect(after.length - before.length).toBe(1);
		});

		it('sets the new password once, signed out, and ends every session', async () => {
			const { tenant, person } = await personIn();
			const session = await sessionIn(person.email, tenant.id);
			await requestPasswordReset(deps(), { email: person.email, address: address() });
			const token = (await mailedToken(person.email))!;
			const newPassword = 'a-brand-new-password';
			expect(
				await completePasswordReset(deps(), { token, password: newPassword, address: address() })
			).toEqual({ ok: true });
			expect((await nextRequest(session)).person).toBeNull();
			await expect(sessionIn(person.email, tenant.id, newPassword)).resolves.toBeTruthy();
			await expect(sessionIn(person.email, tenant.id)).rejects.toThrow(/invalid_credentials/);
			// Single use: the same link again changes nothing.
			expect(
				await completePasswordReset(deps(), {
					token,
					password: 'yet-another-password',
					address: address()
				})
			).toEqual({ ok: false, reason: 'invalid' });
			await expect(sessionIn(person.email, tenant.id, newPassword)).resolves.toBeTruthy();
			expect(await resetLinkIsLive(t.db, token)).toBe(false);
			expect(await auditOf(tenant.id, 'person.password_reset')).toHaveLength(1);
		});

		it('refuses a wrong or malformed token', async () => {
			const { person } = await personIn();
			await requestPasswordReset(deps(), { email: person.email, address: address() });
			for (const token of [randomBytes(32).toString('base64url'), 'short', '../../etc/passwd']) {
				expect(
					await completePasswordReset(deps(), {
						token,
						password: 'whatever-password',
						address: address()
					})
				).toEqual({ ok: false, reason: 'invalid' });
			}
			await expect(
				sessionIn(
					person.email,
					(
						await t.owner
							.selectFrom('memberships')
							.select('tenant_id')
							.where('user_id', '=', person.id)
							.executeTakeFirstOrThrow()
					).tenant_id
				)
			).resolves.toBeTruthy();
		});

		it('expires after an hour', async () => {
			const { person } = await personIn();
			const sent = new Date();
			await requestPasswordReset(deps(), { email: person.email, address: address() }, sent);
			const token = (await mailedToken(person.email))!;
			const late = new Date(sent.getTime() + RESET_TOKEN_LIFETIME_MS + 1000);
			expect(await resetLinkIsLive(t.db, token, late)).toBe(false);
			expect(
				await completePasswordReset(
					deps(),
					{ token, password: 'too-late-password', address: address() },
					late
				)
			).toEqual({ ok: false, reason: 'invalid' });
			const inTime = new Date(sent.getTime() + RESET_TOKEN_LIFETIME_MS - 60_000);
			expect(await resetLinkIsLive(t.db, token, inTime)).toBe(true);
		});

		it('is throttled like sign-in', async () => {
			const { person } = await personIn();
			const from = address();
			const shared = limiter();
			let answer;
			for (let i = 0; i < 12; i++)
				answer = await requestPasswordReset(
					{ db: t.db, limiter: shared },
					{ email: person.email, address: from }
				);
			expect(answer).toMatchObject({ ok: false, reason: 'throttled' });
		}, 60_000);

		it("hides the link from the body's Deliveries page", async () => {
			const { tenant, person } = await personIn();
			const admin = await newActor(t, tenant.id, 'admin');
			await requestPasswordReset(deps(), { email: person.email, address: address() });
			const page = await listDeliveryPage(t.db, admin);
			const row = page.rows.find((r) => r.template === 'person.password_reset');
			expect(row?.link).toMatch(/\/reset-password\/…$/);
		});
	});

	describe('changing one’s own password', () => {
		it('needs the current password; ends the other sessions but keeps this one', async () => {
			const tenant = await newTenant(t);
			const person = await newPerson(t);
			await newMembership(t, tenant.id, person.id, 'evaluator');
			const here = await sessionIn(person.email, tenant.id);
			const there = await sessionIn(person.email, tenant.id);
			const current = (await validateSessionToken(t.db, here, POLICY))!;
			const deps = { db: t.db, limiter: limiter() };

			await expect(
				changeOwnPassword(deps, current, {
					current: 'not-the-password',
					password: 'my-new-password-1',
					address: address()
				})
			).rejects.toMatchObject({ kind: 'BAD_REQUEST', field: 'current' });
			expect((await nextRequest(there)).actor).not.toBeNull();

			await changeOwnPassword(deps, current, {
				current: TEST_PASSWORD,
				password: 'my-new-password-1',
				address: address()
			});
			expect((await nextRequest(here)).actor?.userId).toBe(person.id);
			expect((await nextRequest(there)).person).toBeNull();
			await expect(sessionIn(person.email, tenant.id, 'my-new-password-1')).resolves.toBeTruthy();
			expect(await auditOf(tenant.id, 'person.password_change')).toEqual([
				expect.objectContaining({ entity_id: person.id, actor_user_id: person.id })
			]);
		});
	});

	describe("the body's sender name", () => {
		it('is the From display name of its emails when set, with the installation address', async () => {
			const { tenant, admin } = await body();
			await t.owner
				.updateTable('tenants')
				.set({ mail_sender_name: '示范认证 Mail' })
				.where('id', '=', tenant.id)
				.execute();
			await addMember(t.db, admin, {
				email: `from-${unique()}@example.test`,
				role: 'evaluator',
				organisationId: null
			});
			const sent: OutgoingMail[] = [];
			const transport: MailTransport = {
				kind: 'files',
				describe: () => 'test',
				close: () => {},
				send: async (mail) => {
					sent.push(mail);
				}
			};
			await deliverTenantOutbox(t.db, transport, tenant.id);
			expect(sent).toHaveLength(1);
			expect(sent[0]?.fromName).toBe('示范认证 Mail');
			expect(fromAddress('CertTrack <no-reply@certtrack.local>')).toBe('no-reply@certtrack.local');
			expect(fromAddress('bare@example.test')).toBe('bare@example.test');
		});
	});

	it('acts on real actors resolved from the database', async () => {
		// actorOf is the same resolution as a request's: a deactivated member resolves none.
		const { tenant, admin } = await body();
		const person = await newPerson(t);
		const membership = await newMembership(t, tenant.id, person.id, 'evaluator');
		await deactivateMember(t.db, admin, { membershipId: membership.id });
		await expect(actorOf(t, tenant.id, person.id)).rejects.toThrow('no membership');
	});
});
