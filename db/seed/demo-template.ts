import { sql, type Kysely, type Transaction } from 'kysely';
import type { AppDatabase, Tx } from '../../src/lib/server/db/tenant-scope';
import { certificateExpiry } from '../../src/lib/server/domain/scheme-rules';
import { measurementPeriodOf } from '../../src/lib/server/domain/service-system';
import type { ObjectivePeriod } from '../schema';
import { findSchemeRules } from '../../src/lib/server/repositories/scheme-rules';
import {
	addDays,
	addMonths,
	daysBetween,
	isIsoDate,
	todayInZone
} from '../../src/lib/server/domain/calendar';
import { mailHost, mailOrigin } from '../../src/lib/server/mail/outbox';
import { loadDemoData } from './demo';
import { DEMO_TIME_ZONE, DEMO_UTC_OFFSET } from './demo-data';

/*
 * Issue 9 item 4: the demo story in the build's embedded template, moved to today at the first
 * start. Loading the story through the services took most of a first start; `npm run build`
 * now loads it once into the template (scripts/build-pglite-template.ts), told as if it were
 * loaded on a fixed reference day, and a first start moves every date and time of it forward by
 * the whole days between that day and today (in the demo's zone, so date columns stay dates and
 * a 14:00 stays a 14:00). The result is what loading the story today gives (its rows, their
 * dates, the texts that quote them, the audit trail with its chain), at a fraction of the cost;
 * tests/integration/demo-template.test.ts compares the two.
 *
 * The template carries the table `demo_template` (made here, never by a migration: no other
 * database has it) with the reference day and the build's clock window. Moving the data drops
 * it in the same transaction, so a restart never moves the data again and a start stopped
 * half-way moves it next time.
 *
 * What moves, found from the catalogue rather than a hand list, so a new column is covered:
 * - every date column: by the days;
 * - every timestamptz column: by the days in the zone, except values the database clock stamped
 *   while the template was built (column defaults, `now()` in updates: when a direct load would
 *   have stamped "now"), which become the first start's clock minus their age at the build's end;
 * - every text and JSON value that quotes a date ('YYYY-MM-DD', or an ISO time) or an
 *   evaluation's reference (its year is the year its window opened: `2026-S1` may become
 *   `2027-S1`): notifications, outbox subjects and parameters, the audit trail's before/after;
 * then the dates the rules count in months are counted again (a certificate's expiry: 36 months
 * from 2026-01-05 and from 2025-02-14 are not the same number of days, a leap day apart), and
 * the audit chain is hashed again, entry by entry, and each tenant's head set to its end.
 * The story's static texts hold no date (a test checks), so every date in a text is the story's.
 */

/** The day the template's story is told as loaded on. Must not be after any build's today. */
export const DEMO_REFERENCE_DAY = '2026-12-01';

/**
 * The origin the template's links and message ids are written with (outbox, notifications): a
 * name of its own (.invalid never resolves), replaced by the started app's ORIGIN and host.
 */
export const TEMPLATE_ORIGIN = 'https://demo-template.invalid';
const TEMPLATE_HOST = 'demo-template.invalid';

/** The table that marks a template whose story has not been moved yet. */
const STATE_TABLE = 'demo_template';

/**
 * Left as they are, with the reason:
 * - the migrator's bookkeeping: its names and times are the migrations', not the story's;
 * - the state table itself;
 * - the audit chain's hashes (recomputed from the moved entries instead) and password hashes
 *   (their salt is random text that could look like anything).
 */
const EXCLUDED_TABLES = new Set(['kysely_migration', 'kysely_migration_lock', STATE_TABLE]);
const EXCLUDED_COLUMNS = new Set([
	'audit_log.prev_hash',
	'audit_log.hash',
	'audit_chain_heads.hash',
	'users.password_hash'
]);

/**
 * A moved value must not meet an unmoved one under a unique key (reminders are unique per
 * tenant, subject, stage and day; one row moved onto the next one's day would fail mid-update):
 * tables with a moved column in a unique index go through this far range first.
 */
const PARKING_DAYS = 1_000_000;

const ISO_TOKEN =
	/(?<![\dA-Za-z])(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?![\dA-Za-z])/g;

