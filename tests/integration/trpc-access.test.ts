import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { acceptInvitation, openInvitation } from '../support/invitations';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import {
	actorOf,
	callerFor,
	newActor,
	newMembership,
	newOrganisation,
	newPerson,
	newTenant,
	newUscc,
	testApp,
	TEST_PASSWORD
} from '../support/factories';
import { handleTrpcRequest } from '../../src/lib/server/trpc/handler';
import { appRouter } from '../../src/lib/server/trpc/router';
import { createCallerFactory } from '../../src/lib/server/trpc/init';
import type { TrpcContext } from '../../src/lib/server/trpc/context';
import { createSession, validateSessionToken } from '../../src/lib/server/services/sessions';
import type { Actor } from '../../src/lib/server/actor';
import type { App } from '../../src/lib/server/app';
import type { Locale } from '../../db/schema';
import en from '../../messages/en.json';
import zhCN from '../../messages/zh-CN.json';

/* Access rules of the tRPC API, against a real database: tenant isolation, organisation scoping,
 * role checks, input errors in the user's language, optimistic concurrency, audit, CSRF. */

type Tenant = Awaited<ReturnType<typeof newTenant>>;
type Organisation = Awaited<ReturnType<typeof newOrganisation>>;

const createCaller = createCallerFactory(appRouter);

/** A USCC whose check character is wrong (every other rule holds). */
function usccWithWrongCheckDigit(): string {
	const valid = newUscc();
	const wrong = valid.endsWith('0') ? '1' : '0';
	return valid.slice(0, 17) + wrong;
}

