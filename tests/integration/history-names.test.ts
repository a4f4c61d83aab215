import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { actorOf } from '../support/factories';
import { loadDemoData } from '../../db/seed/demo';
import type { Actor } from '../../src/lib/server/actor';
import { listAuditLog } from '../../src/lib/server/services/audit';
import {
	entityTimeline,
	namesFor,
	type TimelineEntry
} from '../../src/lib/server/services/timeline';
import { scopeOf } from '../../src/lib/server/actor';
import { hasMessage } from '../../src/lib/server/i18n/translate';

/*
 * Change-history panels speak the reader's language: every field of the demo's whole audit log
 * has a label in both languages, no raw id is shown (an id is named: a finding's reference, a
 * person's name, an evaluation's kind and date), bookkeeping columns stay out, and /audit names
 * the object of each entry.
 */

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

function fieldKey(field: string) {
	return `timeline_field_${field.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase()}`;
}

/** Every plain string value, ids aside (refs are objects): what a reader would see verbatim. */
function strings(value: unknown): string[] {
	if (typeof value === 'string') return [value];
	if (Array.isArray(value)) return value.flatMap(strings);
	return [];
}

describe.each(DIALECTS)('history panels name things (%s)', (kind) => {
	let t: TestDatabase;
	let admin: Actor;

	beforeAll(async () => {
		t = await createTestDatabase(kind);
		await loadDemoData(t.owner, t.db, new Date('2026-12-02T03:00:00Z'));
		const tenant = await t.owner
			.selectFrom('tenants')
			.select('id')
			.where('slug', '=', 'demo')
			.executeTakeFirstOrThrow();
		const user = await t.owner
			.selectFrom('users')
			.select('id')
			.where('email', '=', 'admin@demo.test')
			.executeTakeFirstOrThrow();
		admin = await actorOf(t, tenant.id, user.id);
	}, 300_000);

	afterAll(async () => {
		await t?.drop();
	});

	async function wholeLog() {
		const entries = [];
		let before: number | undefined;
		for (;;) {
			const page = await listAuditLog(t.db, admin, {}, before ? { before } : {}, 200);
			entries.push(...page.entries);
			if (page.older === null) return entries;
			before = page.older;
		}
	}

	it('labels every recorded field in both languages and shows no raw id or bookkeeping', async () => {
		const entries = await wholeLog();
		expect(entries.length).toBeGreaterThan(20);
		const unlabelled = new Set<string>();
		for (const entry of entries)
			for (const change of entry.changes) {
				if (!hasMessage(fieldKey(change.field))) unlabelled.add(change.field);
				expect(['id', 'tenant_id', 'version']).not.toContain(change.field);
				for (const text of [...strings(change.before), ...strings(change.after)])
					expect(text, `${entry.action} ${change.field}`).not.toMatch(UUID);
			}
		expect([...unlabelled]).toEqual([]);
	});

	it('names the object of every /audit entry that still exists', async () => {
		const entries = await wholeLog();
		const named = entries.filter((entry) => entry.entityName);
		// The tenant's own first records (the body itself, memberships) have no page; the rest do.
		for (const type of ['finding', 'evaluation', 'certificate', 'organisation', 'standard'])
			expect(
				entries.filter((e) => e.entityType === type).every((e) => e.entityName),
				type
			).toBe(true);
		const finding = named.find((e) => e.entityType === 'finding')!;
		expect(finding.entityName).toMatchObject({
			type: 'finding',
			label: expect.stringMatching(/NC-/)
		});
	});

	it('shows an evaluation’s plan with its standard named, not its id', async () => {
		const evaluation = await t.owner
			.selectFrom('evaluations')
			.select('id')
			.where('kind', '=', 'surveillance')
			.executeTakeFirstOrThrow();
		const timeline: TimelineEntry[] = await entityTimeline(
			t.db,
			admin,
			'evaluation',
			evaluation.id
		);
		const plan = timeline.find((entry) => entry.action === 'evaluation.plan')!;
		const fields = plan.changes.map((change) => change.field);
		expect(fields).toEqual(expect.arrayContaining(['kind', 'lead']));
		const lead = plan.changes.find((change) => change.field === 'lead')!;
		expect(lead.after).toBe('李华');
		for (const change of plan.changes)
			expect(JSON.stringify(change.after), change.field).not.toMatch(UUID);
	});

	it('names only the tenant’s own things: another body’s ids name nothing', async () => {
		const ids = async (slug: string) => {
			const tenant = await t.owner
				.selectFrom('tenants')
				.select('id')
				.where('slug', '=', slug)
				.executeTakeFirstOrThrow();
			const certificate = await t.owner
				.selectFrom('certificates')
				.select('id')
				.where('tenant_id', '=', tenant.id)
				.executeTakeFirstOrThrow();
			const organisation = await t.owner
				.selectFrom('organisations')
				.select('id')
				.where('tenant_id', '=', tenant.id)
				.executeTakeFirstOrThrow();
			// A person who belongs to that body only.
			const person = await t.owner
				.selectFrom('users')
				.select('id')
				.where('email', '=', slug === 'demo' ? 'evaluator@demo.test' : 'admin@other.test')
				.executeTakeFirstOrThrow();
			return [certificate.id, organisation.id, person.id];
		};
		const name = (list: string[]) => t.db.inTenant(scopeOf(admin), (tx) => namesFor(tx, list));
		const own = await name(await ids('demo'));
		expect([...own.values()].map((n) => n.type).sort()).toEqual([
			'certificate',
			'organisation',
			'user'
		]);
		expect((await name(await ids('other'))).size).toBe(0);
	});
});
