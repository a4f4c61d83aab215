import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectPglite, type DatabaseConnection } from '../../src/lib/server/db/connection';
import { AppDatabase } from '../../src/lib/server/db/tenant-scope';
import { copyPgliteTemplate } from '../../src/lib/server/db/pglite-template';
import { migrateToLatest } from '../../db/migrate';
import { loadDemoData } from '../../db/seed/demo';
import * as demoData from '../../db/seed/demo-data';
import {
	DEMO_REFERENCE_DAY,
	loadDemoTemplate,
	shiftDemoTemplate,
	shiftText
} from '../../db/seed/demo-template';
import { verifyAuditChain } from '../../src/lib/server/services/audit';
import { resolveActor } from '../../src/lib/server/services/sessions';
import { recordAudit } from '../../src/lib/server/repositories/audit';
import { sweepTenant } from '../../jobs/chase-tenant/sweep';
import { startApp } from '../../src/lib/server/app';
import { readConfig } from '../../src/lib/server/config';
import { mailOrigin } from '../../src/lib/server/mail/outbox';

/*
 * Issue 9 item 4: the build's template holds the demo story as of a reference day, and a first
 * start moves it to today. Moved, it must be what loading the story today gives: the same rows
 * in every table (ids, hashes and the clock's own stamps aside), the same dates, the same
 * texts; each body's audit chain verifies; the reminder sweep fires the same reminders; a
 * restart moves nothing; and PGLITE_TEMPLATE=off still loads the story through the services.
 * PGlite only: the template and its move are the embedded database's.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Owner = Kysely<any>;

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
/** Columns that differ by nature between two loads: random salts and the hashes over ids. */
const RANDOM = new Set(['audit_log.prev_hash', 'audit_log.hash', 'audit_chain_heads.hash']);
const RANDOM_SALTED = 'users.password_hash';

interface Window {
	from: number;
	to: number;
}

/**
 * Every row of every table, ids replaced, with the values the database clock stamped during
 * `clock` (the load's window) as "<clock>"; rows sorted, so two loads compare as multisets.
 */
async function snapshot(owner: Owner, clock: Window[]): Promise<Record<string, string[]>> {
	const columns = await sql<{ table_name: string; column_name: string; data_type: string }>`
		select c.table_name, c.column_name, c.data_type
		from information_schema.columns c
		join information_schema.tables t using (table_schema, table_name)
		where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
			and c.table_name not like 'kysely%'`.execute(owner);
	const tables = [...new Set(columns.rows.map((c) => c.table_name))].sort();
	const result: Record<string, string[]> = {};
	for (const table of tables) {
		const rows = await sql<{ row: Record<string, unknown> }>`
			select to_jsonb(t) as row from ${sql.table(table)} t`.execute(owner);
		result[table] = rows.rows
			.map(({ row }) => {
				const normal: Record<string, unknown> = {};
				for (const column of columns.rows.filter((c) => c.table_name === table)) {
					const key = `${table}.${column.column_name}`;
					let value = row[column.column_name];
					if (RANDOM.has(key) || (key === RANDOM_SALTED && value)) value = '<hash>';
					else if (column.data_type === 'timestamp with time zone' && typeof value === 'string') {
						const ms = new Date(value).getTime();
						value = clock.some((w) => ms >= w.from && ms <= w.to)
							? '<clock>'
							: new Date(ms).toISOString();
					}
					normal[column.column_name] = value;
				}
				return JSON.stringify(normal).replace(UUID, '<id>');
			})
			.sort();
	}
	return result;
}

async function tenants(owner: Owner): Promise<{ id: string; slug: string }[]> {
	return (await sql<{ id: string; slug: string }>`select id, slug from tenants`.execute(owner))
		.rows;
}

