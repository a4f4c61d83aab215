import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { callerFor, newActor, newTenant, testApp } from '../support/factories';
import {
	getTenantSettings,
	LOGO_MAX_BYTES,
	patternPreview,
	saveTenantSettings,
	tenantLogo,
	type TenantSettingsInput
} from '../../src/lib/server/services/tenant-settings';
import { tenantSettingsInput } from '../../src/lib/server/services/tenant-settings.schema';
import type { Actor } from '../../src/lib/server/actor';

/*
 * Issue 12 item 8: a body's admin keeps its settings. Each value is checked (slug pattern and
 * uniqueness, an IANA zone, the numbering pattern, a PNG/JPEG logo by its bytes) with a message
 * on its field; saves are at the loaded version and audited; the row of another body is out of
 * reach, even to a query of the app role's own.
 */

const PNG = Uint8Array.from([
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52
]);
const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0]);

describe.each(DIALECTS)('tenant settings on %s', (kind) => {
	let t: TestDatabase;

	beforeAll(async () => {
		t = await createTestDatabase(kind);
	});

	afterAll(async () => {
		await t?.drop();
	});

	/** The form as loaded, with `changes` typed over it, through the page's own schema. */
	async function form(actor: Actor, changes: Record<string, unknown> = {}) {
		const settings = await getTenantSettings(t.db, actor);
		const parsed = tenantSettingsInput.parse({
			version: String(settings.settings_version),
			name: settings.name,
			nameEn: settings.name_en,
			slug: settings.slug,
			timeZone: settings.time_zone,
			defaultLocale: settings.default_locale,
			certificateNumberPattern: settings.certificate_number_pattern,
			mailSenderName: settings.mail_sender_name,
			accreditationBody: settings.accreditation_body,
			...changes
		});
		return parsed as TenantSettingsInput;
	}

	async function adminOfNewBody() {
		const tenant = await newTenant(t, '示范认证机构');
		return { tenant, admin: await newActor(t, tenant.id, 'admin') };
	}

	it('saves every setting, bumps the version and audits before and after', async () => {
		const { tenant, admin } = await adminOfNewBody();
		const slug = `body-${tenant.id.slice(0, 8)}`;
		const saved = await saveTenantSettings(t.db, admin, {
			...(await form(admin, {
				name: '厦门示范认证有限公司',
				nameEn: 'Xiamen Demo Certification',
				slug: ` ${slug.toUpperCase()} `,
				timeZone: 'Europe/Berlin',
				defaultLocale: 'en',
				certificateNumberPattern: 'XDC-{standard}-{yy}-{seq:5}',
				mailSenderName: 'XDC Mail',
				accreditationBody: 'CNAB'
			})),
			logo: PNG
		});
		expect(saved.version).toBe(2);
		const row = await t.owner
			.selectFrom('tenants')
			.selectAll()
			.where('id', '=', tenant.id)
			.executeTakeFirstOrThrow();
		expect(row).toMatchObject({
			name: '厦门示范认证有限公司',
			name_en: 'Xiamen Demo Certification',
			slug,
			time_zone: 'Europe/Berlin',
			default_locale: 'en',
			certificate_number_pattern: 'XDC-{standard}-{yy}-{seq:5}',
			mail_sender_name: 'XDC Mail',
			accreditation_body: 'CNAB',
			logo_type: 'image/png',
			settings_version: 2
		});
		const audit = await t.owner
			.selectFrom('audit_log')
			.select(['action', 'entity_type', 'before', 'after'])
			.where('tenant_id', '=', tenant.id)
			.execute();
		expect(audit).toEqual([
			expect.objectContaining({
				action: 'tenant.settings_update',
				entity_type: 'tenant',
				before: expect.objectContaining({
					name: '示范认证机构',
					accreditation_body: 'CNAS',
					logo: null
				}),
				after: expect.objectContaining({
					slug,
					accreditation_body: 'CNAB',
					logo: { type: 'image/png', bytes: PNG.byteLength }
				})
			})
		]);
		const logo = await tenantLogo(t.db, admin);
		expect(logo?.type).toBe('image/png');
		expect(new Uint8Array(logo!.bytes)).toEqual(PNG);
	});

	it('refuses a second save at the old version (optimistic concurrency)', async () => {
		const { admin } = await adminOfNewBody();
		const loaded = await form(admin);
		await saveTenantSettings(t.db, admin, { ...loaded, mailSenderName: 'First' });
		await expect(
			saveTenantSettings(t.db, admin, { ...loaded, mailSenderName: 'Second' })
		).rejects.toMatchObject({ kind: 'CONFLICT', messageKey: 'error_stale_version' });
		expect((await getTenantSettings(t.db, admin)).mail_sender_name).toBe('First');
	});

	it.each([
		['slug', { slug: 'Not A Slug!' }, 'settings_error_slug'],
		['slug', { slug: 'x' }, 'settings_error_slug'],
		['defaultLocale', { defaultLocale: 'fr' }, 'settings_error_locale'],
		['name', { name: '  ' }, 'error_required'],
		['accreditationBody', { accreditationBody: 'A'.repeat(101) }, 'error_too_long']
	])('the schema refuses a bad %s with its message', async (field, changes, key) => {
		const { admin } = await adminOfNewBody();
		const settings = await getTenantSettings(t.db, admin);
		const result = tenantSettingsInput.safeParse({
			version: String(settings.settings_version),
			name: settings.name,
			nameEn: '',
			slug: settings.slug,
			timeZone: settings.time_zone,
			defaultLocale: settings.default_locale,
			certificateNumberPattern: settings.certificate_number_pattern,
			mailSenderName: '',
			accreditationBody: 'CNAS',
			...changes
		});
		expect(result.success).toBe(false);
		expect(result.error?.issues[0]).toMatchObject({ path: [field], message: key });
	});

	it.each([
		[{ timeZone: 'Mars/Olympus_Mons' }, 'timeZone', 'settings_error_time_zone'],
		[
			{ certificateNumberPattern: 'NO-SEQ-{year}' },
			'certificateNumberPattern',
			'settings_pattern_seq_count'
		],
		[
			{ certificateNumberPattern: 'A/{seq}-{year}' },
			'certificateNumberPattern',
			'settings_pattern_character'
		],
		[
			{ certificateNumberPattern: '{seq}-{month}' },
			'certificateNumberPattern',
			'settings_pattern_token'
		],
		[{ certificateNumberPattern: '{seq}' }, 'certificateNumberPattern', 'settings_pattern_length']
	])('the service refuses %o on its field, changing nothing', async (changes, field, key) => {
		const { admin } = await adminOfNewBody();
		await expect(saveTenantSettings(t.db, admin, await form(admin, changes))).rejects.toMatchObject(
			{ kind: 'BAD_REQUEST', field, messageKey: key }
		);
		expect((await getTenantSettings(t.db, admin)).settings_version).toBe(1);
	});

	it('refuses a slug another body uses, with a clear message', async () => {
		const { admin } = await adminOfNewBody();
		const other = await newTenant(t);
		await expect(
			saveTenantSettings(t.db, admin, await form(admin, { slug: other.slug }))
		).rejects.toMatchObject({
			kind: 'BAD_REQUEST',
			field: 'slug',
			messageKey: 'settings_error_slug_taken'
		});
	});

	it('takes a PNG or JPEG logo by its bytes, at most 512 KB, and removes it', async () => {
		const { admin } = await adminOfNewBody();
		const gif = new TextEncoder().encode('GIF89a\u0001\u0000');
		await expect(
			saveTenantSettings(t.db, admin, { ...(await form(admin)), logo: gif })
		).rejects.toMatchObject({ field: 'logo', messageKey: 'settings_error_logo_type' });
		// A PNG's name and type claimed by an SVG's text are not a PNG.
		const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>');
		await expect(
			saveTenantSettings(t.db, admin, { ...(await form(admin)), logo: svg })
		).rejects.toMatchObject({ field: 'logo', messageKey: 'settings_error_logo_type' });
		const big = new Uint8Array(LOGO_MAX_BYTES + 1);
		big.set(JPEG);
		await expect(
			saveTenantSettings(t.db, admin, { ...(await form(admin)), logo: big })
		).rejects.toMatchObject({ field: 'logo', messageKey: 'settings_error_logo_size' });

		const exact = new Uint8Array(LOGO_MAX_BYTES);
		exact.set(JPEG);
		await saveTenantSettings(t.db, admin, { ...(await form(admin)), logo: exact });
		expect((await tenantLogo(t.db, admin))?.type).toBe('image/jpeg');
		await saveTenantSettings(t.db, admin, await form(admin, { removeLogo: 'on' }));
		expect(await tenantLogo(t.db, admin)).toBeNull();
	});

	it('keeps the accreditation body (CNAS by default) through the tRPC procedure too', async () => {
		const { tenant, admin } = await adminOfNewBody();
		const caller = callerFor(testApp(t), admin);
		const loaded = await caller.settings.get();
		expect(loaded.accreditationBody).toBe('CNAS');
		await expect(
			caller.settings.update({ ...loaded, accreditationBody: 'x'.repeat(101) })
		).rejects.toMatchObject({ code: 'BAD_REQUEST' });
		await caller.settings.update({ ...loaded, accreditationBody: ' CNAB ' });
		expect((await caller.settings.get()).accreditationBody).toBe('CNAB');
		const audit = await t.owner
			.selectFrom('audit_log')
			.select(['action', 'before', 'after'])
			.where('tenant_id', '=', tenant.id)
			.execute();
		expect(audit).toEqual([
			expect.objectContaining({
				action: 'tenant.settings_update',
				before: expect.objectContaining({ accreditation_body: 'CNAS' }),
				after: expect.objectContaining({ accreditation_body: 'CNAB' })
			})
		]);
		const evaluator = await newActor(t, tenant.id, 'evaluator');
		await expect(callerFor(testApp(t), evaluator).settings.get()).rejects.toMatchObject({
			code: 'FORBIDDEN'
		});
	});

	it('is for administrators only', async () => {
		const { tenant } = await adminOfNewBody();
		const evaluator = await newActor(t, tenant.id, 'evaluator');
		await expect(getTenantSettings(t.db, evaluator)).rejects.toMatchObject({ kind: 'FORBIDDEN' });
		await expect(
			saveTenantSettings(t.db, evaluator, {
				version: 1,
				name: 'Taken over',
				nameEn: '',
				slug: 'taken-over',
				timeZone: 'UTC',
				defaultLocale: 'en',
				certificateNumberPattern: '{standard}-{year}-{seq:4}',
				mailSenderName: '',
				accreditationBody: 'CNAS'
			})
		).rejects.toMatchObject({ kind: 'FORBIDDEN' });
	});

	it("cannot reach another body's row, nor its own without an admin membership", async () => {
		const { tenant, admin } = await adminOfNewBody();
		const other = await newTenant(t, 'Other Body');
		const evaluator = await newActor(t, tenant.id, 'evaluator');
		// The app role's own UPDATE, in the admin's scope, aimed at the other body: no row.
		const foreign = await t.db.inTenant({ tenantId: tenant.id, userId: admin.userId }, (tx) =>
			tx
				.updateTable('tenants')
				.set({ name: 'Hijacked' })
				.where('id', '=', other.id)
				.executeTakeFirst()
		);
		expect(Number(foreign.numUpdatedRows)).toBe(0);
		// Its own row, as a member who is not an admin: no row either.
		const notAdmin = await t.db.inTenant({ tenantId: tenant.id, userId: evaluator.userId }, (tx) =>
			tx
				.updateTable('tenants')
				.set({ name: 'By an evaluator' })
				.where('id', '=', tenant.id)
				.executeTakeFirst()
		);
		expect(Number(notAdmin.numUpdatedRows)).toBe(0);
		// And never a column outside the settings (the id, the creation time).
		await expect(
			t.db.inTenant({ tenantId: tenant.id, userId: admin.userId }, (tx) =>
				sql`update tenants set created_at = now() where id = ${tenant.id}`.execute(tx)
			)
		).rejects.toThrow(/permission denied/);
		const names = await t.owner
			.selectFrom('tenants')
			.select(['id', 'name'])
			.where('id', 'in', [tenant.id, other.id])
			.execute();
		expect(names.find((row) => row.id === other.id)?.name).toBe('Other Body');
		expect(names.find((row) => row.id === tenant.id)?.name).toBe('示范认证机构');
	});

	it('previews the first number of the pattern for a sample standard', () => {
		expect(patternPreview('DCB-{standard}-{year}-{seq:4}', '2026-12-04')).toBe(
			'DCB-27922-2026-0001'
		);
		expect(patternPreview('{seq}', '2026-12-04')).toBeNull();
	});
});
