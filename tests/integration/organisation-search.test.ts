import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { callerFor, newActor, newOrganisation, newTenant, testApp } from '../support/factories';
import { handleTrpcRequest } from '../../src/lib/server/trpc/handler';
import type { TrpcContext } from '../../src/lib/server/trpc/context';
import { ORGANISATION_SEARCH_LIMIT } from '../../src/lib/server/services/organisations.schema';
import type { Actor } from '../../src/lib/server/actor';
import type { App } from '../../src/lib/server/app';
import type { Locale } from '../../db/schema';
import en from '../../messages/en.json';
import zhCN from '../../messages/zh-CN.json';

/*
 * organisations.search, the query behind the list filters' search-as-you-type organisation
 * field: a few matches by name or USCC, only the tenant's, only their own for an organisation
 * user, and bad input refused with a 400 in the user's language.
 */

describe.each(DIALECTS)('organisations.search (%s)', (kind) => {
	let t: TestDatabase;
	let app: App;
	let admin: Actor;
	let otherAdmin: Actor;
	let orgUser: Actor;
	let own: Awaited<ReturnType<typeof newOrganisation>>;

	/** A GET of the query through the HTTP handler, as the browser client sends it. */
	async function get(input: unknown, actor: Actor | null, locale: Locale = 'en') {
		const person = actor
			? {
					sessionId: 'test-session',
					userId: actor.userId,
					email: actor.email,
					name: actor.name,
					locale: null,
					expiresAt: new Date(Date.now() + 86_400_000),
					tenantId: actor.tenantId
				}
			: null;
		const ctx: TrpcContext = { app, locale, actor, person };
		const query = encodeURIComponent(JSON.stringify({ json: input }));
		const response = await handleTrpcRequest(
			new Request(`http://localhost/api/trpc/organisations.search?input=${query}`),
			ctx
		);
		// eslint-disable-next-line @typescript-eslint/no-explicit-any
		return { status: response.status, body: (await response.json()) as any };
	}

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		app = testApp(t);
		const tenant = await newTenant(t, 'Search Body');
		const other = await newTenant(t, 'Other Body');
		// More matches than one answer carries, named so that their order is known.
		for (let n = 1; n <= ORGANISATION_SEARCH_LIMIT + 5; n++)
			await newOrganisation(t, tenant.id, `Harbour Works ${String(n).padStart(2, '0')}`);
		own = await newOrganisation(t, tenant.id, '厦门立顺捷机电服务有限公司');
		await newOrganisation(t, tenant.id, '100% Pure Co.');
		await newOrganisation(t, other.id, 'Harbour Works Elsewhere');
		admin = await newActor(t, tenant.id, 'admin');
		otherAdmin = await newActor(t, other.id, 'admin');
		orgUser = await newActor(t, tenant.id, 'org_admin', own.id);
	}, 120_000);

	afterAll(async () => {
		await t?.drop();
	});

	it('offers the first few matches by name, id and name only, in name order', async () => {
		const found = await callerFor(app, admin).organisations.search({ query: 'harbour' });
		expect(found).toHaveLength(ORGANISATION_SEARCH_LIMIT);
		expect(found[0]).toEqual({ id: expect.any(String), legal_name: 'Harbour Works 01' });
		expect(found.map((o) => o.legal_name)).toEqual(
			[...found.map((o) => o.legal_name)].sort((a, b) => a.localeCompare(b))
		);
		const chinese = await callerFor(app, admin).organisations.search({ query: '立顺捷' });
		expect(chinese).toEqual([{ id: own.id, legal_name: own.legal_name }]);
		const byUscc = await callerFor(app, admin).organisations.search({ query: own.uscc.slice(2) });
		expect(byUscc.map((o) => o.id)).toEqual([own.id]);
	});

	it("takes LIKE's own characters literally", async () => {
		const found = await callerFor(app, admin).organisations.search({ query: '0%' });
		expect(found.map((o) => o.legal_name)).toEqual(['100% Pure Co.']);
		expect(await callerFor(app, admin).organisations.search({ query: '_' })).toEqual([]);
	});

	it("never shows another tenant's organisations", async () => {
		const found = await callerFor(app, otherAdmin).organisations.search({ query: 'harbour' });
		expect(found.map((o) => o.legal_name)).toEqual(['Harbour Works Elsewhere']);
		expect(await callerFor(app, otherAdmin).organisations.search({ query: '立顺捷' })).toEqual([]);
	});

	it('shows an organisation user only their own organisation', async () => {
		expect(await callerFor(app, orgUser).organisations.search({})).toEqual([
			{ id: own.id, legal_name: own.legal_name }
		]);
		expect(await callerFor(app, orgUser).organisations.search({ query: 'harbour' })).toEqual([]);
	});

	it('refuses the signed-out with 401', async () => {
		const { status } = await get({ query: 'harbour' }, null);
		expect(status).toBe(401);
	});

	it('refuses a query too long or not text with 400, in the user’s language', async () => {
		const english = await get({ query: 'x'.repeat(101) }, admin, 'en');
		expect(english.status).toBe(400);
		expect(english.body.error.json.data.fields.query).toBe(en.error_too_long);
		const chinese = await get({ query: 'x'.repeat(101) }, admin, 'zh-CN');
		expect(chinese.status).toBe(400);
		expect(chinese.body.error.json.data.fields.query).toBe(zhCN.error_too_long);
		expect((await get({ query: 42 }, admin)).status).toBe(400);
	});
});