/** Each tenant's chain, verified as its administrator would from the audit page. */
async function verifyChains(connection: DatabaseConnection) {
	const db = new AppDatabase(connection);
	const results: Record<string, { ok: boolean; entries: number }> = {};
	const admins = await sql<{ tenant_id: string; slug: string; user_id: string; email: string }>`
		select m.tenant_id, t.slug, m.user_id, u.email from memberships m
		join tenants t on t.id = m.tenant_id join users u on u.id = m.user_id
		where m.role = 'admin'`.execute(connection.kysely);
	for (const admin of admins.rows) {
		const actor = await resolveActor(db, {
			sessionId: 'test',
			userId: admin.user_id,
			email: admin.email,
			name: admin.email,
			locale: null,
			expiresAt: new Date(Date.now() + 86_400_000),
			tenantId: admin.tenant_id
		});
		const verified = await verifyAuditChain(db, actor!);
		results[admin.slug] = { ok: verified.ok, entries: verified.entries };
	}
	return results;
}

/** Opens a copy of the template (no initdb), as a first start does. */
function openCopy(template: string, dirs: string[]): DatabaseConnection {
	const dir = mkdtempSync(join(tmpdir(), 'certtrack-demo-copy-'));
	dirs.push(dir);
	const dataDir = join(dir, 'pglite');
	copyPgliteTemplate(dataDir, template);
	return connectPglite(dataDir);
}

async function directLoad(now: Date): Promise<{ connection: DatabaseConnection; window: Window }> {
	const connection = connectPglite();
	await migrateToLatest(connection.kysely);
	const from = Date.now();
	await loadDemoData(connection.kysely, new AppDatabase(connection), now);
	return { connection, window: { from, to: Date.now() } };
}