/** The moment the template's story is told as loaded: noon of the reference day in the zone. */
export function demoReferenceMoment(): Date {
	return new Date(`${DEMO_REFERENCE_DAY}T12:00:00${DEMO_UTC_OFFSET}`);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Owner = Kysely<any>;

async function clock(owner: Owner): Promise<Date> {
	const row = await sql<{ now: Date }>`select clock_timestamp() as now`.execute(owner);
	return new Date(row.rows[0]!.now);
}

/**
 * Loads the demo story into `owner`'s (migrated, empty) database as of the reference day and
 * marks it as a template to be moved at its first start. For the build only.
 */
export async function loadDemoTemplate(
	owner: Owner,
	db: AppDatabase,
	now: Date = new Date(),
	/** What is told as of the reference moment (tests add to the demo story). */
	story: (owner: Owner, db: AppDatabase, at: Date) => Promise<void> = loadDemoData
): Promise<void> {
	// The audit chain keeps a given time only if it is not after the clock: a story told as of a
	// day still to come would get the clock's times instead.
	if (todayInZone(now, DEMO_TIME_ZONE) < DEMO_REFERENCE_DAY)
		throw new Error(`the clock says it is before ${DEMO_REFERENCE_DAY}, the demo's reference day`);
	const origin = process.env.ORIGIN;
	process.env.ORIGIN = TEMPLATE_ORIGIN;
	const clockFrom = await clock(owner);
	try {
		await story(owner, db, demoReferenceMoment());
	} finally {
		if (origin === undefined) delete process.env.ORIGIN;
		else process.env.ORIGIN = origin;
	}
	const clockTo = await clock(owner);
	const plan = await planShift(owner);
	await sql`
		create table demo_template (
			reference_day date not null,
			time_zone text not null,
			clock_from timestamptz not null,
			clock_to timestamptz not null,
			plan jsonb not null
		)`.execute(owner);
	// Not the app's business: the owner (PGlite's one user) alone reads it.
	await sql`revoke all on demo_template from public`.execute(owner);
	await sql`insert into demo_template values (${DEMO_REFERENCE_DAY}, ${DEMO_TIME_ZONE},
		${clockFrom}, ${clockTo}, ${JSON.stringify(plan)}::jsonb)`.execute(owner);
}

/**
 * Which columns the first start moves, read from the catalogue here, at the build, on the very
 * schema the first start moves (it moves before migrating): every date and time column of a
 * table that has rows, every text and JSON column with a value that quotes a date, an
 * evaluation's reference or the template's host. The first start then touches only those.
 */
async function planShift(owner: Owner): Promise<ShiftPlan> {
	const columns = await catalogue(owner);
	const counts = await sql<{ t: string; n: number }>`${sql.join(
		[...new Set(columns.map((column) => column.table_name))].map(
			(table) => sql`select ${table}::text as t, count(*)::int as n from ${sql.table(table)}`
		),
		sql` union all `
	)}`.execute(owner);
	const filled = new Set(counts.rows.filter((row) => row.n > 0).map((row) => row.t));
	const references = await sql<{ reference: string }>`
		select reference from evaluations where reference is not null`.execute(owner);
	const needle = textNeedle([TEMPLATE_HOST, ...references.rows.map((row) => row.reference)]);
	const texts = columns.filter(
		(column) => TEXT_TYPES.has(column.data_type) && filled.has(column.table_name)
	);
	const quoting = new Set(
		texts.length === 0
			? []
			: (
					await sql<{ key: string }>`${sql.join(
						texts.map(
							(column) => sql`select ${`${column.table_name}.${column.column_name}`}::text as key
								where exists (select 1 from ${sql.table(column.table_name)}
									where ${sql.ref(column.column_name)}::text ~ ${needle})`
						),
						sql` union all `
					)}`.execute(owner)
				).rows.map((row) => row.key)
	);
	return {
		columns: columns.filter((column) =>
			DATE_TYPES.has(column.data_type)
				? filled.has(column.table_name)
				: quoting.has(`${column.table_name}.${column.column_name}`)
		)
	};
}

/** What a text that needs rewriting has: a date, or one of `literals` (escaped here). */
function textNeedle(literals: string[]): string {
	return ['[0-9]{4}-[0-9]{2}-[0-9]{2}', ...new Set(literals.map(escapeRegExp))].join('|');
}

interface ShiftPlan {
	columns: CatalogueColumn[];
}

interface TemplateState {
	reference_day: string;
	time_zone: string;
	clock_from: Date;
	clock_to: Date;
	plan: ShiftPlan;
}

interface CatalogueColumn {
	table_name: string;
	column_name: string;
	data_type: string;
	udt_name: string;
	in_unique: boolean;
}

/** What moving did: the days, and how many values of each kind changed. */
export interface DemoShift {
	days: number;
	columns: number;
	texts: number;
	auditEntries: number;
}

/**
 * Moves a template's story to `now` (the first start's clock) and unmarks it. Null when the
 * database is no unmoved template (a restart, a database from initdb, PostgreSQL).
 */
export async function shiftDemoTemplate(
	owner: Owner,
	now: Date = new Date(),
	origin: string = mailOrigin()
): Promise<DemoShift | null> {
	const marked = await sql<{ found: string | null }>`
		select to_regclass('public.demo_template')::text as found`.execute(owner);
	if (!marked.rows[0]?.found) return null;
	return owner.transaction().execute(async (trx) => {
		const state = (await sql<TemplateState>`select * from demo_template for update`.execute(trx))
			.rows[0];
		if (!state) {
			await sql`drop table demo_template`.execute(trx);
			return null;
		}
		// The append-only audit log refuses updates by trigger, as it should for everyone else:
		// this transaction (PGlite's superuser, on a copy nobody has used yet) turns triggers off.
		await sql`set local session_replication_role = replica`.execute(trx);
		const referenceDay = String(state.reference_day).slice(0, 10);
		const days = daysBetween(referenceDay, todayInZone(now, state.time_zone));
		const columns = state.plan.columns;
		const expiries = await recountedExpiries(trx, days);
		const periods = await recountedMeasurementPeriods(
			trx,
			referenceDay,
			todayInZone(now, state.time_zone)
		);
		const moved = await moveDatesAndTimes(trx, columns, state, days, now);
		const rewrite: TextRewrite = {
			days,
			references: await movedReferences(trx),
			literals: new Map([
				[TEMPLATE_ORIGIN, origin],
				[TEMPLATE_HOST, mailHost(origin)]
			])
		};
		const texts = await rewriteTexts(trx, columns, rewrite);
		await correctExpiries(trx, expiries);
		await correctMeasurementPeriods(trx, periods);
		const auditEntries = await rehashAuditChain(trx);
		await sql`drop table demo_template`.execute(trx);
		return { days, columns: moved, texts, auditEntries };
	});
}

/** Every column of every table of the schema, with its type and whether a unique index has it. */
async function catalogue(owner: Owner): Promise<CatalogueColumn[]> {
	const rows = await sql<CatalogueColumn>`
		select c.table_name, c.column_name, c.data_type, c.udt_name,
			exists (
				select 1 from pg_index i
				where i.indrelid = format('%I.%I', c.table_schema, c.table_name)::regclass
					and i.indisunique
					and (select a.attnum from pg_attribute a
						where a.attrelid = i.indrelid and a.attname = c.column_name) = any (i.indkey::int2[])
			) as in_unique
		from information_schema.columns c
		join information_schema.tables t
			on t.table_schema = c.table_schema and t.table_name = c.table_name
		where c.table_schema = 'public' and t.table_type = 'BASE TABLE' and c.is_generated = 'NEVER'
		order by c.table_name, c.ordinal_position`.execute(owner);
	return rows.rows.filter(
		(column) =>
			!EXCLUDED_TABLES.has(column.table_name) &&
			!EXCLUDED_COLUMNS.has(`${column.table_name}.${column.column_name}`)
	);
}

const DATE_TYPES = new Set(['date', 'timestamp with time zone', 'timestamp without time zone']);
const TEXT_TYPES = new Set(['text', 'character varying', 'character', 'json', 'jsonb']);

function byTable(columns: CatalogueColumn[]): Map<string, CatalogueColumn[]> {
	const tables = new Map<string, CatalogueColumn[]>();
	for (const column of columns) {
		const list = tables.get(column.table_name) ?? [];
		list.push(column);
		tables.set(column.table_name, list);
	}
	return tables;
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Every date and time column, one update per table (two where a unique key holds one), all in
 * one statement: a DO block reading its values from settings of this transaction (the updates
 * cost less than sending them one by one, on a first start that waits for them).
 */
async function moveDatesAndTimes(
	trx: Transaction<unknown>,
	columns: CatalogueColumn[],
	state: TemplateState,
	days: number,
	now: Date
): Promise<number> {
	const unhandled = columns.find(
		(column) =>
			column.data_type === 'ARRAY' && /^_(date|timestamp|timestamptz)$/.test(column.udt_name)
	);
	if (unhandled)
		throw new Error(
			`demo template: ${unhandled.table_name}.${unhandled.column_name} is an array of dates, which moving does not handle yet`
		);
	const dated = byTable(columns.filter((column) => DATE_TYPES.has(column.data_type)));
	if (dated.size === 0) return 0;
	/** The moved value of a column, by `by` days (a SQL expression over the block's variables). */
	const moved = (column: CatalogueColumn, by: string) => {
		const ref = quoteIdent(column.column_name);
		if (column.data_type === 'date') return `${ref} + (${by})`;
		if (column.data_type === 'timestamp without time zone')
			return `${ref} + make_interval(days => ${by})`;
		return `case
				when ${ref} between _clock_from and _clock_to
					then _clock_now - (_clock_to - ${ref}) + make_interval(days => ${by} - _days)
				else ((${ref} at time zone _zone) + make_interval(days => ${by})) at time zone _zone
			end`;
	};
	const statements: string[] = [];
	let count = 0;
	for (const [table, list] of dated) {
		const parked = list.some((column) => column.in_unique);
		const by = parked ? `_days + ${PARKING_DAYS}` : '_days';
		statements.push(
			`update ${quoteIdent(table)} set ${list
				.map((column) => `${quoteIdent(column.column_name)} = ${moved(column, by)}`)
				.join(', ')};`
		);
		if (parked)
			statements.push(
				`update ${quoteIdent(table)} set ${list
					.map((column) => {
						const ref = quoteIdent(column.column_name);
						return column.data_type === 'date'
							? `${ref} = ${ref} - ${PARKING_DAYS}`
							: `${ref} = ${ref} - make_interval(days => ${PARKING_DAYS})`;
					})
					.join(', ')};`
			);
		count += list.length;
	}
	await sql`select set_config('certtrack.shift_days', ${String(days)}, true),
		set_config('certtrack.shift_zone', ${state.time_zone}, true),
		set_config('certtrack.clock_from', ${new Date(state.clock_from).toISOString()}, true),
		set_config('certtrack.clock_to', ${new Date(state.clock_to).toISOString()}, true),
		set_config('certtrack.clock_now', ${now.toISOString()}, true)`.execute(trx);
	await sql
		.raw(
			`do $shift$
declare
	_days int := current_setting('certtrack.shift_days')::int;
	_zone text := current_setting('certtrack.shift_zone');
	_clock_from timestamptz := current_setting('certtrack.clock_from')::timestamptz;
	_clock_to timestamptz := current_setting('certtrack.clock_to')::timestamptz;
	_clock_now timestamptz := current_setting('certtrack.clock_now')::timestamptz;
begin
	${statements.join('\n\t')}
end
$shift$`
		)
		.execute(trx);
	return count;
}

/** Each evaluation reference whose year changes with its (moved) window: old to new. */
async function movedReferences(trx: Transaction<unknown>): Promise<Map<string, string>> {
	const rows = await sql<{ reference: string; year: string }>`
		select reference, extract(year from window_start)::int::text as year
		from evaluations where reference ~ '^[0-9]{4}-'`.execute(trx);
	const map = new Map<string, string>();
	for (const { reference, year } of rows.rows) {
		const renamed = year.padStart(4, '0') + reference.slice(4);
		if (renamed !== reference) map.set(reference, renamed);
	}
	return map;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface TextRewrite {
	days: number;
	/** Evaluation references whose year changes, old to new. */
	references: Map<string, string>;
	/** Plain replacements, in order: the template's origin and host. */
	literals: Map<string, string>;
}

/** A text with its story dates, times and evaluation references moved, and its origin. */
export function shiftText(text: string, { days, references, literals }: TextRewrite): string {
	let result = text.replace(ISO_TOKEN, (token: string, date: string, time?: string) => {
		if (!isIsoDate(date)) return token;
		// A time keeps its wall clock and offset: with the offset fixed, that is the instant moved
		// by whole days, and the demo's zone keeps one offset all year (DEMO_UTC_OFFSET).
		return addDays(date, days) + (time ?? '');
	});
	if (references.size > 0) {
		const pattern = new RegExp(
			`(?<![\\dA-Za-z])(${[...references.keys()].map(escapeRegExp).join('|')})(?![\\dA-Za-z])`,
			'g'
		);
		result = result.replace(pattern, (reference: string) => references.get(reference) ?? reference);
	}
	for (const [from, to] of literals) if (from !== to) result = result.replaceAll(from, to);
	return result;
}

/** Every text and JSON value that quotes a date or a moved reference, rewritten in place. */
async function rewriteTexts(
	trx: Transaction<unknown>,
	columns: CatalogueColumn[],
	rewrite: TextRewrite
): Promise<number> {
	const texts = columns.filter((column) => TEXT_TYPES.has(column.data_type));
	if (texts.length === 0) return 0;
	const needle = textNeedle([...rewrite.references.keys(), ...rewrite.literals.keys()]);
	// One read for all of them: the rows that quote something, by table, column and row.
	const found = await sql<{ t: string; c: string; row: string; value: string }>`${sql.join(
		texts.map(
			(column) => sql`select ${column.table_name}::text as t, ${column.column_name}::text as c,
				ctid::text as row, ${sql.ref(column.column_name)}::text as value
				from ${sql.table(column.table_name)}
				where ${sql.ref(column.column_name)}::text ~ ${needle}`
		),
		sql` union all `
	)}`.execute(trx);
	const changes = new Map<string, Map<string, Map<string, string>>>();
	for (const { t, c, row, value } of found.rows) {
		const shifted = shiftText(value, rewrite);
		if (shifted === value) continue;
		const rows = changes.get(t) ?? new Map<string, Map<string, string>>();
		const values = rows.get(row) ?? new Map<string, string>();
		values.set(c, shifted);
		rows.set(row, values);
		changes.set(t, rows);
	}
	let count = 0;
	const typeOf = new Map(
		texts.map((column) => [`${column.table_name}.${column.column_name}`, column])
	);
	for (const [table, rows] of changes) {
		// One update per table and row set: a row's ctid changes when it is updated.
		const changed = [...new Set([...rows.values()].flatMap((values) => [...values.keys()]))];
		const values = [...rows.entries()].map(
			([row, columnValues]) =>
				sql`(${row}::tid, ${sql.join(changed.map((name) => sql`${columnValues.get(name) ?? null}::text`))})`
		);
		const cast = (name: string) => {
			const type = typeOf.get(`${table}.${name}`)!.data_type;
			const value = sql`v.${sql.ref(name)}`;
			return type === 'jsonb'
				? sql`${value}::jsonb`
				: type === 'json'
					? sql`${value}::json`
					: value;
		};
		await sql`update ${sql.table(table)} as t set ${sql.join(
			changed.map((name) => sql`${sql.ref(name)} = coalesce(${cast(name)}, t.${sql.ref(name)})`)
		)}
			from (values ${sql.join(values)}) as v (row, ${sql.join(changed.map((name) => sql.ref(name)))})
			where t.ctid = v.row`.execute(trx);
		count += [...rows.values()].reduce((sum, columnValues) => sum + columnValues.size, 0);
	}
	return count;
}

interface ExpiryCorrection {
	id: string;
	/** What moving by days makes of it. */
	moved: string;
	/** What the rule gives from the moved issue date. */
	counted: string;
}

/**
 * Certificates whose expiry is the rule's (months from the issue date) and which moving by days
 * would put on another day than the rule gives for the moved issue date; read before moving.
 */
async function recountedExpiries(
	trx: Transaction<unknown>,
	days: number
): Promise<ExpiryCorrection[]> {
	const tx = trx as unknown as Tx;
	const certificates = await tx
		.selectFrom('certificates')
		.select(['id', 'standard_id', 'issued_on', 'expires_on'])
		.execute();
	const corrections: ExpiryCorrection[] = [];
	for (const certificate of certificates) {
		const rules = await findSchemeRules(tx, certificate.standard_id);
		const issuedOn = String(certificate.issued_on);
		if (certificateExpiry(issuedOn, rules) !== String(certificate.expires_on)) continue;
		const moved = addDays(String(certificate.expires_on), days);
		const counted = certificateExpiry(addDays(issuedOn, days), rules);
		if (moved !== counted) corrections.push({ id: certificate.id, moved, counted });
	}
	return corrections;
}

/** The recounted expiries, on the certificate and in its audit entries. */
async function correctExpiries(trx: Transaction<unknown>, corrections: ExpiryCorrection[]) {
	for (const { id, moved, counted } of corrections) {
		await sql`update certificates set expires_on = ${counted}::date
			where id = ${id} and expires_on = ${moved}::date`.execute(trx);
		for (const side of ['before', 'after'] as const)
			await sql`update audit_log
				set ${sql.ref(side)} = jsonb_set(${sql.ref(side)}, '{expiresOn}', to_jsonb(${counted}::text))
				where entity_type = 'certificate' and entity_id = ${id}
					and ${sql.ref(side)} ->> 'expiresOn' = ${moved}`.execute(trx);
	}
}

interface PeriodCorrection {
	id: string;
	start: string;
	end: string;
}

/** Whole months from the month of `from` to the month of `to` (negative when earlier). */
function monthsBetween(from: string, to: string): number {
	const months = (iso: string) => Number(iso.slice(0, 4)) * 12 + Number(iso.slice(5, 7));
	return months(to) - months(from);
}

/**
 * An objective's measurement is of a whole month, quarter or year, counted in periods back from
 * the load day's (db/seed/demo.ts `measure`): moved by days it would straddle two. Each is
 * counted again as the same number of periods back from the new today's; read before moving.
 */
async function recountedMeasurementPeriods(
	trx: Transaction<unknown>,
	referenceDay: string,
	today: string
): Promise<PeriodCorrection[]> {
	const rows = await sql<{ id: string; period: ObjectivePeriod; period_start: string }>`
		select m.id, o.period, m.period_start::text as period_start
		from service_objective_measurements m
		join service_objectives o on o.tenant_id = m.tenant_id and o.id = m.objective_id`.execute(trx);
	return rows.rows.map((row) => {
		const back = monthsBetween(
			measurementPeriodOf(row.period, referenceDay).start,
			row.period_start
		);
		const start = addMonths(measurementPeriodOf(row.period, today).start, back);
		return { id: row.id, ...measurementPeriodOf(row.period, start) };
	});
}

/** The recounted periods, on the measurements and in their audit entries. */
async function correctMeasurementPeriods(
	trx: Transaction<unknown>,
	corrections: PeriodCorrection[]
) {
	if (corrections.length === 0) return;
	// Parked first: a moved row may sit on the period another is counted into (one per period).
	await sql`update service_objective_measurements
		set period_start = period_start - ${PARKING_DAYS}::integer,
			period_end = period_end - ${PARKING_DAYS}::integer`.execute(trx);
	for (const { id, start, end } of corrections) {
		await sql`update service_objective_measurements
			set period_start = ${start}::date, period_end = ${end}::date where id = ${id}`.execute(trx);
		await sql`update audit_log
			set after = jsonb_set(jsonb_set(after, '{period_start}', to_jsonb(${start}::text)),
				'{period_end}', to_jsonb(${end}::text))
			where entity_type = 'service_measurement' and entity_id = ${id}`.execute(trx);
	}
}

/**
 * The audit chain again from its start: each entry's hash over its moved content and the
 * previous hash (the trigger's own function), and each tenant's head at its last entry.
 */
async function rehashAuditChain(trx: Transaction<unknown>): Promise<number> {
	const updated = await sql`
		with recursive chain as (
			select a.tenant_id, a.seq, repeat('0', 64) as prev_hash,
				audit_entry_hash(repeat('0', 64), a.tenant_id, a.seq, a.actor_user_id, a.action,
					a.entity_type, a.entity_id, a.before, a.after, a.created_at) as hash
			from audit_log a where a.seq = 1
			union all
			select a.tenant_id, a.seq, c.hash,
				audit_entry_hash(c.hash, a.tenant_id, a.seq, a.actor_user_id, a.action,
					a.entity_type, a.entity_id, a.before, a.after, a.created_at)
			from chain c join audit_log a on a.tenant_id = c.tenant_id and a.seq = c.seq + 1
		)
		update audit_log a set prev_hash = c.prev_hash, hash = c.hash
		from chain c where a.tenant_id = c.tenant_id and a.seq = c.seq`.execute(trx);
	await sql`
		update audit_chain_heads h set seq = a.seq, hash = a.hash
		from (
			select distinct on (tenant_id) tenant_id, seq, hash from audit_log
			order by tenant_id, seq desc
		) a
		where a.tenant_id = h.tenant_id`.execute(trx);
	return Number(updated.numAffectedRows ?? 0);
}
