import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { loadDemoData } from '../../db/seed/demo';
import { DEMO_CERTIFICATES, LISHUNJIE } from '../../db/seed/demo-data';
import {
	findByNumber,
	publicCertificate,
	searchBody,
	type PublicCertificate
} from '../../src/lib/server/services/verification';

/*
 * Public verification (issue 13 item 1) on the demo data, on PostgreSQL and PGlite: one body's
 * search by number, USCC and name; the exact-number search across bodies; a status replayed on
 * past days; expiry by date; and a probe that one body's page never answers with another's
 * certificates.
 */

describe.each(DIALECTS)('public certificate verification (%s)', (kind) => {
	let t: TestDatabase;
	const loadedAt = new Date('2026-12-02T03:00:00Z');
	const now = loadedAt;
	let demo: { id: string };
	const FIVE_STAR = DEMO_CERTIFICATES[0]!.number;

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		await loadDemoData(t.owner, t.db, loadedAt);
		demo = await t.owner
			.selectFrom('tenants')
			.select('id')
			.where('slug', '=', 'demo')
			.executeTakeFirstOrThrow();
	}, 300_000);

	afterAll(async () => {
		await t?.drop();
	});

	/** A certificate of the demo body with a history written by hand (the owner's handle). */
	async function certificateWithHistory(
		number: string,
		dates: { issued: string; expires: string; status: 'active' | 'suspended' | 'withdrawn' },
		history: {
			change: 'issued' | 'status' | 'grade';
			to_status?: 'active' | 'suspended' | 'withdrawn';
			grade?: string;
			on: string;
		}[]
	) {
		const base = await t.owner
			.selectFrom('certificates')
			.select(['organisation_id', 'standard_id', 'grade_level_id'])
			.where('tenant_id', '=', demo.id)
			.where('number', '=', FIVE_STAR)
			.executeTakeFirstOrThrow();
		const levels = await t.owner
			.selectFrom('grade_levels')
			.select(['id', 'code'])
			.where('tenant_id', '=', demo.id)
			.execute();
		const level = (code: string) => levels.find((l) => l.code === code)!.id;
		const certificate = await t.owner
			.insertInto('certificates')
			.values({
				tenant_id: demo.id,
				number,
				organisation_id: base.organisation_id,
				standard_id: base.standard_id,
				scope: 'Scope of ' + number,
				grade_level_id: level('4-star'),
				status: dates.status,
				issued_on: dates.issued,
				expires_on: dates.expires,
				decided_on: dates.issued
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		let second = 0;
		for (const step of history)
			await t.owner
				.insertInto('certificate_history')
				.values({
					tenant_id: demo.id,
					certificate_id: certificate.id,
					change: step.change,
					to_status: step.to_status ?? null,
					to_grade_level_id: step.grade ? level(step.grade) : null,
					to_scope: step.change === 'issued' ? 'Scope of ' + number : null,
					effective_on: step.on,
					recorded_at: new Date(Date.parse(`${step.on}T08:00:00Z`) + second++ * 1000)
				})
				.execute();
	}

	it('finds the five-star certificate in its body by number, USCC and part of the name', async () => {
		const uscc = '91350206MA31RQB972';
		for (const text of [FIVE_STAR, uscc, uscc.toLowerCase(), '立顺捷']) {
			const result = await searchBody(t.db, 'demo', text, now);
			expect(result?.body).toEqual({ slug: 'demo', name: 'Demo Certification Body' });
			const numbers = result!.certificates.map((c) => c.number);
			expect(numbers, text).toContain(FIVE_STAR);
		}
		const [found] = (await searchBody(t.db, 'demo', FIVE_STAR, now))!.certificates;
		expect(found).toMatchObject({
			number: FIVE_STAR,
			organisationName: LISHUNJIE,
			standardCode: 'GB/T 27922-2011',
			today: { kind: 'state', status: 'active', gradeZh: '五星', gradeEn: 'Five stars' }
		});
		expect((await searchBody(t.db, 'demo', 'no such organisation', now))!.certificates).toEqual([]);
		// Part of a number is no match: numbers are exact.
		expect((await searchBody(t.db, 'demo', FIVE_STAR.slice(0, 8), now))!.certificates).toEqual([]);
		expect(await searchBody(t.db, 'no-such-body', FIVE_STAR, now)).toBeNull();
	});

	it('gives a result with public columns only', async () => {
		const [found] = (await searchBody(t.db, 'demo', FIVE_STAR, now))!.certificates;
		const keys = [
			'number',
			'organisationName',
			'uscc',
			'standardCode',
			'standardTitleZh',
			'standardTitleEn',
			'issuedOn',
			'expiresOn',
			'today'
		];
		expect(Object.keys(found!).sort()).toEqual([...keys].sort());
		expect(Object.keys(found!.today).sort()).toEqual(
			['kind', 'on', 'status', 'scope', 'gradeZh', 'gradeEn'].sort()
		);
		expectTypeOf<keyof PublicCertificate>().toEqualTypeOf<
			| 'number'
			| 'organisationName'
			| 'uscc'
			| 'standardCode'
			| 'standardTitleZh'
			| 'standardTitleEn'
			| 'issuedOn'
			| 'expiresOn'
			| 'today'
		>();
		const page = await publicCertificate(t.db, 'demo', FIVE_STAR, now);
		expect(Object.keys(page!).sort()).toEqual(['asOf', 'body', 'certificate']);
		// No id, no person, no finding anywhere in what a page gets.
		expect(JSON.stringify(page)).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
		expect(JSON.stringify(page)).not.toMatch(/李华|陈静|张敏|王强|@demo\.test/);
	});

	it('replays the status on past days: valid, suspended, restored with a new grade', async () => {
		await certificateWithHistory(
			'TEST-REPLAY-1',
			{ issued: '2025-01-10', expires: '2028-01-09', status: 'active' },
			[
				{ change: 'issued', to_status: 'active', grade: '5-star', on: '2025-01-10' },
				{ change: 'status', to_status: 'suspended', on: '2025-06-01' },
				{ change: 'status', to_status: 'active', on: '2025-09-01' },
				{ change: 'grade', grade: '4-star', on: '2025-09-01' }
			]
		);
		const on = async (date: string) =>
			(await publicCertificate(t.db, 'demo', 'TEST-REPLAY-1', now, date))!.asOf;
		expect(await on('2025-01-09')).toEqual({ kind: 'not_issued', on: '2025-01-09' });
		expect(await on('2025-01-10')).toMatchObject({
			status: 'active',
			gradeEn: 'Five stars',
			scope: 'Scope of TEST-REPLAY-1'
		});
		expect(await on('2025-05-31')).toMatchObject({ status: 'active' });
		expect(await on('2025-06-01')).toMatchObject({ status: 'suspended', gradeEn: 'Five stars' });
		expect(await on('2025-08-31')).toMatchObject({ status: 'suspended' });
		expect(await on('2025-09-01')).toMatchObject({ status: 'active', gradeEn: 'Four stars' });
		expect(await on('2028-01-09')).toMatchObject({ status: 'active' });
		expect(await on('2028-01-10')).toMatchObject({ status: 'expired' });
		const page = await publicCertificate(t.db, 'demo', 'TEST-REPLAY-1', now);
		expect(page!.asOf).toBeNull();
		expect(page!.certificate.today).toMatchObject({ status: 'active', gradeEn: 'Four stars' });
	});

	it('counts a certificate past its expiry date as expired, before any sweep marks it', async () => {
		await certificateWithHistory(
			'TEST-EXPIRED-1',
			{ issued: '2023-01-10', expires: '2026-01-09', status: 'active' },
			[{ change: 'issued', to_status: 'active', grade: '5-star', on: '2023-01-10' }]
		);
		const page = await publicCertificate(t.db, 'demo', 'TEST-EXPIRED-1', now, '2025-12-31');
		expect(page!.certificate.today).toMatchObject({ status: 'expired' });
		expect(page!.asOf).toMatchObject({ status: 'active' });
		// Withdrawn stays withdrawn after the expiry date.
		await certificateWithHistory(
			'TEST-WITHDRAWN-1',
			{ issued: '2023-01-10', expires: '2026-01-09', status: 'withdrawn' },
			[
				{ change: 'issued', to_status: 'active', on: '2023-01-10' },
				{ change: 'status', to_status: 'withdrawn', on: '2024-03-01' }
			]
		);
		const withdrawn = await publicCertificate(t.db, 'demo', 'TEST-WITHDRAWN-1', now);
		expect(withdrawn!.certificate.today).toMatchObject({ status: 'withdrawn' });
	});

	it('plain /verify answers an exact number from any body, and never a name', async () => {
		const found = await findByNumber(t.db, FIVE_STAR, now);
		expect(found.map((f) => [f.body.slug, f.certificate.number])).toEqual([['demo', FIVE_STAR]]);
		const other = await findByNumber(t.db, 'OCB-PM-2026-0001', now);
		expect(other.map((f) => f.body.slug)).toEqual(['other']);
		for (const text of [LISHUNJIE, '立顺捷', '91350206MA31RQB972', FIVE_STAR.slice(0, 10), ''])
			expect(await findByNumber(t.db, text, now), text).toEqual([]);
	});

	it('probe: /verify/demo finds none of the other body’s certificates by name, USCC or number', async () => {
		const others = await t.owner
			.selectFrom('certificates')
			.innerJoin('tenants', 'tenants.id', 'certificates.tenant_id')
			.innerJoin('organisations', (join) =>
				join
					.onRef('organisations.tenant_id', '=', 'certificates.tenant_id')
					.onRef('organisations.id', '=', 'certificates.organisation_id')
			)
			.select(['certificates.number', 'organisations.legal_name', 'organisations.uscc'])
			.where('tenants.slug', '=', 'other')
			.execute();
		expect(others.length).toBeGreaterThan(0);
		for (const other of others) {
			for (const text of [other.number, other.legal_name, other.uscc]) {
				const result = await searchBody(t.db, 'demo', text, now);
				expect(result!.certificates, text).toEqual([]);
			}
			expect(await publicCertificate(t.db, 'demo', other.number, now)).toBeNull();
			// Its own body's page does answer: the probe is not vacuous.
			expect((await searchBody(t.db, 'other', other.number, now))!.certificates).toHaveLength(1);
		}
		// Row-level security itself: the demo body's scope reads no other body's row.
		const leaked = await t.db.inTenant({ tenantId: demo.id, userId: null }, (tx) =>
			sql<{ n: number }>`select count(*)::int as n from certificates
			   where tenant_id <> ${demo.id}`.execute(tx)
		);
		expect(leaked.rows[0]!.n).toBe(0);
	});

	it('the public lookups answer public columns only', async () => {
		const body = await t.db.asPerson(null, (tx) =>
			sql<Record<string, unknown>>`select * from app_public_tenant('demo')`.execute(tx)
		);
		expect(Object.keys(body.rows[0]!).sort()).toEqual(['id', 'name', 'slug', 'time_zone']);
		const bodies = await t.db.asPerson(null, (tx) =>
			sql<Record<string, unknown>>`select * from app_certificate_bodies(${FIVE_STAR})`.execute(tx)
		);
		expect(bodies.rows.map((r) => r.slug)).toEqual(['demo']);
		// Without a tenant chosen, the tables themselves stay closed.
		const rows = await t.db.asPerson(null, (tx) =>
			sql<{ n: number }>`select count(*)::int as n from certificates`.execute(tx)
		);
		expect(rows.rows[0]!.n).toBe(0);
	});
});
