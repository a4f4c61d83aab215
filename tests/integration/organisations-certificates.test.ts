import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptInvitation } from '../support/invitations';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import {
	actorOf,
	callerFor,
	newActor,
	newOrganisation,
	newTenant,
	newUscc,
	testApp,
	TEST_PASSWORD
} from '../support/factories';
import { handleTrpcRequest } from '../../src/lib/server/trpc/handler';
import type { TrpcContext } from '../../src/lib/server/trpc/context';
import type { Actor } from '../../src/lib/server/actor';
import type { App } from '../../src/lib/server/app';
import type { Locale } from '../../db/schema';
import {
	certificateExpiry,
	DEFAULT_SCHEME_RULES,
	nextSurveillanceDue
} from '../../src/lib/server/domain/scheme-rules';
import { addMonths, todayInZone } from '../../src/lib/server/domain/calendar';
import en from '../../messages/en.json';
import organisationsEn from '../../messages/organisations/en.json';

/*
 * Organisations, their contacts and users, and certificates through the tRPC API, against a real
 * database: the happy paths with their audit entries and history, and every refusal (role,
 * tenant, organisation, stale version, bad input) leaving nothing behind.
 */

type Tenant = Awaited<ReturnType<typeof newTenant>>;
type Organisation = Awaited<ReturnType<typeof newOrganisation>>;