describe.each(DIALECTS)('tRPC access rules (%s)', (kind) => {
	let t: TestDatabase;
	let app: App;
	let tenantA: Tenant;
	let tenantB: Tenant;
	let orgX: Organisation;
	let orgY: Organisation;
	let orgB: Organisation;
	let adminA: Actor;
	let adminB: Actor;
	let orgAdminX: Actor;
	let evaluatorA: Actor;
	let deciderA: Actor;
	const certificateIds: { x: string; y: string; b: string } = { x: '', y: '', b: '' };

	/** A certificate of `organisationId`, with the standard it needs (created once per tenant). */
	async function newCertificate(tenantId: string, organisationId: string, number: string) {
		return t.db.inTenant({ tenantId, userId: null }, async (tx) => {
			const code = 'GB/T 27922-2011';
			const standard =
				(await tx
					.selectFrom('standards')
					.select('id')
					.where('code', '=', code)
					.executeTakeFirst()) ??
				(await tx
					.insertInto('standards')
					.values({ tenant_id: tenantId, code, title_zh: '商品售后服务评价体系' })
					.returning('id')
					.executeTakeFirstOrThrow());
			return tx
				.insertInto('certificates')
				.values({
					tenant_id: tenantId,
					number,
					organisation_id: organisationId,
					standard_id: standard.id,
					scope: 'After-sales service',
					issued_on: '2026-01-01',
					expires_on: '2028-12-31',
					decided_on: '2026-01-01'
				})
				.returningAll()
				.executeTakeFirstOrThrow();
		});
	}

	function contextFor(actor: Actor | null, locale: Locale = 'en'): TrpcContext {
		return {
			app,
			locale,
			actor,
			person: actor
				? {
						sessionId: 'test-session',
						userId: actor.userId,
						email: actor.email,
						name: actor.name,
						locale: null,
						expiresAt: new Date(Date.now() + 86_400_000),
						tenantId: actor.tenantId
					}
				: null
		};
	}

	/** A same-origin JSON mutation through the HTTP handler, as the browser client sends it. */
	async function post(
		path: string,
		input: unknown,
		ctx: TrpcContext,
		headers: Record<string, string> = {}
	) {
		const response = await handleTrpcRequest(
			new Request(`http://localhost/api/trpc/${path}`, {
				method: 'POST',
				headers: {
					'content-type': 'application/json',
					origin: 'http://localhost',
					...headers
				},
				body: JSON.stringify({ json: input })
			}),
			ctx
		);
		// eslint-disable-next-line @typescript-eslint/no-explicit-any
		return { status: response.status, body: (await response.json()) as any };
	}

	async function countRows(table: 'organisations' | 'audit_log' | 'memberships' | 'users') {
		const row = await t.owner
			.selectFrom(table)
			.select((eb) => eb.fn.countAll<string>().as('n'))
			.executeTakeFirstOrThrow();
		return Number(row.n);
	}

	function auditOf(entityId: string) {
		return t.owner
			.selectFrom('audit_log')
			.select(['action', 'actor_user_id', 'tenant_id', 'entity_type'])
			.where('entity_id', '=', entityId)
			.orderBy('seq')
			.execute();
	}

	function organisationAsOwner(id: string) {
		return t.owner
			.selectFrom('organisations')
			.selectAll()
			.where('id', '=', id)
			.executeTakeFirstOrThrow();
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
		adminB = await newActor(t, tenantB.id, 'admin');
		orgAdminX = await newActor(t, tenantA.id, 'org_admin', orgX.id);
		evaluatorA = await newActor(t, tenantA.id, 'evaluator');
		deciderA = await newActor(t, tenantA.id, 'decision_maker');
		certificateIds.x = (await newCertificate(tenantA.id, orgX.id, 'A-X-1')).id;
		certificateIds.y = (await newCertificate(tenantA.id, orgY.id, 'A-Y-1')).id;
		certificateIds.b = (await newCertificate(tenantB.id, orgB.id, 'B-1')).id;
	});

	afterAll(async () => {
		await t?.drop();
	});

	describe('auth.me', () => {
		it('describes a CB staff member: no organisation, the tenant', async () => {
			const me = await callerFor(app, adminA).auth.me();
			expect(me).toEqual({
				email: adminA.email,
				name: adminA.name,
				role: 'admin',
				organisation: null,
				tenant: { slug: tenantA.slug, name: 'Body A' }
			});
		});

		it('describes an organisation user with their organisation', async () => {
			const me = await callerFor(app, orgAdminX).auth.me();
			expect(me).toEqual({
				email: orgAdminX.email,
				name: orgAdminX.name,
				role: 'org_admin',
				organisation: { id: orgX.id, name: 'X Trading Co.' },
				tenant: { slug: tenantA.slug, name: 'Body A' }
			});
		});

		it('refuses the signed-out with UNAUTHORIZED', async () => {
			await expect(callerFor(app, null).auth.me()).rejects.toMatchObject({
				code: 'UNAUTHORIZED'
			});
		});
	});

	describe('tenant isolation', () => {
		it("hides another tenant's organisation from get", async () => {
			await expect(callerFor(app, adminA).organisations.get({ id: orgB.id })).rejects.toMatchObject(
				{ code: 'NOT_FOUND' }
			);
			// B's own admin does see it: the id is real.
			const seen = await callerFor(app, adminB).organisations.get({ id: orgB.id });
			expect(seen.id).toBe(orgB.id);
		});

		it("cannot update another tenant's organisation, which stays unchanged", async () => {
			const before = await organisationAsOwner(orgB.id);
			const auditBefore = await countRows('audit_log');
			await expect(
				callerFor(app, adminA).organisations.update({
					id: orgB.id,
					version: 1,
					legalName: 'Hijacked Ltd.',
					uscc: newUscc(),
					address: 'Elsewhere'
				})
			).rejects.toMatchObject({ code: 'NOT_FOUND' });
			expect(await organisationAsOwner(orgB.id)).toEqual(before);
			expect(before.legal_name).toBe('B Manufacturing Co.');
			expect(before.version).toBe(1);
			expect(await countRows('audit_log')).toBe(auditBefore);
		});

		it("never lists another tenant's organisations, even when searched for", async () => {
			const all = (await callerFor(app, adminA).organisations.list()).rows;
			const ids = all.map((o) => o.id);
			expect(ids).toContain(orgX.id);
			expect(ids).toContain(orgY.id);
			expect(ids).not.toContain(orgB.id);
			const searched = (
				await callerFor(app, adminA).organisations.list({
					search: 'B Manufacturing'
				})
			).rows;
			expect(searched).toEqual([]);
			const bySearchUscc = (await callerFor(app, adminA).organisations.list({ search: orgB.uscc }))
				.rows;
			expect(bySearchUscc).toEqual([]);
		});

		it("never lists another tenant's certificates, even when filtered by its organisation", async () => {
			const all = (await callerFor(app, adminA).certificates.list()).rows;
			const ids = all.map((c) => c.id);
			expect(ids).toContain(certificateIds.x);
			expect(ids).toContain(certificateIds.y);
			expect(ids).not.toContain(certificateIds.b);
			const filtered = (await callerFor(app, adminA).certificates.list({ organisationId: orgB.id }))
				.rows;
			expect(filtered).toEqual([]);
			const fromB = (await callerFor(app, adminB).certificates.list()).rows;
			expect(fromB.map((c) => c.id)).toEqual([certificateIds.b]);
		});
	});

	describe('organisation users', () => {
		it('cannot get another organisation of their own tenant', async () => {
			await expect(
				callerFor(app, orgAdminX).organisations.get({ id: orgY.id })
			).rejects.toMatchObject({ code: 'NOT_FOUND' });
			const own = await callerFor(app, orgAdminX).organisations.get({ id: orgX.id });
			expect(own.id).toBe(orgX.id);
		});

		it('list only their own organisation', async () => {
			const list = (await callerFor(app, orgAdminX).organisations.list()).rows;
			expect(list.map((o) => o.id)).toEqual([orgX.id]);
			const searched = (
				await callerFor(app, orgAdminX).organisations.list({ search: 'Y Services' })
			).rows;
			expect(searched).toEqual([]);
		});

		it("list only their organisation's certificates, whatever the filter says", async () => {
			const list = (await callerFor(app, orgAdminX).certificates.list()).rows;
			expect(list.map((c) => c.id)).toEqual([certificateIds.x]);
			expect(list.every((c) => c.organisation_id === orgX.id)).toBe(true);
			const filtered = (
				await callerFor(app, orgAdminX).certificates.list({
					organisationId: orgY.id
				})
			).rows;
			expect(filtered.map((c) => c.id)).toEqual([certificateIds.x]);
		});

		it('cannot create organisations', async () => {
			const before = await countRows('organisations');
			await expect(
				callerFor(app, orgAdminX).organisations.create({
					legalName: 'Sneaky Co.',
					uscc: newUscc(),
					address: ''
				})
			).rejects.toMatchObject({ code: 'FORBIDDEN' });
			expect(await countRows('organisations')).toBe(before);
		});

		it('cannot grant a CB role', async () => {
			const memberships = await countRows('memberships');
			const users = await countRows('users');
			const audit = await countRows('audit_log');
			await expect(
				callerFor(app, orgAdminX).members.add({
					email: `evaluator-${Date.now()}@example.test`,
					name: 'Would-be Evaluator',
					password: TEST_PASSWORD,
					role: 'evaluator',
					organisationId: null
				})
			).rejects.toMatchObject({ code: 'FORBIDDEN' });
			expect(await countRows('memberships')).toBe(memberships);
			expect(await countRows('users')).toBe(users);
			expect(await countRows('audit_log')).toBe(audit);
		});

		it('cannot grant an organisation role for another organisation', async () => {
			await expect(
				callerFor(app, orgAdminX).members.add({
					email: `y-member-${Date.now()}@example.test`,
					name: 'Y Member',
					password: TEST_PASSWORD,
					role: 'org_member',
					organisationId: orgY.id
				})
			).rejects.toMatchObject({ code: 'FORBIDDEN' });
		});

		it('may invite an org_member to their own organisation, audited', async () => {
			const email = `x-member-${Date.now()}@example.test`;
			const result = await callerFor(app, orgAdminX).members.add({
				email,
				name: 'X Member',
				password: TEST_PASSWORD,
				role: 'org_member',
				organisationId: orgX.id
			});
			expect(result).toEqual({ invitationId: expect.any(String), invited: true });
			expect(await auditOf(result.invitationId)).toEqual([
				{
					action: 'membership.invite',
					actor_user_id: orgAdminX.userId,
					tenant_id: tenantA.id,
					entity_type: 'membership_invitation'
				}
			]);
			const membership = await acceptInvitation(t, tenantA.id, email);
			expect(membership).toMatchObject({
				tenant_id: tenantA.id,
				role: 'org_member',
				organisation_id: orgX.id
			});
			const member = await actorOf(t, tenantA.id, membership.user_id);
			const list = (await callerFor(app, member).organisations.list()).rows;
			expect(list.map((o) => o.id)).toEqual([orgX.id]);
		});
	});

	describe('CB roles', () => {
		it('an evaluator cannot add members', async () => {
			await expect(
				callerFor(app, evaluatorA).members.add({
					email: `someone-${Date.now()}@example.test`,
					name: 'Someone',
					password: TEST_PASSWORD,
					role: 'org_member',
					organisationId: orgX.id
				})
			).rejects.toMatchObject({ code: 'FORBIDDEN' });
		});

		it('a decision maker cannot create organisations', async () => {
			const before = await countRows('organisations');
			await expect(
				callerFor(app, deciderA).organisations.create({
					legalName: 'Decided Co.',
					uscc: newUscc(),
					address: ''
				})
			).rejects.toMatchObject({ code: 'FORBIDDEN' });
			expect(await countRows('organisations')).toBe(before);
		});

		it('an evaluator may create an organisation, audited in the same transaction', async () => {
			const created = await callerFor(app, evaluatorA).organisations.create({
				legalName: '  Evaluated Co.  ',
				uscc: newUscc().toLowerCase(),
				address: 'Fuzhou'
			});
			expect(created.legal_name).toBe('Evaluated Co.');
			expect(created.tenant_id).toBe(tenantA.id);
			expect(await auditOf(created.id)).toEqual([
				{
					action: 'organisation.create',
					actor_user_id: evaluatorA.userId,
					tenant_id: tenantA.id,
					entity_type: 'organisation'
				}
			]);
		});
	});

	describe('bad input', () => {
		it('names the missing field in English', async () => {
			const before = await countRows('organisations');
			const { status, body } = await post(
				'organisations.create',
				{ legalName: '', uscc: '123', address: '' },
				contextFor(adminA, 'en')
			);
			expect(status).toBe(400);
			expect(body.error.json.data.code).toBe('BAD_REQUEST');
			expect(body.error.json.message).toBe(en.error_invalid_input);
			expect(body.error.json.data.fields.legalName).toBe(en.error_required);
			// No stack trace reaches the client (superjson sends the cleared key as null).
			expect(body.error.json.data.stack ?? null).toBeNull();
			expect(await countRows('organisations')).toBe(before);
		});

		it('names the missing field in Chinese', async () => {
			const { status, body } = await post(
				'organisations.create',
				{ legalName: '', uscc: '123', address: '' },
				contextFor(adminA, 'zh-CN')
			);
			expect(status).toBe(400);
			expect(body.error.json.message).toBe(zhCN.error_invalid_input);
			expect(body.error.json.data.fields.legalName).toBe(zhCN.error_required);
		});

		it('refuses a wrong USCC check digit on the uscc field, in either language', async () => {
			const before = await countRows('organisations');
			const audit = await countRows('audit_log');
			const input = { legalName: 'Checked Co.', uscc: usccWithWrongCheckDigit(), address: '' };
			await expect(callerFor(app, adminA).organisations.create(input)).rejects.toMatchObject({
				code: 'BAD_REQUEST'
			});
			const english = await post('organisations.create', input, contextFor(adminA, 'en'));
			expect(english.status).toBe(400);
			expect(english.body.error.json.data.code).toBe('BAD_REQUEST');
			expect(english.body.error.json.data.fields).toEqual({ uscc: en.error_uscc_check_digit });
			const chinese = await post('organisations.create', input, contextFor(adminA, 'zh-CN'));
			expect(chinese.body.error.json.data.fields).toEqual({ uscc: zhCN.error_uscc_check_digit });
			expect(await countRows('organisations')).toBe(before);
			expect(await countRows('audit_log')).toBe(audit);
		});

		it('refuses a duplicate USCC with CONFLICT and writes nothing', async () => {
			const before = await countRows('organisations');
			const audit = await countRows('audit_log');
			await expect(
				callerFor(app, adminA).organisations.create({
					legalName: 'Copycat Co.',
					uscc: orgX.uscc,
					address: ''
				})
			).rejects.toMatchObject({ code: 'CONFLICT' });
			const { status, body } = await post(
				'organisations.create',
				{ legalName: 'Copycat Co.', uscc: orgX.uscc, address: '' },
				contextFor(adminA, 'en')
			);
			expect(status).toBe(409);
			expect(body.error.json.data.fields.uscc).toBe(
				en.error_uscc_duplicate.replace('{uscc}', orgX.uscc)
			);
			expect(await countRows('organisations')).toBe(before);
			expect(await countRows('audit_log')).toBe(audit);
		});

		it("allows another tenant's USCC: codes are unique per tenant", async () => {
			const created = await callerFor(app, adminA).organisations.create({
				legalName: 'Also registered with B',
				uscc: orgB.uscc,
				address: ''
			});
			expect(created.uscc).toBe(orgB.uscc);
		});
	});

	describe('optimistic concurrency and audit of updates', () => {
		it('refuses a stale version, accepts the current one and bumps the version', async () => {
			const organisation = await callerFor(app, adminA).organisations.create({
				legalName: 'Versioned Co.',
				uscc: newUscc(),
				address: 'Xiamen'
			});
			expect(organisation.version).toBe(1);
			const first = await callerFor(app, adminA).organisations.update({
				id: organisation.id,
				version: 1,
				legalName: 'Versioned Co. (renamed)',
				uscc: organisation.uscc,
				address: 'Xiamen'
			});
			expect(first.version).toBe(2);
			expect(first.legal_name).toBe('Versioned Co. (renamed)');

			const auditBefore = await countRows('audit_log');
			await expect(
				callerFor(app, evaluatorA).organisations.update({
					id: organisation.id,
					version: 1,
					legalName: 'Lost update',
					uscc: organisation.uscc,
					address: ''
				})
			).rejects.toMatchObject({ code: 'CONFLICT', message: 'error_stale_version' });
			const stale = await post(
				'organisations.update',
				{
					id: organisation.id,
					version: 1,
					legalName: 'Lost update',
					uscc: organisation.uscc,
					address: ''
				},
				contextFor(evaluatorA, 'en')
			);
			expect(stale.status).toBe(409);
			expect(stale.body.error.json.data.code).toBe('CONFLICT');
			expect(stale.body.error.json.message).toBe(en.error_stale_version);
			expect(await countRows('audit_log')).toBe(auditBefore);
			expect(await organisationAsOwner(organisation.id)).toMatchObject({
				legal_name: 'Versioned Co. (renamed)',
				version: 2
			});

			const second = await callerFor(app, evaluatorA).organisations.update({
				id: organisation.id,
				version: 2,
				legalName: 'Versioned Co.',
				uscc: organisation.uscc,
				address: 'Fuzhou'
			});
			expect(second.version).toBe(3);
			expect(await organisationAsOwner(organisation.id)).toMatchObject({
				legal_name: 'Versioned Co.',
				address: 'Fuzhou',
				version: 3
			});
			expect(await auditOf(organisation.id)).toEqual([
				{
					action: 'organisation.create',
					actor_user_id: adminA.userId,
					tenant_id: tenantA.id,
					entity_type: 'organisation'
				},
				{
					action: 'organisation.update',
					actor_user_id: adminA.userId,
					tenant_id: tenantA.id,
					entity_type: 'organisation'
				},
				{
					action: 'organisation.update',
					actor_user_id: evaluatorA.userId,
					tenant_id: tenantA.id,
					entity_type: 'organisation'
				}
			]);
		});

		it('lets exactly one of two concurrent updates of the same version through', async () => {
			const organisation = await callerFor(app, adminA).organisations.create({
				legalName: 'Contended Co.',
				uscc: newUscc(),
				address: ''
			});
			const results = await Promise.allSettled(
				[adminA, evaluatorA].map((actor, i) =>
					callerFor(app, actor).organisations.update({
						id: organisation.id,
						version: 1,
						legalName: `Contended Co. ${i}`,
						uscc: organisation.uscc,
						address: ''
					})
				)
			);
			const fulfilled = results.filter((r) => r.status === 'fulfilled');
			const rejected = results.filter((r) => r.status === 'rejected');
			expect(fulfilled).toHaveLength(1);
			expect(rejected).toHaveLength(1);
			expect(rejected[0]?.reason).toMatchObject({ code: 'CONFLICT' });
			expect(await organisationAsOwner(organisation.id)).toMatchObject({ version: 2 });
			const audit = await auditOf(organisation.id);
			expect(audit.map((a) => a.action)).toEqual(['organisation.create', 'organisation.update']);
		});

		it('answers concurrent creates with the same USCC with CONFLICT, never a server error', async () => {
			// A double-submitted form: the duplicate check runs before the insert, so the loser
			// of the race must still be told "duplicate", not "something went wrong".
			for (let round = 0; round < 5; round++) {
				const uscc = newUscc();
				const results = await Promise.allSettled(
					[0, 1].map(() =>
						callerFor(app, adminA).organisations.create({
							legalName: `Twice Co. ${round}`,
							uscc,
							address: ''
						})
					)
				);
				const codes = results.map((r) =>
					r.status === 'fulfilled' ? 'ok' : (r.reason as { code?: string }).code
				);
				expect(codes.sort()).toEqual(['CONFLICT', 'ok']);
				const rows = await t.owner
					.selectFrom('organisations')
					.select('id')
					.where('uscc', '=', uscc)
					.execute();
				expect(rows).toHaveLength(1);
			}
		});

		it("refuses taking another organisation's USCC on update", async () => {
			const auditBefore = await countRows('audit_log');
			await expect(
				callerFor(app, adminA).organisations.update({
					id: orgY.id,
					version: 1,
					legalName: orgY.legal_name,
					uscc: orgX.uscc,
					address: ''
				})
			).rejects.toMatchObject({ code: 'CONFLICT' });
			expect(await organisationAsOwner(orgY.id)).toMatchObject({ uscc: orgY.uscc, version: 1 });
			expect(await countRows('audit_log')).toBe(auditBefore);
		});

		it('leaves the audit chain linked across the entries written', async () => {
			const rows = await t.owner
				.selectFrom('audit_log')
				.select(['seq', 'prev_hash', 'hash'])
				.where('tenant_id', '=', tenantA.id)
				.orderBy('seq')
				.execute();
			expect(rows.length).toBeGreaterThan(0);
			rows.forEach((row, i) => {
				expect(Number(row.seq)).toBe(i + 1);
				if (i > 0) expect(row.prev_hash).toBe(rows[i - 1]?.hash);
			});
		});
	});

	describe('members.add', () => {
		it('answers "invitation sent" alike for an unknown, a registered and a new address', async () => {
			const elsewhere = await newPerson(t, { name: 'Registered Elsewhere' });
			await newMembership(t, tenantB.id, elsewhere.id, 'evaluator');
			const memberships = await countRows('memberships');
			const stamp = Date.now();
			const answers = [];
			for (const input of [
				{ email: `unknown-${stamp}@example.test`, role: 'evaluator' },
				{ email: elsewhere.email, role: 'evaluator' },
				{
					email: `new-${stamp}@example.test`,
					name: 'New',
					password: TEST_PASSWORD,
					role: 'evaluator'
				}
			]) {
				const { status, body } = await post('members.add', input, contextFor(adminA, 'en'));
				expect(status).toBe(200);
				answers.push(body);
			}
			const shape = (body: { result: { data: { json: Record<string, unknown> } } }) =>
				Object.keys(body.result.data.json).sort();
			expect(answers.map(shape)).toEqual([
				['invitationId', 'invited'],
				['invitationId', 'invited'],
				['invitationId', 'invited']
			]);
			expect(JSON.stringify(answers)).not.toContain('Registered Elsewhere');
			// Nobody is attached by the add alone.
			expect(await countRows('memberships')).toBe(memberships);
			const list = await callerFor(app, adminA).members.list();
			expect(list.map((m) => m.user_id)).not.toContain(elsewhere.id);
		});

		it('an organisation role needs an organisation', async () => {
			const { status, body } = await post(
				'members.add',
				{
					email: `orgless-${Date.now()}@example.test`,
					name: 'Orgless',
					password: TEST_PASSWORD,
					role: 'org_member'
				},
				contextFor(adminA, 'en')
			);
			expect(status).toBe(400);
			expect(body.error.json.data.fields).toEqual({
				organisationId: en.error_organisation_required
			});
		});

		it("refuses another tenant's organisation as the member's organisation", async () => {
			await expect(
				callerFor(app, adminA).members.add({
					email: `cross-${Date.now()}@example.test`,
					name: 'Cross',
					password: TEST_PASSWORD,
					role: 'org_member',
					organisationId: orgB.id
				})
			).rejects.toMatchObject({ code: 'BAD_REQUEST' });
		});

		it('invites an existing identity of another tenant, who joins only by accepting', async () => {
			const person = await newPerson(t, { name: 'Shared Evaluator' });
			await newMembership(t, tenantB.id, person.id, 'evaluator');
			const usersBefore = await countRows('users');

			const result = await callerFor(app, adminA).members.add({
				email: person.email.toUpperCase(),
				password: 'another-password-123',
				role: 'decision_maker'
			});
			expect(await countRows('users')).toBe(usersBefore);
			// Their password stays theirs; no "person.create" was audited.
			const stored = await t.owner
				.selectFrom('users')
				.select('password_hash')
				.where('id', '=', person.id)
				.executeTakeFirstOrThrow();
			expect(stored.password_hash).toBe(person.password_hash);
			expect(await auditOf(person.id)).toEqual([]);
			expect(await auditOf(result.invitationId)).toEqual([
				{
					action: 'membership.invite',
					actor_user_id: adminA.userId,
					tenant_id: tenantA.id,
					entity_type: 'membership_invitation'
				}
			]);
			// Adding again while the invitation is open changes nothing.
			const audit = await countRows('audit_log');
			expect(
				await callerFor(app, adminA).members.add({ email: person.email, role: 'evaluator' })
			).toEqual(result);
			expect(await countRows('audit_log')).toBe(audit);

			const membership = await acceptInvitation(t, tenantA.id, person.email);
			expect(membership).toMatchObject({ user_id: person.id, role: 'decision_maker' });
			expect(await auditOf(membership.id)).toEqual([
				{
					action: 'membership.grant',
					actor_user_id: person.id,
					tenant_id: tenantA.id,
					entity_type: 'membership'
				}
			]);

			const again = await post(
				'members.add',
				{ email: person.email, role: 'evaluator' },
				contextFor(adminA, 'en')
			);
			expect(again.status).toBe(409);
			expect(again.body.error.json.data.fields).toEqual({
				email: en.error_already_member.replace('{email}', person.email)
			});
		});

		it('answers concurrent adds of the same new email without a server error', async () => {
			for (let round = 0; round < 10; round++) {
				const email = `double-${round}-${Date.now()}@example.test`;
				const results = await Promise.allSettled(
					(['evaluator', 'decision_maker'] as const).map((role) =>
						callerFor(app, adminA).members.add({
							email,
							name: 'Double Submit',
							password: TEST_PASSWORD,
							role
						})
					)
				);
				for (const r of results)
					if (r.status === 'rejected')
						expect((r.reason as { code?: string }).code).toBe('CONFLICT');
				expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
				const users = await t.owner
					.selectFrom('users')
					.select('id')
					.where(sql<string>`lower(email)`, '=', email)
					.execute();
				expect(users).toHaveLength(1);
			}
		});

		it('a new person is created once and audited, and joins on accepting', async () => {
			const email = `brand-new-${Date.now()}@example.test`;
			const result = await callerFor(app, adminA).members.add({
				email,
				name: 'Brand New',
				password: TEST_PASSWORD,
				role: 'evaluator'
			});
			const invitation = await openInvitation(t, tenantA.id, email);
			expect(await auditOf(invitation!.user_id!)).toEqual([
				{
					action: 'person.create',
					actor_user_id: adminA.userId,
					tenant_id: tenantA.id,
					entity_type: 'user'
				}
			]);
			expect(invitation!.id).toBe(result.invitationId);
			const membership = await acceptInvitation(t, tenantA.id, email);
			expect(membership).toMatchObject({ role: 'evaluator', user_id: invitation!.user_id });
		});
	});

	describe('members.list', () => {
		it("shows an organisation admin only their organisation's people, and no tenant B's", async () => {
			const fromX = await callerFor(app, orgAdminX).members.list();
			expect(fromX.length).toBeGreaterThan(0);
			expect(fromX.every((m) => m.organisation_id === orgX.id)).toBe(true);
			const fromA = await callerFor(app, adminA).members.list();
			const ids = fromA.map((m) => m.user_id);
			expect(ids).toContain(orgAdminX.userId);
			expect(ids).not.toContain(adminB.userId);
		});
	});

	describe('choosing a tenant', () => {
		it('lists both tenants and switches between them; refuses a tenant without membership', async () => {
			const person = await newPerson(t, { name: 'Two Hats' });
			await newMembership(t, tenantA.id, person.id, 'evaluator');
			await newMembership(t, tenantB.id, person.id, 'admin');
			const tenantC = await newTenant(t, 'Body C');

			const { token } = await createSession(t.db, person.id, app.sessionPolicy);
			const signedIn = await validateSessionToken(t.db, token, app.sessionPolicy);
			expect(signedIn?.tenantId).toBeNull();
			const ctx: TrpcContext = { app, locale: 'en', actor: null, person: signedIn! };
			const direct = createCaller(ctx);

			// Signed in but no tenant chosen: tenants works, tenant procedures are refused.
			const tenants = await direct.auth.tenants();
			expect(tenants).toEqual([
				{
					tenantId: tenantA.id,
					slug: tenantA.slug,
					name: 'Body A',
					role: 'evaluator',
					current: false
				},
				{ tenantId: tenantB.id, slug: tenantB.slug, name: 'Body B', role: 'admin', current: false }
			]);
			await expect(direct.auth.me()).rejects.toMatchObject({ code: 'FORBIDDEN' });

			await expect(direct.auth.chooseTenant({ tenantId: tenantC.id })).rejects.toMatchObject({
				code: 'FORBIDDEN'
			});
			expect((await validateSessionToken(t.db, token, app.sessionPolicy))?.tenantId).toBeNull();

			expect(await direct.auth.chooseTenant({ tenantId: tenantB.id })).toEqual({ ok: true });
			const inB = await validateSessionToken(t.db, token, app.sessionPolicy);
			expect(inB?.tenantId).toBe(tenantB.id);
			const asB = await callerFor(app, await actorOf(t, tenantB.id, person.id)).auth.tenants();
			expect(asB.find((m) => m.current)?.tenantId).toBe(tenantB.id);

			const inBCaller = createCaller({ ...ctx, person: inB! });
			expect(await inBCaller.auth.chooseTenant({ tenantId: tenantA.id })).toEqual({ ok: true });
			expect((await validateSessionToken(t.db, token, app.sessionPolicy))?.tenantId).toBe(
				tenantA.id
			);
		});

		it('refuses a signed-out caller with UNAUTHORIZED', async () => {
			await expect(callerFor(app, null).auth.tenants()).rejects.toMatchObject({
				code: 'UNAUTHORIZED'
			});
			await expect(
				callerFor(app, null).auth.chooseTenant({ tenantId: tenantA.id })
			).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
		});
	});

	describe('HTTP handler and CSRF', () => {
		const validInput = () => ({ legalName: 'Via HTTP Co.', uscc: newUscc(), address: 'Xiamen' });

		it('refuses a cross-origin mutation with 403 and writes nothing', async () => {
			const before = await countRows('organisations');
			const audit = await countRows('audit_log');
			const { status, body } = await post(
				'organisations.create',
				validInput(),
				contextFor(adminA),
				{
					origin: 'https://evil.example'
				}
			);
			expect(status).toBe(403);
			expect(body.error).toEqual({ message: en.error_cross_site, code: 'FORBIDDEN' });
			expect(await countRows('organisations')).toBe(before);
			expect(await countRows('audit_log')).toBe(audit);
		});

		it('refuses a form-encoded mutation with 403, even from the same origin', async () => {
			const before = await countRows('organisations');
			const response = await handleTrpcRequest(
				new Request('http://localhost/api/trpc/organisations.create', {
					method: 'POST',
					headers: {
						'content-type': 'application/x-www-form-urlencoded',
						origin: 'http://localhost'
					},
					body: new URLSearchParams({ legalName: 'Form Co.', uscc: newUscc() }).toString()
				}),
				contextFor(adminA)
			);
			expect(response.status).toBe(403);
			expect(await countRows('organisations')).toBe(before);
		});

		it('refuses a mutation a browser marks cross-site when it sends no Origin', async () => {
			const before = await countRows('organisations');
			const response = await handleTrpcRequest(
				new Request('http://localhost/api/trpc/organisations.create', {
					method: 'POST',
					headers: { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' },
					body: JSON.stringify({ json: validInput() })
				}),
				contextFor(adminA)
			);
			expect(response.status).toBe(403);
			expect(await countRows('organisations')).toBe(before);
		});

		it('accepts a same-origin JSON mutation', async () => {
			const before = await countRows('organisations');
			const input = validInput();
			const { status, body } = await post('organisations.create', input, contextFor(adminA));
			expect(status).toBe(200);
			expect(body.result.data.json).toMatchObject({
				legal_name: 'Via HTTP Co.',
				uscc: input.uscc,
				tenant_id: tenantA.id,
				version: 1
			});
			expect(await countRows('organisations')).toBe(before + 1);
			expect(await auditOf(body.result.data.json.id)).toHaveLength(1);
		});

		it('answers a batched GET of queries', async () => {
			const input = encodeURIComponent(JSON.stringify({ 0: { json: null }, 1: { json: {} } }));
			const response = await handleTrpcRequest(
				new Request(`http://localhost/api/trpc/auth.me,organisations.list?batch=1&input=${input}`),
				contextFor(orgAdminX)
			);
			expect(response.status).toBe(200);
			const body = (await response.json()) as [
				{ result: { data: { json: { email: string; tenant: { slug: string } } } } },
				{ result: { data: { json: { rows: { id: string }[] } } } }
			];
			expect(body).toHaveLength(2);
			expect(body[0].result.data.json).toMatchObject({
				email: orgAdminX.email,
				tenant: { slug: tenantA.slug }
			});
			expect(body[1].result.data.json.rows.map((o) => o.id)).toEqual([orgX.id]);
		});

		it('answers a signed-out GET with 401', async () => {
			const response = await handleTrpcRequest(
				new Request('http://localhost/api/trpc/auth.me'),
				contextFor(null, 'zh-CN')
			);
			expect(response.status).toBe(401);
			const body = (await response.json()) as { error: { json: { message: string } } };
			expect(body.error.json.message).toBe(zhCN.error_signed_out);
		});
	});
});
