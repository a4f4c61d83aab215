/*
 * npm run bench:chase — prints, does not assert (issue 7 §7). Creates its own database and Redis
 * prefix and drops them. BENCH_TENANTS (100) tenants with BENCH_FINDINGS (100,000 in all)
 * nonconformities due on one day, created with set-based SQL. Times:
 *   1. the sweep writing every reminder + outbox row and enqueueing the deliveries, run as the
 *      worker runs it (the chase queue's concurrency), beside raw BullMQ addBulk of as many jobs
 *      as messages, in the same run;
 *   2. mails/s delivered to a loopback smtp-server through the delivery jobs' handler, beside raw
 *      nodemailer sending the same messages (BENCH_MAILS of them, 5,000 by default).
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { sql } from 'kysely';
import { Queue } from 'bullmq';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { connectPostgres } from '../src/lib/server/db/connection';
import { AppDatabase } from '../src/lib/server/db/tenant-scope';
import { migrateToLatest } from '../db/migrate';
import { sweepTenant } from '../jobs/chase-tenant/sweep';
import { createProducer, redisOptions } from '../jobs/producer';
import { requestDeliveries } from '../jobs/producer-helpers';
import { DELIVERY_BATCH } from '../jobs/mail-deliver/definition';
import { deliverTenantOutbox } from '../src/lib/server/mail/delivery';
import { createMailTransport } from '../src/lib/server/mail/transport';
import { messageContent } from '../src/lib/server/mail/outbox';
import { CLAIMED_COLUMNS } from '../src/lib/server/repositories/outbox';

const TENANTS = Number(process.env.BENCH_TENANTS ?? 100);
const FINDINGS = Number(process.env.BENCH_FINDINGS ?? 100_000);
const MAILS = Number(process.env.BENCH_MAILS ?? 5_000);
/** The chase queue's worker concurrency (jobs/worker.ts): tenants swept at once. */
const SWEEPS = Number(process.env.BENCH_SWEEPS ?? 2);
/** The mail queue's worker concurrency: delivery jobs at once. */
const DELIVERIES = 8;
const PG = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DUE = '2027-03-01';
const DAY = new Date('2027-02-22T04:00:00Z'); // 7 days before, in Asia/Shanghai

