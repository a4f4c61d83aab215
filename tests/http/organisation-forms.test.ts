import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unflatten } from 'devalue';
import { signedIn, startDemoApp, type Browserless } from '../support/http';
import type { RunningServer } from '../support/server';
import zhCN from '../../messages/zh-CN.json';
import { translate } from '../../src/lib/server/i18n/translate';
import organisationsZh from '../../messages/organisations/zh-CN.json';

/*
 * Every form action of the organisation, certificate and people pages through HTTP, as a browser
 * posts them to the built app with the demo data: each one once on its happy path, then the
 * refusals (a role that may not, bad input of every kind) with their status and message, and
 * nothing written.
 */

const NOT_A_UUID = 'not-a-uuid';
const DEMO_ORGANISATION = '厦门立顺捷机电服务有限公司';

/** A valid USCC with the given 9-character organisation code (check digit computed). */
function uscc(code: string): string {
	const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
	const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
	const first17 = `91350206${code}`;
	let sum = 0;
	for (let i = 0; i < 17; i++) sum += alphabet.indexOf(first17[i]!) * weights[i]!;
	return first17 + alphabet[(31 - (sum % 31)) % 31];
}

let serial = 0;
/** A fresh valid USCC per call. */
function freshUscc(): string {
	serial += 1;
	return uscc(`MA${String(Date.now() % 1e5).padStart(5, '0')}${String(serial).padStart(2, '0')}`);
}

/** What a page's load returned, read from SvelteKit's `__data.json` (the last node with data). */
async function pageData(client: Browserless, path: string): Promise<Record<string, unknown>> {
	const response = await client.fetch(`${path.replace(/\/$/, '')}/__data.json`);
	expect(response.status).toBe(200);
	const body = (await response.json()) as { nodes: ({ type: string; data?: unknown } | null)[] };
	const nodes = body.nodes.filter((node) => node?.type === 'data' && node.data);
	return unflatten(nodes.at(-1)!.data as never) as Record<string, unknown>;
}

interface OrganisationRow {
	id: string;
	legal_name: string;
	uscc: string;
	version: number;
}

async function organisations(client: Browserless): Promise<OrganisationRow[]> {
	return ((await pageData(client, '/organisations')).page as { rows: OrganisationRow[] }).rows;
}