describe('the demo template', () => {
	const dirs: string[] = [];
	const open: DatabaseConnection[] = [];
	let template: string;
	let buildWindow: Window;

	beforeAll(async () => {
		const dir = mkdtempSync(join(tmpdir(), 'certtrack-demo-template-'));
		dirs.push(dir);
		template = join(dir, 'template');
		const connection = connectPglite(template);
		await migrateToLatest(connection.kysely);
		const from = Date.now();
		await loadDemoTemplate(connection.kysely, new AppDatabase(connection));
		buildWindow = { from, to: Date.now() };
		await connection.close();
	}, 300_000);

	afterAll(async () => {
		await Promise.allSettled(open.map((connection) => connection.close()));
		for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
	});

	/** A copy moved to `now`, with the window its clock stamps were moved into. */
	async function moved(now: Date) {
		const connection = openCopy(template, dirs);
		open.push(connection);
		const shift = await shiftDemoTemplate(connection.kysely, now);
		expect(shift).not.toBeNull();
		const age = buildWindow.to - buildWindow.from;
		return {
			connection,
			shift: shift!,
			window: { from: now.getTime() - age - 1, to: now.getTime() }
		};
	}

	describe.each([
		['today', () => new Date()],
		// Ten months before the reference day: every evaluation's year changes (2026-S1 → 2025-S1).
		['before the reference day, across a year', () => new Date('2026-01-10T04:00:00Z')]
	])('moved to %s', (_label, nowOf) => {
		const now = nowOf();
		let shifted: Awaited<ReturnType<typeof moved>>;
		let direct: Awaited<ReturnType<typeof directLoad>>;

		beforeAll(async () => {
			shifted = await moved(now);
			direct = await directLoad(now);
			open.push(direct.connection);
		}, 300_000);

		it('equals the story loaded directly that day: every table, row by row', async () => {
			const a = await snapshot(shifted.connection.kysely, [shifted.window]);
			const b = await snapshot(direct.connection.kysely, [direct.window]);
			expect(Object.keys(a)).toEqual(Object.keys(b));
			expect(Object.fromEntries(Object.entries(a).map(([t, rows]) => [t, rows.length]))).toEqual(
				Object.fromEntries(Object.entries(b).map(([t, rows]) => [t, rows.length]))
			);
			for (const table of Object.keys(b))
				expect({ table, rows: a[table] }).toEqual({ table, rows: b[table] });
			expect(a.demo_template).toBeUndefined();
		});

		it('verifies each body’s audit chain', async () => {
			const chains = await verifyChains(shifted.connection);
			expect(chains).toEqual(await verifyChains(direct.connection));
			expect(Object.values(chains).every((chain) => chain.ok && chain.entries > 0)).toBe(true);
		});

		it('has the sweep fire the same reminders and mails as on the direct load', async () => {
			const sweepAt = new Date(now.getTime() + 60_000);
			const windows: Window[] = [];
			for (const connection of [shifted.connection, direct.connection]) {
				const from = Date.now();
				for (const tenant of await tenants(connection.kysely))
					await sweepTenant(new AppDatabase(connection), tenant.id, sweepAt);
				windows.push({ from, to: Date.now() });
			}
			const reminders = await sql<{ n: number }>`select count(*)::int as n from reminders`.execute(
				shifted.connection.kysely
			);
			expect(reminders.rows[0]!.n).toBeGreaterThan(0);
			expect(await snapshot(shifted.connection.kysely, [shifted.window, ...windows])).toEqual(
				await snapshot(direct.connection.kysely, [direct.window, ...windows])
			);
		});
	});

	it('keeps the audit trigger’s time rules: a new entry keeps its own time after the move', async () => {
		const { connection } = await moved(new Date());
		const [tenant] = await tenants(connection.kysely);
		const at = new Date(Date.now() - 1000);
		await new AppDatabase(connection).inTenant({ tenantId: tenant!.id, userId: null }, (tx) =>
			recordAudit(tx, {
				tenantId: tenant!.id,
				actorUserId: null,
				action: 'test.entry',
				entityType: 'test',
				entityId: 'x',
				after: {},
				at
			})
		);
		const last = await sql<{ created_at: Date }>`
			select created_at from audit_log where tenant_id = ${tenant!.id}
			order by seq desc limit 1`.execute(connection.kysely);
		expect(new Date(last.rows[0]!.created_at).getTime()).toBe(at.getTime());
		expect(Object.values(await verifyChains(connection)).every((chain) => chain.ok)).toBe(true);
	});

	it('moves a story far ahead too: the chain verifies and dates count from that day', async () => {
		const { connection, shift } = await moved(new Date('2029-01-05T04:00:00Z'));
		expect(shift.days).toBe(766);
		expect(Object.values(await verifyChains(connection)).every((chain) => chain.ok)).toBe(true);
		const references = await sql<{ reference: string }>`
			select reference from evaluations order by reference`.execute(connection.kysely);
		// Windows opened 83 and 16 days before 2029-01-05.
		expect(references.rows.map((r) => r.reference)).toEqual(['2028-S1', '2028-SP1']);
	});

	it('moves rows under a unique key without one meeting another mid-update', async () => {
		// Two reminders of one finding and stage, a day apart: moved one by one by a day, the
		// first would land on the second's key.
		const dir = mkdtempSync(join(tmpdir(), 'certtrack-demo-unique-'));
		dirs.push(dir);
		const built = connectPglite(join(dir, 'template'));
		await migrateToLatest(built.kysely);
		await loadDemoTemplate(built.kysely, new AppDatabase(built), new Date(), async (o, d, at) => {
			await loadDemoData(o, d, at);
			await sql`insert into reminders (tenant_id, subject_kind, subject_id, stage, due_on, fired_on)
				select tenant_id, 'finding', id, 'before_7d', day::date, day::date
				from findings, (values ('2026-12-20'), ('2026-12-21')) as days (day)
				where reference like '%S1-NC-1'`.execute(o);
		});
		await built.close();
		const connection = openCopy(join(dir, 'template'), dirs);
		open.push(connection);
		const shift = await shiftDemoTemplate(connection.kysely, new Date('2026-12-02T04:00:00Z'));
		expect(shift!.days).toBe(1);
		const rows = await sql<{ due_on: string; fired_on: string }>`
			select due_on::text, fired_on::text from reminders order by due_on`.execute(connection.kysely);
		expect(rows.rows).toEqual([
			{ due_on: '2026-12-21', fired_on: '2026-12-21' },
			{ due_on: '2026-12-22', fired_on: '2026-12-22' }
		]);
	}, 300_000);

	it('moves nothing on a restart, and the app starts on it (template and restart)', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'certtrack-demo-start-'));
		dirs.push(dir);
		const dataDir = join(dir, 'pglite');
		expect(copyPgliteTemplate(dataDir, template)).toBe(true);
		const config = { ...readConfig({ DATA_DIR: dir }), databaseUrl: null };
		const starts: string[][] = [];
		const snapshots = [];
		for (let start = 0; start < 2; start++) {
			const logged: string[] = [];
			const app = await startApp({
				config,
				connection: connectPglite(dataDir),
				redis: null,
				log: (message) => logged.push(message)
			});
			starts.push(logged);
			await app.close();
			const check = connectPglite(dataDir);
			snapshots.push(await snapshot(check.kysely, []));
			await check.close();
		}
		expect(starts[0]).toContain('Moved the demo data to today (see README for the demo sign-ins).');
		expect(starts[1]!.some((line) => line.includes('demo data'))).toBe(false);
		expect(snapshots[1]).toEqual(snapshots[0]);
		expect(snapshots[0]!.tenants).toHaveLength(2);
		const again = connectPglite(dataDir);
		open.push(again);
		expect(await shiftDemoTemplate(again.kysely)).toBeNull();
	}, 300_000);

	it('with PGLITE_TEMPLATE=off, a first start runs initdb and loads the story through the services', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'certtrack-demo-off-'));
		dirs.push(dir);
		const previous = process.env.PGLITE_TEMPLATE;
		process.env.PGLITE_TEMPLATE = 'off';
		const logged: string[] = [];
		try {
			const app = await startApp({
				config: { ...readConfig({ DATA_DIR: dir }), databaseUrl: null },
				redis: null,
				log: (message) => logged.push(message)
			});
			await app.close();
		} finally {
			if (previous === undefined) delete process.env.PGLITE_TEMPLATE;
			else process.env.PGLITE_TEMPLATE = previous;
		}
		expect(logged).toContain(
			'Loaded the demo data into the embedded database (see README for the demo sign-ins).'
		);
		const check = connectPglite(join(dir, 'pglite'));
		open.push(check);
		expect(await tenants(check.kysely)).toHaveLength(2);
		const marked = await sql<{ found: string | null }>`
			select to_regclass('public.demo_template')::text as found`.execute(check.kysely);
		expect(marked.rows[0]!.found).toBeNull();
	}, 300_000);

	it('rewrites dates, times, references and the origin in texts, and nothing else', () => {
		const rewrite = {
			days: 40,
			references: new Map([['2026-S1', '2027-S1']]),
			literals: new Map([['https://demo-template.invalid', mailOrigin()]])
		};
		expect(shiftText('请于 2026-12-20 前回复', rewrite)).toBe('请于 2027-01-29 前回复');
		expect(shiftText('{"at": "2026-12-20T06:00:00.000Z"}', rewrite)).toBe(
			'{"at": "2027-01-29T06:00:00.000Z"}'
		);
		expect(shiftText('2026-S1-NC-1, 2026-S10, 2026-SP1', rewrite)).toBe(
			'2027-S1-NC-1, 2026-S10, 2026-SP1'
		);
		expect(shiftText('https://demo-template.invalid/findings/x', rewrite)).toBe(
			`${mailOrigin()}/findings/x`
		);
		// Not dates: a certificate number, a standard, a UUID, an impossible day.
		for (const text of [
			'OCB-PM-2026-0001',
			'GB/T 27922-2011',
			'43a66d9d-fcf4-4aa1-a95d-eebca36002c3',
			'2026-02-30'
		])
			expect(shiftText(text, rewrite)).toBe(text);
	});

	it('has no date or reference in the story’s own texts (every date in a text is the story’s)', () => {
		const texts: string[] = [];
		const walk = (value: unknown) => {
			if (typeof value === 'string') texts.push(value);
			else if (value && typeof value === 'object') Object.values(value).forEach(walk);
		};
		walk(demoData);
		expect(texts.length).toBeGreaterThan(50);
		const quoted = texts.filter((text) => /\d{4}-\d{2}-\d{2}|\b\d{4}-(IA|S|SP|R)\d/.test(text));
		expect(quoted).toEqual([]);
		expect(DEMO_REFERENCE_DAY <= new Date().toISOString().slice(0, 10)).toBe(true);
	});
});