const name = `certtrack_bench_${randomBytes(4).toString('hex')}`;
const prefix = `{ct-bench-${randomBytes(4).toString('hex')}}`;
const admin = connectPostgres(PG, { max: 1 });
await sql`create database ${sql.id(name)}`.execute(admin.kysely);
const url = new URL(PG);
url.pathname = `/${name}`;
const connection = connectPostgres(url.toString(), { max: 10 });
const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString('en')}/s`;
const percent = (part: number, whole: number) => `${((part / whole) * 100).toFixed(1)} %`;

/** Runs `work` over `items`, `lanes` at a time. */
async function inLanes<T>(items: T[], lanes: number, work: (item: T) => Promise<void>) {
	let next = 0;
	await Promise.all(
		Array.from({ length: Math.min(lanes, items.length) }, async () => {
			while (next < items.length) await work(items[next++]!);
		})
	);
}

try {
	await migrateToLatest(connection.kysely);
	const k = connection.kysely;
	const perTenant = Math.ceil(FINDINGS / TENANTS);
	console.log(
		`machine: ${availableParallelism()} cores, load average ${loadavg()
			.map((n) => n.toFixed(1))
			.join(' ')}`
	);
	console.log(`arranging ${TENANTS} tenants × ${perTenant} findings due ${DUE} (set-based SQL) …`);
	const arrangeStart = Date.now();
	// The owner's connection, not the services: one statement per table for every tenant.
	await sql`insert into users (email, name) values (${`bench-${name}@x.test`}, 'Bench')`.execute(k);
	await sql`insert into tenants (slug, name)
		select 'bench-' || n, 'Body ' || n from generate_series(1, ${TENANTS}::int) n`.execute(k);
	await sql`insert into organisations (tenant_id, legal_name, uscc)
		select id, 'Org ' || slug, '91350206' || lpad(row_number() over (order by slug)::text, 9, '0') || 'X'
		from tenants`.execute(k);
	await sql`insert into contacts (tenant_id, organisation_id, name, email)
		select tenant_id, id, 'Contact', 'c-' || id || '@org.test' from organisations`.execute(k);
	await sql`insert into standards (tenant_id, code, title_zh) select id, 'S', 'S' from tenants`.execute(
		k
	);
	await sql`insert into evaluations
			(tenant_id, kind, organisation_id, standard_id, window_start, window_end, status)
		select o.tenant_id, 'initial', o.id, s.id, '2027-01-01', '2027-01-02', 'report_issued'
		from organisations o join standards s on s.tenant_id = o.tenant_id`.execute(k);
	await sql`insert into findings
			(tenant_id, evaluation_id, reference, kind, grade, statement, raised_by, raised_on, due_on)
		select e.tenant_id, e.id, 'NC-' || n, 'nonconformity', 'minor', 'Records of ' || n || ' missing',
			(select id from users where email = ${`bench-${name}@x.test`}), '2027-01-02', ${DUE}::date
		from evaluations e cross join generate_series(1, ${perTenant}::int) n`.execute(k);
	await sql`analyze`.execute(k);
	const tenants = (
		await sql<{ id: string }>`select id from tenants order by slug`.execute(k)
	).rows.map((row) => row.id);
	console.log(`arranged in ${Date.now() - arrangeStart} ms`);

	const db = new AppDatabase(connection);
	const producer = createProducer({ url: REDIS, prefix });
	await new Promise((r) => setTimeout(r, 500));
	let messages = 0;
	let fired = 0;
	const started = Date.now();
	await inLanes(tenants, SWEEPS, async (tenantId) => {
		const result = await sweepTenant(db, tenantId, DAY);
		messages += result.outboxIds.length;
		fired += result.fired;
		if (!(await requestDeliveries(producer, tenantId, result.outboxIds)))
			throw new Error('Redis refused the delivery jobs');
	});
	const sweepMs = Date.now() - started;
	const mailQueue = new Queue('mail', { connection: redisOptions(REDIS), prefix });
	const queued = await mailQueue.count();

	const raw = new Queue('raw', { connection: redisOptions(REDIS), prefix });
	const rawStart = Date.now();
	for (let i = 0; i < messages; i += 1000)
		await raw.addBulk(
			Array.from({ length: Math.min(1000, messages - i) }, (_, n) => ({
				name: 'x',
				data: { n: i + n }
			}))
		);
	const rawMs = Date.now() - rawStart;
	console.log(
		`sweep (${SWEEPS} tenants at once): ${fired} reminders, ${messages} outbox rows, ${queued} delivery jobs of ≤ ${DELIVERY_BATCH} in ${sweepMs} ms (${rate(messages, sweepMs)} messages)`
	);
	console.log(
		`raw BullMQ addBulk: ${messages} jobs in ${rawMs} ms (${rate(messages, rawMs)}); sweep at ${percent(rawMs, sweepMs)} of the raw rate`
	);

	let received = 0;
	const smtp = new SMTPServer({
		authOptional: true,
		disabledCommands: ['STARTTLS', 'AUTH'],
		logger: false,
		onData(stream, _s, cb) {
			stream.on('data', () => {});
			stream.on('end', () => {
				received++;
				cb();
			});
		}
	});
	smtp.on('error', () => {});
	await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
	const smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as { port: number }).port}`;
	// The first MAILS messages (whole tenants' batches) are delivered; the rest stay unsent.
	const sample = await k
		.selectFrom('outbox')
		.select(CLAIMED_COLUMNS)
		.orderBy('tenant_id')
		.orderBy('id')
		.limit(MAILS)
		.execute();
	const batches: { tenantId: string; ids: string[] }[] = [];
	for (const row of sample) {
		const last = batches.at(-1);
		if (last && last.tenantId === row.tenant_id && last.ids.length < DELIVERY_BATCH)
			last.ids.push(row.id);
		else batches.push({ tenantId: row.tenant_id, ids: [row.id] });
	}
	const transport = createMailTransport({ smtpUrl, mailFrom: 'bench@test', dataDir: '/tmp' });
	const mailStart = Date.now();
	let sent = 0;
	// What the mail queue's worker does with the sweep's delivery jobs.
	await inLanes(batches, DELIVERIES, async (batch) => {
		const result = await deliverTenantOutbox(db, transport, batch.tenantId, {
			ids: batch.ids,
			batch: DELIVERY_BATCH
		});
		sent += result.sent;
	});
	const mailMs = Date.now() - mailStart;
	transport.close();
	// The raw baseline sends the same messages, rendered beforehand (the delivery renders each
	// from its params as it sends, inside its timing).
	const rendered = sample.map((m) => ({ ...m, ...messageContent(m) }));
	const rawMailer = nodemailer.createTransport({ url: smtpUrl, pool: true, maxConnections: 4 });
	const rawMailStart = Date.now();
	await inLanes(rendered, 32, async (m) => {
		await rawMailer.sendMail({
			from: 'bench@test',
			to: m.to_email,
			subject: m.subject,
			text: m.text,
			html: m.html,
			messageId: m.message_id ?? undefined
		});
	});
	const rawMailMs = Date.now() - rawMailStart;
	rawMailer.close();
	const bytes = rendered.reduce((sum, m) => sum + m.html.length, 0) / Math.max(1, sample.length);
	const stored = await sql<{ bytes: string }>`
		select coalesce(avg(pg_column_size(outbox.*)), 0)::int as bytes from outbox`.execute(k);
	console.log(
		`delivery (claim, send over 4 pooled connections, mark): ${sent} mails in ${mailMs} ms (${rate(sent, mailMs)}); HTML part ${Math.round(bytes)} bytes on average, rendered at send; an outbox row ${stored.rows[0]?.bytes} bytes stored`
	);
	console.log(
		`raw nodemailer (4 pooled connections): ${sample.length} mails in ${rawMailMs} ms (${rate(sample.length, rawMailMs)}); delivery at ${percent(rawMailMs, mailMs)} of the raw rate`
	);
	await new Promise<void>((r) => smtp.close(() => r()));
	await mailQueue.obliterate({ force: true });
	await raw.obliterate({ force: true });
	await mailQueue.close();
	await raw.close();
	await producer.close();
	console.log(`(received by the loopback server: ${received})`);
} finally {
	await connection.close();
	await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin.kysely);
	await admin.close();
}