describe.each(DIALECTS)('organisations and certificates (%s)', (kind) => {
	let t: TestDatabase;
	let app: App;
	let tenantA: Tenant;
	let tenantB: Tenant;
	let orgX: Organisation;
	let orgY: Organisation;
	let orgB: Organisation;
	let adminA: Actor;
	let evaluatorA: Actor;
	let deciderA: Actor;
	let orgAdminX: Actor;
	let orgMemberX: Actor;
	let adminB: Actor;
	/** Tenant A's graded standard (five, four, three stars) and its levels by code. */
	let graded: { id: string; levels: Record<string, string> };
	/** Tenant A's standard without a grade scale. */
	let ungraded: { id: string };
	/** A grade of another scale of tenant A. */
	let foreignLevel: string;
	let certificateB: string;

	async function newStandard(
		tenantId: string,
		code: string,
		grades: string[] | null
	): Promise<{ id: string; levels: Record<string, string> }> {
		return t.db.inTenant({ tenantId, userId: null }, async (tx) => {
			let scaleId: string | null = null;
			const levels: Record<string, string> = {};
			if (grades) {
				const scale = await tx
					.insertInto('grade_scales')
					.values({ tenant_id: tenantId, name_zh: '星级', name_en: 'Stars' })
					.returning('id')
					.executeTakeFirstOrThrow();
				scaleId = scale.id;
				for (const [i, grade] of grades.entries()) {
					const level = await tx
						.insertInto('grade_levels')
						.values({
							tenant_id: tenantId,
							grade_scale_id: scale.id,
							rank: i + 1,
							code: grade,
							label_zh: `${grade}星`,
							label_en: `${grade} stars`
						})
						.returning('id')
						.executeTakeFirstOrThrow();
					levels[grade] = level.id;
				}
			}
			const standard = await tx
				.insertInto('standards')
				.values({ tenant_id: tenantId, code, title_zh: code, grade_scale_id: scaleId })
				.returning('id')
				.executeTakeFirstOrThrow();
			return { id: standard.id, levels };
		});
	}

	async function setValidityMonths(tenantId: string, standardId: string, months: number) {
		await t.db.inTenant({ tenantId, userId: null }, (tx) =>
			tx
				.insertInto('scheme_rules')
				.values({
					tenant_id: tenantId,
					standard_id: standardId,
					certificate_validity_months: months
				})
				.onConflict((oc) =>
					oc
						.columns(['tenant_id', 'standard_id'])
						.doUpdateSet({ certificate_validity_months: months })
				)
				.execute()
		);
	}

	let numbers = 0;
	const nextNumber = () => `CT-${kind}-${++numbers}`;

	function certificateInput(overrides: Record<string, unknown> = {}) {
		return {
			number: nextNumber(),
			organisationId: orgX.id,
			standardId: graded.id,
			scope: '家用电器的售后服务',
			gradeLevelId: graded.levels['5'],
			issuedOn: '2026-03-15',
			...overrides
		};
	}

	function contextFor(actor: Actor, locale: Locale = 'en'): TrpcContext {
		return {
			app,
			locale,
			actor,
			person: {
				sessionId: 'test-session',
				userId: actor.userId,
				email: actor.email,
				name: actor.name,
				locale: null,
				expiresAt: new Date(Date.now() + 86_400_000),
				tenantId: actor.tenantId
			}
		};
	}

	/** A JSON mutation through the HTTP handler, to read the translated field messages. */
	async function post(path: string, input: unknown, actor: Actor, locale: Locale = 'en') {
		const response = await handleTrpcRequest(
			new Request(`http://localhost/api/trpc/${path}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', origin: 'http://localhost' },
				body: JSON.stringify({ json: input })
			}),
			contextFor(actor, locale)
		);
		// eslint-disable-next-line @typescript-eslint/no-explicit-any
		return { status: response.status, body: (await response.json()) as any };
	}

	async function count(
		table: 'audit_log' | 'certificates' | 'certificate_history' | 'contacts' | 'memberships'
	) {
		const row = await t.owner
			.selectFrom(table)
			.select((eb) => eb.fn.countAll<string>().as('n'))
			.executeTakeFirstOrThrow();
		return Number(row.n);
	}

	/** Counts of every table a refused change might have touched. */
	async function snapshot() {
		return {
			audit: await count('audit_log'),
			certificates: await count('certificates'),
			history: await count('certificate_history'),
			contacts: await count('contacts'),
			memberships: await count('memberships')
		};
	}

	function auditOf(entityId: string) {
		return t.owner
			.selectFrom('audit_log')
			.select(['action', 'actor_user_id', 'tenant_id', 'entity_type', 'before', 'after'])
			.where('entity_id', '=', entityId)
			.orderBy('seq')
			.execute();
	}

	function historyOf(certificateId: string) {
		return t.owner
			.selectFrom('certificate_history')
			.selectAll()
			.where('certificate_id', '=', certificateId)
			.orderBy('recorded_at')
			.execute();
	}

	/** Refused with `code` (and the message key), and not a row written anywhere. */
	async function expectRefused(
		attempt: () => Promise<unknown>,
		code: string,
		message?: string
	): Promise<void> {
		const before = await snapshot();
		await expect(attempt()).rejects.toMatchObject(message ? { code, message } : { code });
		expect(await snapshot()).toEqual(before);
	}

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		app = testApp(t);
		tenantA = await newTenant(t, 'Body A');
		tenantB = await newTenant(t, 'Body B');
		orgX = await newOrganisation(t, tenantA.id, 'X Trading Co.');
		orgY = await newOrganisation(t, tenantA.id, 'Y Services Co.');
		orgB = await newOrganisation(t, tenantB.id, 'B Manufacturing Co.');
		adminA = await newActor(t, tenantA.id, 'admin');
		evaluatorA = await newActor(t, tenantA.id, 'evaluator');
		deciderA = await newActor(t, tenantA.id, 'decision_maker');
		orgAdminX = await newActor(t, tenantA.id, 'org_admin', orgX.id);
		orgMemberX = await newActor(t, tenantA.id, 'org_member', orgX.id);
		adminB = await newActor(t, tenantB.id, 'admin');
		graded = await newStandard(tenantA.id, 'GB/T 27922-2011', ['5', '4', '3']);
		ungraded = await newStandard(tenantA.id, 'GB/T 20647.9-2006', null);
		foreignLevel = (await newStandard(tenantA.id, 'RB/T 309-2017', ['A', 'B'])).levels['A']!;
		const standardB = await newStandard(tenantB.id, 'GB/T 27922-2011', ['5']);
		certificateB = (
			await callerFor(app, adminB).certificates.create({
				number: 'B-1',
				organisationId: orgB.id,
				standardId: standardB.id,
				scope: 'B scope',
				gradeLevelId: standardB.levels['5'],
				issuedOn: '2026-01-01'
			})
		).id;
	});

	afterAll(async () => {
		await t?.drop();
	});

	describe('organisations', () => {
		it('creates and edits an organisation with its version, each audited', async () => {
			const created = await callerFor(app, evaluatorA).organisations.create({
				legalName: '厦门立顺捷机电服务有限公司',
				uscc: newUscc(),
				address: '厦门市湖里区'
			});
			const updated = await callerFor(app, adminA).organisations.update({
				id: created.id,
				version: created.version,
				legalName: created.legal_name,
				uscc: created.uscc,
				address: '厦门市思明区'
			});
			expect(updated).toMatchObject({ version: 2, address: '厦门市思明区' });
			const audit = await auditOf(created.id);
			expect(audit.map((a) => [a.action, a.actor_user_id])).toEqual([
				['organisation.create', evaluatorA.userId],
				['organisation.update', adminA.userId]
			]);
		});

		it('refuses a stale version with CONFLICT and the reload message', async () => {
			const created = await callerFor(app, adminA).organisations.create({
				legalName: 'Stale Co.',
				uscc: newUscc(),
				address: ''
			});
			const input = { id: created.id, legalName: 'Stale Co.', uscc: created.uscc, address: 'A' };
			await callerFor(app, adminA).organisations.update({ ...input, version: 1 });
			await expectRefused(
				() =>
					callerFor(app, evaluatorA).organisations.update({ ...input, version: 1, address: 'B' }),
				'CONFLICT',
				'error_stale_version'
			);
			const { status, body } = await post(
				'organisations.update',
				{ ...input, version: 1 },
				evaluatorA
			);
			expect(status).toBe(409);
			expect(body.error.json.message).toBe(en.error_stale_version);
		});

		it('refuses organisation users (FORBIDDEN) and hides other tenants (NOT_FOUND)', async () => {
			await expectRefused(
				() =>
					callerFor(app, orgAdminX).organisations.create({
						legalName: 'Mine Co.',
						uscc: newUscc(),
						address: ''
					}),
				'FORBIDDEN'
			);
			await expectRefused(
				() =>
					callerFor(app, orgAdminX).organisations.update({
						id: orgX.id,
						version: orgX.version,
						legalName: 'Renamed by its own user',
						uscc: orgX.uscc,
						address: ''
					}),
				'FORBIDDEN'
			);
			await expectRefused(
				() =>
					callerFor(app, adminA).organisations.update({
						id: orgB.id,
						version: 1,
						legalName: 'Hijacked',
						uscc: orgB.uscc,
						address: ''
					}),
				'NOT_FOUND'
			);
			await expect(
				callerFor(app, adminA).organisations.timeline({ id: orgB.id })
			).rejects.toMatchObject({ code: 'NOT_FOUND' });
			await expect(
				callerFor(app, orgAdminX).organisations.timeline({ id: orgY.id })
			).rejects.toMatchObject({ code: 'NOT_FOUND' });
		});
	});

	describe('contacts', () => {
		const contact = {
			name: '王经理',
			email: 'wang@example.test',
			phone: '0592-1234567',
			locale: 'zh-CN' as const,
			receivesReminders: true
		};

		it('adds, edits and removes a contact, each audited and on the organisation timeline', async () => {
			const organisation = await newOrganisation(t, tenantA.id);
			const added = await callerFor(app, evaluatorA).organisations.addContact({
				...contact,
				organisationId: organisation.id
			});
			expect(added).toMatchObject({
				organisation_id: organisation.id,
				name: '王经理',
				locale: 'zh-CN',
				receives_reminders: true
			});
			const edited = await callerFor(app, adminA).organisations.updateContact({
				...contact,
				id: added.id,
				email: ' li@example.test ',
				locale: 'en',
				receivesReminders: false
			});
			expect(edited).toMatchObject({ email: 'li@example.test', locale: 'en' });
			expect(edited.receives_reminders).toBe(false);
			const seen = await callerFor(app, evaluatorA).organisations.get({ id: organisation.id });
			expect(seen.contacts.map((c) => c.email)).toEqual(['li@example.test']);

			await callerFor(app, evaluatorA).organisations.removeContact({ id: added.id });
			expect(
				(await callerFor(app, evaluatorA).organisations.get({ id: organisation.id })).contacts
			).toEqual([]);

			const audit = await auditOf(added.id);
			expect(audit.map((a) => [a.action, a.entity_type, a.actor_user_id, a.tenant_id])).toEqual([
				['contact.create', 'contact', evaluatorA.userId, tenantA.id],
				['contact.update', 'contact', adminA.userId, tenantA.id],
				['contact.delete', 'contact', evaluatorA.userId, tenantA.id]
			]);
			expect(audit[1]?.before).toMatchObject({ email: 'wang@example.test' });
			expect(audit[1]?.after).toMatchObject({ email: 'li@example.test', receivesReminders: false });

			const timeline = await callerFor(app, adminA).organisations.timeline({
				id: organisation.id
			});
			expect(timeline.map((entry) => entry.action)).toEqual([
				'contact.create',
				'contact.update',
				'contact.delete'
			]);
			expect(timeline[1]?.changes.map((c) => c.field).sort()).toEqual([
				'email',
				'locale',
				'receivesReminders'
			]);
		});

		it('refuses a bad email on the email field, in the user’s language, writing nothing', async () => {
			await expectRefused(
				() =>
					callerFor(app, adminA).organisations.addContact({
						...contact,
						email: 'not-an-email',
						organisationId: orgX.id
					}),
				'BAD_REQUEST'
			);
			const { status, body } = await post(
				'organisations.addContact',
				{ ...contact, email: 'not-an-email', organisationId: orgX.id },
				adminA
			);
			expect(status).toBe(400);
			expect(body.error.json.data.fields).toEqual({ email: en.error_email_invalid });
		});

		it('refuses organisation users, decision makers and evaluators (FORBIDDEN)', async () => {
			for (const actor of [orgAdminX, deciderA])
				await expectRefused(
					() =>
						callerFor(app, actor).organisations.addContact({ ...contact, organisationId: orgX.id }),
					'FORBIDDEN'
				);
		});

		it("answers another tenant's organisation or contact with NOT_FOUND", async () => {
			const contactB = await callerFor(app, adminB).organisations.addContact({
				...contact,
				organisationId: orgB.id
			});
			await expectRefused(
				() =>
					callerFor(app, adminA).organisations.addContact({ ...contact, organisationId: orgB.id }),
				'NOT_FOUND'
			);
			await expectRefused(
				() => callerFor(app, adminA).organisations.updateContact({ ...contact, id: contactB.id }),
				'NOT_FOUND'
			);
			await expectRefused(
				() => callerFor(app, adminA).organisations.removeContact({ id: contactB.id }),
				'NOT_FOUND'
			);
		});
	});

	describe('inviting organisation users', () => {
		it('lets a CB admin invite a member of this organisation, audited', async () => {
			const email = `invited-${kind}@example.test`;
			const result = await callerFor(app, adminA).organisations.invite({
				organisationId: orgY.id,
				email,
				name: 'Invited',
				password: TEST_PASSWORD,
				role: 'org_member'
			});
			expect(result).toEqual({ invitationId: expect.any(String), invited: true });
			expect((await auditOf(result.invitationId)).map((a) => a.action)).toEqual([
				'membership.invite'
			]);
			// A member only once they accept.
			expect(await callerFor(app, adminA).organisations.users({ id: orgY.id })).toEqual([]);
			const membership = await acceptInvitation(t, tenantA.id, email);
			expect((await auditOf(membership.id)).map((a) => a.action)).toEqual(['membership.grant']);
			const member = await actorOf(t, tenantA.id, membership.user_id);
			expect(member).toMatchObject({ role: 'org_member', organisationId: orgY.id });
			const users = await callerFor(app, adminA).organisations.users({ id: orgY.id });
			expect(users.map((u) => u.email)).toEqual([email]);
		});

		it("lets an organisation's admin invite into their own organisation only", async () => {
			const result = await callerFor(app, orgAdminX).organisations.invite({
				organisationId: orgX.id,
				email: `colleague-${kind}@example.test`,
				name: 'Colleague',
				password: TEST_PASSWORD,
				role: 'org_admin'
			});
			expect(result.invited).toBe(true);
			await expectRefused(
				() =>
					callerFor(app, orgAdminX).organisations.invite({
						organisationId: orgY.id,
						email: `intruder-${kind}@example.test`,
						name: 'Intruder',
						password: TEST_PASSWORD,
						role: 'org_member'
					}),
				'FORBIDDEN'
			);
		});

		it('refuses evaluators, organisation members and CB roles', async () => {
			for (const actor of [evaluatorA, orgMemberX])
				await expectRefused(
					() =>
						callerFor(app, actor).organisations.invite({
							organisationId: orgX.id,
							email: `nobody-${kind}@example.test`,
							name: 'Nobody',
							password: TEST_PASSWORD,
							role: 'org_member'
						}),
					'FORBIDDEN'
				);
			await expectRefused(
				() =>
					callerFor(app, adminA).organisations.invite({
						organisationId: orgX.id,
						email: `staff-${kind}@example.test`,
						name: 'Staff',
						password: TEST_PASSWORD,
						// @ts-expect-error: the API takes organisation roles only
						role: 'evaluator'
					}),
				'BAD_REQUEST'
			);
		});
	});

	describe('creating certificates', () => {
		it('imports a certificate: expiry from the scheme rules, history, audit, one transaction', async () => {
			const input = certificateInput();
			// Issue 12 item 1: typing a certificate in is importing it, the admin's alone.
			const created = await callerFor(app, adminA).certificates.create(input);
			expect(created).toMatchObject({
				number: input.number,
				status: 'active',
				issued_on: '2026-03-15',
				decided_on: '2026-03-15',
				expires_on: certificateExpiry('2026-03-15', DEFAULT_SCHEME_RULES),
				grade_level_id: graded.levels['5'],
				version: 1,
				origin: 'imported'
			});
			expect(created.expires_on).toBe('2029-03-14');
			expect(await historyOf(created.id)).toEqual([
				expect.objectContaining({
					change: 'issued',
					from_status: null,
					to_status: 'active',
					to_grade_level_id: graded.levels['5'],
					to_scope: input.scope,
					effective_on: '2026-03-15',
					recorded_by: adminA.userId,
					decision_id: null
				}),
				// How it came in: recorded the day it was typed in, changing nothing of its state.
				expect.objectContaining({ change: 'imported', to_status: null, recorded_by: adminA.userId })
			]);
			const audit = await auditOf(created.id);
			expect(audit.map((a) => [a.action, a.entity_type, a.actor_user_id])).toEqual([
				['certificate.create', 'certificate', adminA.userId]
			]);
			expect(audit[0]?.after).toMatchObject({ number: input.number, expiresOn: '2029-03-14' });
		});

		it('refuses a preview or an issue date beyond the accepted range (BAD_REQUEST, no RangeError)', async () => {
			for (const issuedOn of ['9999-12-31', '1899-12-31']) {
				await expect(
					callerFor(app, adminA).certificates.previewExpiry({ standardId: graded.id, issuedOn })
				).rejects.toMatchObject({ code: 'BAD_REQUEST' });
				await expectRefused(
					() => callerFor(app, adminA).certificates.create(certificateInput({ issuedOn })),
					'BAD_REQUEST'
				);
				const { status, body } = await post(
					'certificates.create',
					certificateInput({ issuedOn }),
					adminA
				);
				expect(status).toBe(400);
				expect(body.error.json.data.fields).toEqual({ issuedOn: en.error_date_out_of_range });
			}
		});

		it("computes the expiry from the standard's saved scheme rules (24 months)", async () => {
			await setValidityMonths(tenantA.id, ungraded.id, 24);
			const preview = await callerFor(app, adminA).certificates.previewExpiry({
				standardId: ungraded.id,
				issuedOn: '2026-05-31'
			});
			const rules = { ...DEFAULT_SCHEME_RULES, certificateValidityMonths: 24 };
			expect(preview).toEqual({
				expiresOn: certificateExpiry('2026-05-31', rules),
				validityMonths: 24
			});
			const created = await callerFor(app, adminA).certificates.create(
				certificateInput({
					standardId: ungraded.id,
					gradeLevelId: null,
					issuedOn: '2026-05-31',
					decidedOn: '2026-05-20'
				})
			);
			expect(created.expires_on).toBe(certificateExpiry('2026-05-31', rules));
			expect(created.expires_on).toBe('2028-05-30');
			expect(created.decided_on).toBe('2026-05-20');
			expect(created.grade_level_id).toBeNull();
		});

		it('refuses a duplicate number with CONFLICT on the number field', async () => {
			const first = await callerFor(app, adminA).certificates.create(certificateInput());
			await expectRefused(
				() =>
					callerFor(app, adminA).certificates.create(certificateInput({ number: first.number })),
				'CONFLICT'
			);
			const { status, body } = await post(
				'certificates.create',
				certificateInput({ number: first.number }),
				adminA
			);
			expect(status).toBe(409);
			expect(body.error.json.data.fields).toEqual({
				number: organisationsEn.organisations_error_certificate_number_duplicate.replace(
					'{number}',
					first.number
				)
			});
		});

		it('answers two concurrent creates of one number with one certificate and one CONFLICT', async () => {
			const number = nextNumber();
			const before = await snapshot();
			const results = await Promise.allSettled(
				[adminA, adminA].map((actor) =>
					callerFor(app, actor).certificates.create(certificateInput({ number }))
				)
			);
			expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
			const rejected = results.filter((r) => r.status === 'rejected');
			expect(rejected).toHaveLength(1);
			expect(rejected[0]?.reason).toMatchObject({ code: 'CONFLICT' });
			const after = await snapshot();
			expect(after.certificates).toBe(before.certificates + 1);
			// Its 'issued' and 'imported' lines.
			expect(after.history).toBe(before.history + 2);
			expect(after.audit).toBe(before.audit + 1);
		});

		it("refuses a grade outside the standard's scale, a missing grade and a grade without a scale", async () => {
			for (const [overrides, message] of [
				[{ gradeLevelId: foreignLevel }, 'organisations_error_grade_not_in_scale'],
				[{ gradeLevelId: null }, 'organisations_error_grade_required'],
				[
					{ standardId: ungraded.id, gradeLevelId: graded.levels['4'] },
					'organisations_error_grade_no_scale'
				]
			] as const)
				await expectRefused(
					() => callerFor(app, adminA).certificates.create(certificateInput(overrides)),
					'BAD_REQUEST',
					message
				);
			const { body } = await post(
				'certificates.create',
				certificateInput({ gradeLevelId: foreignLevel }),
				adminA
			);
			expect(body.error.json.data.fields).toEqual({
				gradeLevelId: organisationsEn.organisations_error_grade_not_in_scale
			});
		});

		it('refuses bad dates and unknown organisations on their fields', async () => {
			const { status, body } = await post(
				'certificates.create',
				certificateInput({ issuedOn: '2026-02-30' }),
				adminA
			);
			expect(status).toBe(400);
			expect(body.error.json.data.fields).toEqual({
				issuedOn: organisationsEn.organisations_error_date_invalid
			});
			await expectRefused(
				() =>
					callerFor(app, adminA).certificates.create(certificateInput({ decidedOn: '2026-04-01' })),
				'BAD_REQUEST',
				'organisations_error_decided_after_issue'
			);
			// Another tenant's organisation is unknown here.
			await expectRefused(
				() =>
					callerFor(app, adminA).certificates.create(certificateInput({ organisationId: orgB.id })),
				'BAD_REQUEST',
				'error_organisation_unknown'
			);
		});

		it('refuses organisation users and decision makers (FORBIDDEN)', async () => {
			for (const actor of [orgAdminX, orgMemberX, deciderA, evaluatorA])
				await expectRefused(
					() => callerFor(app, actor).certificates.create(certificateInput()),
					'FORBIDDEN'
				);
			await expect(
				callerFor(app, orgAdminX).certificates.previewExpiry({
					standardId: graded.id,
					issuedOn: '2026-01-01'
				})
			).rejects.toMatchObject({ code: 'FORBIDDEN' });
		});
	});

	describe('reading certificates', () => {
		it('shows the certificate with its history and surveillance clock', async () => {
			const created = await callerFor(app, adminA).certificates.create(
				certificateInput({ issuedOn: '2026-03-15', decidedOn: '2026-03-10' })
			);
			const page = await callerFor(app, deciderA).certificates.get({ id: created.id });
			expect(page).toMatchObject({
				id: created.id,
				organisation_name: 'X Trading Co.',
				standard_code: 'GB/T 27922-2011',
				grade_en: '5 stars'
			});
			expect(page.history).toEqual([
				expect.objectContaining({ change: 'issued', to_status: 'active', to_grade_en: '5 stars' }),
				expect.objectContaining({ change: 'imported', to_status: null })
			]);
			expect(page.history[0]?.recorded_by_name).toBe(adminA.name);
			// First surveillance 12 months from the decision (the default rules).
			expect(page.surveillance).toEqual({
				lastEndedOn: null,
				countedFrom: 'decision',
				countedFromOn: '2026-03-10',
				nextDue: '2027-03-10',
				overdue: '2027-03-10' < todayInZone(new Date(), tenantA.time_zone)
			});
		});

		it('restarts the surveillance clock at the last surveillance whose report is out', async () => {
			const created = await callerFor(app, adminA).certificates.create(
				certificateInput({ issuedOn: '2020-01-10' })
			);
			const evaluation = (status: string, windowEnd: string, kindOf = 'surveillance') => ({
				tenant_id: tenantA.id,
				kind: kindOf as 'surveillance',
				certificate_id: created.id,
				organisation_id: orgX.id,
				standard_id: graded.id,
				window_start: addMonths(windowEnd, -1),
				window_end: windowEnd,
				status: status as 'closed'
			});
			await t.owner
				.insertInto('evaluations')
				.values([
					evaluation('closed', '2021-01-05'),
					evaluation('report_issued', '2021-12-20', 'recertification'),
					evaluation('planned', '2022-12-01'),
					evaluation('closed', '2022-06-01', 'special')
				])
				.execute();
			const page = await callerFor(app, orgMemberX).certificates.get({ id: created.id });
			expect(page.surveillance).toEqual({
				lastEndedOn: '2021-12-20',
				countedFrom: 'last',
				countedFromOn: '2021-12-20',
				nextDue: nextSurveillanceDue(
					{ issuedOn: '2020-01-10', decidedOn: '2020-01-10' },
					'2021-12-20',
					DEFAULT_SCHEME_RULES
				),
				overdue: true
			});
			expect(page.surveillance.nextDue).toBe('2022-12-20');
			const evaluations = await callerFor(app, orgMemberX).certificates.evaluations({
				id: created.id
			});
			expect(evaluations.map((e) => [e.kind, e.window_end])).toEqual([
				['surveillance', '2022-12-01'],
				['special', '2022-06-01'],
				['recertification', '2021-12-20'],
				['surveillance', '2021-01-05']
			]);
		});

		it("hides another organisation's certificate from organisation users (NOT_FOUND)", async () => {
			const ofY = await callerFor(app, adminA).certificates.create(
				certificateInput({ organisationId: orgY.id })
			);
			for (const read of [
				() => callerFor(app, orgAdminX).certificates.get({ id: ofY.id }),
				() => callerFor(app, orgAdminX).certificates.evaluations({ id: ofY.id }),
				() => callerFor(app, orgMemberX).certificates.timeline({ id: ofY.id })
			])
				await expect(read()).rejects.toMatchObject({ code: 'NOT_FOUND' });
			const own = await callerFor(app, adminA).certificates.create(certificateInput());
			expect((await callerFor(app, orgMemberX).certificates.get({ id: own.id })).id).toBe(own.id);
		});

		it("hides another tenant's certificate (NOT_FOUND)", async () => {
			for (const read of [
				() => callerFor(app, adminA).certificates.get({ id: certificateB }),
				() => callerFor(app, adminA).certificates.evaluations({ id: certificateB }),
				() => callerFor(app, adminA).certificates.timeline({ id: certificateB })
			])
				await expect(read()).rejects.toMatchObject({ code: 'NOT_FOUND' });
			await expectRefused(
				() =>
					callerFor(app, adminA).certificates.update({
						id: certificateB,
						version: 1,
						number: 'B-1',
						scope: 'Taken over',
						issuedOn: '2026-01-01'
					}),
				'NOT_FOUND'
			);
			expect((await callerFor(app, adminB).certificates.get({ id: certificateB })).scope).toBe(
				'B scope'
			);
		});
	});

	describe('correcting certificates', () => {
		it('corrects the scope wording and dates: version, expiry, history and audit', async () => {
			const created = await callerFor(app, adminA).certificates.create(certificateInput());
			const corrected = await callerFor(app, evaluatorA).certificates.update({
				id: created.id,
				version: 1,
				number: created.number,
				scope: '家用电器（含空调）的售后服务',
				issuedOn: '2026-04-01',
				decidedOn: '2026-03-30'
			});
			expect(corrected).toMatchObject({
				version: 2,
				scope: '家用电器（含空调）的售后服务',
				issued_on: '2026-04-01',
				decided_on: '2026-03-30',
				expires_on: certificateExpiry('2026-04-01', DEFAULT_SCHEME_RULES),
				status: 'active',
				grade_level_id: graded.levels['5']
			});
			const history = await historyOf(created.id);
			expect(history.map((h) => [h.change, h.from_scope, h.to_scope])).toEqual([
				['issued', null, created.scope],
				['imported', null, null],
				['scope', created.scope, '家用电器（含空调）的售后服务']
			]);
			expect(history[2]?.recorded_by).toBe(evaluatorA.userId);
			const audit = await auditOf(created.id);
			expect(audit.map((a) => [a.action, a.actor_user_id])).toEqual([
				['certificate.create', adminA.userId],
				['certificate.update', evaluatorA.userId]
			]);
			expect(audit[1]?.before).toMatchObject({ scope: created.scope, issuedOn: '2026-03-15' });
			expect(audit[1]?.after).toMatchObject({ issuedOn: '2026-04-01' });

			// Dates only: no history row (the scope did not change), still audited.
			await callerFor(app, evaluatorA).certificates.update({
				id: created.id,
				version: 2,
				number: created.number,
				scope: corrected.scope,
				issuedOn: '2026-04-02',
				decidedOn: '2026-03-30'
			});
			expect(await historyOf(created.id)).toHaveLength(3);
			expect((await auditOf(created.id)).map((a) => a.action)).toEqual([
				'certificate.create',
				'certificate.update',
				'certificate.update'
			]);
			const timeline = await callerFor(app, orgMemberX).certificates.timeline({ id: created.id });
			expect(timeline.map((e) => e.action)).toEqual([
				'certificate.create',
				'certificate.update',
				'certificate.update'
			]);
		});

		it('writes nothing when nothing changed', async () => {
			const created = await callerFor(app, adminA).certificates.create(certificateInput());
			const before = await snapshot();
			const same = await callerFor(app, adminA).certificates.update({
				id: created.id,
				version: 1,
				number: created.number,
				scope: created.scope,
				issuedOn: created.issued_on,
				decidedOn: created.decided_on
			});
			expect(same.version).toBe(1);
			expect(await snapshot()).toEqual(before);
		});

		it('refuses a stale version with CONFLICT and the reload message', async () => {
			const created = await callerFor(app, adminA).certificates.create(certificateInput());
			const input = {
				id: created.id,
				number: created.number,
				scope: 'First wording',
				issuedOn: created.issued_on
			};
			await callerFor(app, adminA).certificates.update({ ...input, version: 1 });
			await expectRefused(
				() =>
					callerFor(app, evaluatorA).certificates.update({
						...input,
						version: 1,
						scope: 'Second wording'
					}),
				'CONFLICT',
				'error_stale_version'
			);
			const results = await Promise.allSettled(
				['Third', 'Fourth'].map((scope) =>
					callerFor(app, adminA).certificates.update({ ...input, version: 2, scope })
				)
			);
			expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
			expect(results.find((r) => r.status === 'rejected')?.reason).toMatchObject({
				code: 'CONFLICT'
			});
		});

		it("refuses another certificate's number, organisation users and bad input", async () => {
			const one = await callerFor(app, adminA).certificates.create(certificateInput());
			const other = await callerFor(app, adminA).certificates.create(certificateInput());
			const correction = {
				id: other.id,
				version: 1,
				number: other.number,
				scope: other.scope,
				issuedOn: other.issued_on
			};
			await expectRefused(
				() => callerFor(app, adminA).certificates.update({ ...correction, number: one.number }),
				'CONFLICT',
				'organisations_error_certificate_number_duplicate'
			);
			await expectRefused(
				() => callerFor(app, orgAdminX).certificates.update({ ...correction, scope: 'Ours now' }),
				'FORBIDDEN'
			);
			const { status, body } = await post(
				'certificates.update',
				{ ...correction, scope: '  ' },
				adminA
			);
			expect(status).toBe(400);
			expect(body.error.json.data.fields).toEqual({ scope: en.error_required });
		});
	});
});