describe('organisation, certificate and people forms over HTTP', () => {
	let server: RunningServer;
	let admin: Browserless;
	let decider: Browserless;
	let orgAdmin: Browserless;
	let demoOrganisation: OrganisationRow;

	beforeAll(async () => {
		server = await startDemoApp();
		admin = await signedIn(server, 'admin@demo.test');
		decider = await signedIn(server, 'decider@demo.test');
		orgAdmin = await signedIn(server, 'org@demo.test');
		demoOrganisation = (await organisations(admin)).find(
			(o) => o.legal_name === DEMO_ORGANISATION
		)!;
		expect(demoOrganisation).toBeTruthy();
	}, 300_000);

	afterAll(async () => {
		await server?.stop();
	});

	describe('pages', () => {
		/** A browser's plain form post (no JavaScript): the page renders again with the failure. */
		async function plainPost(client: Browserless, path: string, fields: Record<string, string>) {
			const response = await client.fetch(path, {
				method: 'POST',
				body: new URLSearchParams(fields),
				headers: {
					origin: server.origin,
					accept: 'text/html',
					'content-type': 'application/x-www-form-urlencoded'
				}
			});
			return { status: response.status, html: await response.text() };
		}

		it('renders every form page with its fields', async () => {
			const certificates = (
				(await pageData(admin, '/certificates')).page as { rows: { id: string }[] }
			).rows;
			const certificate = certificates[0]!.id;
			for (const [client, path, field] of [
				[admin, '/organisations/new', 'organisation-uscc'],
				[admin, `/organisations/${demoOrganisation.id}`, 'contact-email'],
				[admin, `/organisations/${demoOrganisation.id}/edit`, 'organisation-legalName'],
				[orgAdmin, `/organisations/${demoOrganisation.id}`, 'invite-role'],
				[admin, '/certificates/new', 'certificate-gradeLevelId'],
				[admin, `/certificates/${certificate}`, ''],
				[admin, `/certificates/${certificate}/edit`, 'certificate-scope'],
				[admin, '/people', 'person-organisation'],
				[orgAdmin, '/people', 'person-role']
			] as const) {
				const response = await client.fetch(path, { headers: { accept: 'text/html' } });
				expect(response.status, path).toBe(200);
				if (field) expect(await response.text(), path).toContain(`id="${field}"`);
			}
		});

		it('shows a refused form again with its message and the values typed', async () => {
			const refused = await plainPost(admin, '/organisations/new', {
				legalName: '无效代码公司',
				uscc: '123',
				address: ''
			});
			expect(refused.status).toBe(400);
			expect(refused.html).toContain(zhCN.error_uscc_length);
			expect(refused.html).toContain('value="无效代码公司"');
			expect(refused.html).toContain('aria-invalid="true"');
		});
	});

	describe('organisations/new and organisations/[id]/edit', () => {
		it('creates an organisation and edits it, each redirecting to its page', async () => {
			const code = freshUscc();
			const created = await admin.action('/organisations/new', null, {
				legalName: '厦门表单测试有限公司',
				uscc: code.toLowerCase(),
				address: '厦门市集美区'
			});
			expect(created).toMatchObject({ type: 'redirect', status: 303 });
			const id = /^\/organisations\/([0-9a-f-]{36})\?saved=created$/.exec(created.location!)?.[1];
			expect(id).toBeTruthy();
			const row = (await organisations(admin)).find((o) => o.id === id)!;
			expect(row).toMatchObject({ legal_name: '厦门表单测试有限公司', uscc: code, version: 1 });

			const edited = await admin.action(`/organisations/${id}/edit`, null, {
				legalName: '厦门表单测试有限公司',
				uscc: code,
				address: '厦门市海沧区',
				version: '1'
			});
			expect(edited).toMatchObject({
				type: 'redirect',
				status: 303,
				location: `/organisations/${id}?saved=updated`
			});
			expect((await organisations(admin)).find((o) => o.id === id)?.version).toBe(2);

			// The same version again is stale: 409 with the reload message.
			const stale = await admin.action(`/organisations/${id}/edit`, null, {
				legalName: '厦门表单测试有限公司',
				uscc: code,
				address: '',
				version: '1'
			});
			expect(stale.status).toBe(409);
			expect(stale.data).toMatchObject({ stale: true, errors: { _: zhCN.error_stale_version } });
		});

		it('refuses a role that may not manage organisations (403), creating nothing', async () => {
			const before = (await organisations(admin)).length;
			const refused = await decider.action('/organisations/new', null, {
				legalName: '越权公司',
				uscc: freshUscc(),
				address: ''
			});
			expect(refused.status).toBe(403);
			expect((await decider.fetch('/organisations/new')).status).toBe(403);
			expect((await organisations(admin)).length).toBe(before);
		});

		it('refuses a bad USCC with 400 and the Chinese message on its field, creating nothing', async () => {
			const before = (await organisations(admin)).length;
			const good = freshUscc();
			const wrongCheck = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
			const refused = await admin.action('/organisations/new', null, {
				legalName: '校验位错误公司',
				uscc: wrongCheck,
				address: ''
			});
			expect(refused.status).toBe(400);
			expect(refused.data).toMatchObject({
				errors: { uscc: zhCN.error_uscc_check_digit },
				values: { legalName: '校验位错误公司', uscc: wrongCheck }
			});
			expect((await organisations(admin)).length).toBe(before);
		});

		it('refuses a name with NUL, a body that is no form and an out-of-range version (400)', async () => {
			const before = (await organisations(admin)).length;
			const nul = await admin.action('/organisations/new', null, {
				legalName: 'Null\u0000Co.',
				uscc: freshUscc(),
				address: ''
			});
			expect(nul.status).toBe(400);
			expect(nul.data).toMatchObject({ errors: { legalName: zhCN.error_nul_character } });

			const plain = await admin.action(
				'/organisations/new',
				null,
				`legalName=Plain&uscc=${freshUscc()}`,
				{ contentType: 'text/plain' }
			);
			expect(plain.status).toBe(400);
			expect(plain.data).toMatchObject({ errors: { _: zhCN.error_form_unreadable } });

			const huge = await admin.action(`/organisations/${demoOrganisation.id}/edit`, null, {
				legalName: demoOrganisation.legal_name,
				uscc: demoOrganisation.uscc,
				address: '',
				version: '2147483648'
			});
			expect(huge.status).toBe(400);
			expect(huge.data).toMatchObject({ errors: { version: zhCN.error_number_out_of_range } });
			expect((await organisations(admin)).length).toBe(before);
		});

		it('answers a route id that is no UUID with 404', async () => {
			expect((await admin.fetch(`/organisations/${NOT_A_UUID}`)).status).toBe(404);
			const edit = await admin.action(`/organisations/${NOT_A_UUID}/edit`, null, {
				legalName: 'X',
				uscc: freshUscc(),
				address: '',
				version: '1'
			});
			expect(edit.status).toBe(404);
			const contact = await admin.action(`/organisations/${NOT_A_UUID}`, 'addContact', {
				name: 'X',
				email: 'x@example.test'
			});
			expect(contact.status).toBe(404);
		});
	});

	describe('organisations/[id]: contacts and invitations', () => {
		interface Contact {
			id: string;
			name: string;
			email: string;
			locale: string;
			receives_reminders: boolean;
		}
		async function contactsOf(id: string): Promise<Contact[]> {
			const data = await pageData(admin, `/organisations/${id}`);
			return (data.organisation as { contacts: Contact[] }).contacts;
		}

		it('adds, updates and removes a contact', async () => {
			const path = `/organisations/${demoOrganisation.id}`;
			const added = await admin.action(path, 'addContact', {
				name: '表单联系人',
				email: 'form-contact@example.test',
				phone: '0592-1234567',
				locale: 'en',
				receivesReminders: 'on'
			});
			expect(added).toMatchObject({
				type: 'success',
				status: 200,
				data: { contactSaved: 'added' }
			});
			const contact = (await contactsOf(demoOrganisation.id)).find(
				(c) => c.email === 'form-contact@example.test'
			)!;
			expect(contact).toMatchObject({ name: '表单联系人', locale: 'en', receives_reminders: true });

			// An unticked checkbox sends nothing: no reminders.
			const updated = await admin.action(path, 'updateContact', {
				id: contact.id,
				name: '表单联系人（改）',
				email: 'form-contact@example.test',
				phone: '',
				locale: 'zh-CN'
			});
			expect(updated).toMatchObject({
				type: 'redirect',
				location: `${path}?saved=contact#contacts`
			});
			expect(
				(await contactsOf(demoOrganisation.id)).find((c) => c.id === contact.id)
			).toMatchObject({ name: '表单联系人（改）', locale: 'zh-CN', receives_reminders: false });

			const badEmail = await admin.action(path, 'addContact', {
				name: '坏邮箱',
				email: 'not-an-email'
			});
			expect(badEmail.status).toBe(400);
			expect(badEmail.data).toMatchObject({
				form: 'contact',
				errors: { email: zhCN.error_email_invalid }
			});

			const removed = await admin.action(path, 'removeContact', { id: contact.id });
			expect(removed).toMatchObject({ type: 'success', data: { contactSaved: 'removed' } });
			expect((await contactsOf(demoOrganisation.id)).some((c) => c.id === contact.id)).toBe(false);

			// Gone now: updating or removing it again says so.
			const again = await admin.action(path, 'removeContact', { id: contact.id });
			expect(again.status).toBe(404);
			expect(again.data).toMatchObject({
				form: 'contacts',
				errors: { _: organisationsZh.organisations_error_contact_gone }
			});
			const garbled = await admin.action(path, 'updateContact', {
				id: NOT_A_UUID,
				name: 'X',
				email: 'x@example.test'
			});
			expect(garbled.status).toBe(400);
			expect(garbled.data).toMatchObject({
				errors: { id: organisationsZh.organisations_error_contact_gone }
			});
		});

		it('refuses contact changes to a role that may not (403)', async () => {
			const refused = await decider.action(`/organisations/${demoOrganisation.id}`, 'addContact', {
				name: '越权',
				email: 'nope@example.test'
			});
			expect(refused.status).toBe(403);
		});

		it('invites an organisation user, by the CB admin and by the organisation’s own admin', async () => {
			const path = `/organisations/${demoOrganisation.id}`;
			const byAdmin = await admin.action(path, 'invite', {
				email: 'invited-by-admin@example.test',
				name: '受邀成员',
				password: 'invited-password-2026',
				role: 'org_member'
			});
			expect(byAdmin).toMatchObject({
				type: 'success',
				data: { invited: 'invited-by-admin@example.test' }
			});
			const byOrgAdmin = await orgAdmin.action(path, 'invite', {
				email: 'invited-by-org@example.test',
				name: '组织邀请',
				password: 'invited-password-2026',
				role: 'org_admin'
			});
			expect(byOrgAdmin).toMatchObject({ type: 'success' });
			// An invitation, not a membership: the person joins when they accept it (issue 8 item 16).
			const users = (await pageData(admin, path)).users as { email: string; role: string }[];
			expect(users.map((u) => u.email)).not.toContain('invited-by-admin@example.test');
			const pending = (await pageData(admin, '/people')).invitations as {
				email: string;
				role: string;
				organisationName: string | null;
			}[];
			expect(pending).toEqual(
				expect.arrayContaining([
					expect.objectContaining({ email: 'invited-by-admin@example.test', role: 'org_member' }),
					expect.objectContaining({ email: 'invited-by-org@example.test', role: 'org_admin' })
				])
			);

			// A CB role is no organisation role.
			const cbRole = await admin.action(path, 'invite', {
				email: 'would-be-evaluator@example.test',
				name: '评审员',
				password: 'invited-password-2026',
				role: 'evaluator'
			});
			expect(cbRole.status).toBe(400);
			expect(cbRole.data).toMatchObject({
				form: 'invite',
				errors: { role: organisationsZh.organisations_error_invite_role }
			});
			// Another organisation is not the organisation admin's to invite into.
			const neighbour = (await organisations(admin)).find((o) => o.id !== demoOrganisation.id)!;
			const foreign = await orgAdmin.action(`/organisations/${neighbour.id}`, 'invite', {
				email: 'foreign@example.test',
				name: '外人',
				password: 'invited-password-2026',
				role: 'org_member'
			});
			expect(foreign.status).toBe(403);
		});
	});

	describe('certificates/new and certificates/[id]/edit', () => {
		interface Standard {
			id: string;
			code: string;
			grade_scale_id: string | null;
		}
		interface GradeLevel {
			id: string;
			grade_scale_id: string;
		}

		async function choices() {
			const data = await pageData(admin, '/certificates/new');
			const standards = data.standards as Standard[];
			const gradeLevels = data.gradeLevels as GradeLevel[];
			const graded = standards.find((s) => s.grade_scale_id)!;
			return {
				standard: graded,
				grade: gradeLevels.find((level) => level.grade_scale_id === graded.grade_scale_id)!
			};
		}

		it('issues a certificate and corrects it, each redirecting to its page', async () => {
			const { standard, grade } = await choices();
			const number = `FORM-${Date.now()}`;
			const created = await admin.action('/certificates/new', null, {
				number,
				organisationId: demoOrganisation.id,
				standardId: standard.id,
				gradeLevelId: grade.id,
				scope: '机电设备维修服务',
				issuedOn: '2026-03-01',
				decidedOn: ''
			});
			expect(created).toMatchObject({ type: 'redirect', status: 303 });
			const id = /^\/certificates\/([0-9a-f-]{36})\?saved=created$/.exec(created.location!)?.[1];
			expect(id).toBeTruthy();
			const page = await pageData(admin, `/certificates/${id}`);
			expect(page.certificate).toMatchObject({
				number,
				issued_on: '2026-03-01',
				decided_on: '2026-03-01',
				version: 1
			});
			expect(page).toMatchObject({ canEdit: true, canDecide: false, isStaff: true });
			expect(await pageData(decider, `/certificates/${id}`)).toMatchObject({
				canEdit: false,
				canDecide: true
			});

			const edited = await admin.action(`/certificates/${id}/edit`, null, {
				number,
				scope: '机电设备维修及安装服务',
				issuedOn: '2026-03-02',
				decidedOn: '2026-03-01',
				version: '1'
			});
			expect(edited).toMatchObject({
				type: 'redirect',
				location: `/certificates/${id}?saved=updated`
			});
			expect((await pageData(admin, `/certificates/${id}`)).certificate).toMatchObject({
				scope: '机电设备维修及安装服务',
				version: 2
			});

			const huge = await admin.action(`/certificates/${id}/edit`, null, {
				number,
				scope: 'x',
				issuedOn: '2026-03-02',
				version: '2147483648'
			});
			expect(huge.status).toBe(400);
			expect(huge.data).toMatchObject({ errors: { version: zhCN.error_number_out_of_range } });
		});

		it('refuses bad dates and roles that may not, creating nothing', async () => {
			const { standard, grade } = await choices();
			const input = {
				number: `FORM-BAD-${Date.now()}`,
				organisationId: demoOrganisation.id,
				standardId: standard.id,
				gradeLevelId: grade.id,
				scope: 'x'
			};
			const before = ((await pageData(admin, '/certificates')).page as { total: number }).total;
			const impossible = await admin.action('/certificates/new', null, {
				...input,
				issuedOn: '2026-02-30'
			});
			expect(impossible.status).toBe(400);
			expect(impossible.data).toMatchObject({
				errors: { issuedOn: organisationsZh.organisations_error_date_invalid }
			});
			const farAway = await admin.action('/certificates/new', null, {
				...input,
				issuedOn: '9999-12-31'
			});
			expect(farAway.status).toBe(400);
			expect(farAway.data).toMatchObject({ errors: { issuedOn: zhCN.error_date_out_of_range } });
			const byDecider = await decider.action('/certificates/new', null, {
				...input,
				issuedOn: '2026-03-01'
			});
			expect(byDecider.status).toBe(403);
			expect(((await pageData(admin, '/certificates')).page as { total: number }).total).toBe(
				before
			);

			expect((await admin.fetch(`/certificates/${NOT_A_UUID}`)).status).toBe(404);
			expect(
				(await admin.action(`/certificates/${NOT_A_UUID}/edit`, null, { ...input, version: '1' }))
					.status
			).toBe(404);
		});

		it('answers the expiry preview of a far date with 400, not a server error', async () => {
			const { standard } = await choices();
			const preview = (issuedOn: string) =>
				admin.fetch(
					`/api/trpc/certificates.previewExpiry?input=${encodeURIComponent(
						JSON.stringify({ json: { standardId: standard.id, issuedOn } })
					)}`
				);
			expect((await preview('2026-03-01')).status).toBe(200);
			const far = await preview('9999-12-31');
			expect(far.status).toBe(400);
		});
	});

	describe('people', () => {
		it('the CB admin adds a person with any role; the role list comes from the server', async () => {
			const page = await pageData(admin, '/people');
			expect(page.grantableRoles).toEqual([
				'admin',
				'evaluator',
				'decision_maker',
				'org_admin',
				'org_member'
			]);
			const added = await admin.action('/people', 'add', {
				email: 'people-form-evaluator@example.test',
				name: '表单评审员',
				password: 'people-password-2026',
				role: 'evaluator',
				organisationId: ''
			});
			expect(added).toMatchObject({
				type: 'success',
				data: { invited: 'people-form-evaluator@example.test' }
			});
			// Invited, listed as pending, not a member until they accept.
			const after = await pageData(admin, '/people');
			const members = after.members as { email: string }[];
			expect(members.map((m) => m.email)).not.toContain('people-form-evaluator@example.test');
			expect(
				(after.invitations as { email: string; role: string }[]).map((i) => i.email)
			).toContain('people-form-evaluator@example.test');
		});

		it('the organisation’s admin adds to their own organisation, and grants no CB role', async () => {
			const page = await pageData(orgAdmin, '/people');
			expect(page.grantableRoles).toEqual(['org_admin', 'org_member']);
			// The page speaks of their organisation by name, never of "your body", and offers no
			// organisation to pick.
			expect(page.ownOrganisation).toBe(demoOrganisation.legal_name);
			const html = await (await orgAdmin.fetch('/people')).text();
			expect(html).toContain(
				translate('people_invite_intro_org', 'zh-CN', {
					organisation: demoOrganisation.legal_name
				})
			);
			expect(html).not.toContain(translate('people_invite_intro', 'zh-CN'));
			expect(html).not.toContain('id="person-organisation"');
			expect((await pageData(admin, '/people')).ownOrganisation).toBeNull();
			const added = await orgAdmin.action('/people', 'add', {
				email: 'people-form-member@example.test',
				name: '表单成员',
				password: 'people-password-2026',
				role: 'org_member',
				organisationId: ''
			});
			expect(added).toMatchObject({ type: 'success' });
			const pending = (await pageData(orgAdmin, '/people')).invitations as {
				email: string;
				organisationName: string | null;
			}[];
			expect(pending.find((i) => i.email === 'people-form-member@example.test')).toMatchObject({
				organisationName: demoOrganisation.legal_name
			});

			const cb = await orgAdmin.action('/people', 'add', {
				email: 'people-form-cb@example.test',
				name: '越权',
				password: 'people-password-2026',
				role: 'evaluator',
				organisationId: ''
			});
			expect(cb.status).toBe(403);
			expect((await decider.fetch('/people')).status).toBe(403);
			const byDecider = await decider.action('/people', 'add', {
				email: 'people-form-decider@example.test',
				role: 'org_member'
			});
			expect(byDecider.status).toBe(403);
		});
	});
});
