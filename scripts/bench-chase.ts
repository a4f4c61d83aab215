/*
 * npm run bench:chase — prints, does not assert. Creates its own database and Redis prefix and
 * drops them. BENCH_TENANTS (100) × BENCH_FINDINGS (100,000 in all) nonconformities due on one day:
 * the sweep writing reminders + outbox rows + enqueueing one delivery job per message, beside raw
 * BullMQ addBulk of as many jobs; then mails/s to a loopback smtp-server, beside raw nodemailer.
 */
import { randomBytes } from 'node:crypto';
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
import { deliverTenantOutbox } from '../src/lib/server/mail/delivery';
import { createMailTransport } from '../src/lib/server/mail/transport';

const TENANTS = Number(process.env.BENCH_TENANTS ?? 100);
const FINDINGS = Number(process.env.BENCH_FINDINGS ?? 100_000);
const MAILS = Number(process.env.BENCH_MAILS ?? 2_000);
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
const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000)}/s`;
try {
	await migrateToLatest(connection.kysely);
	const k = connection.kysely;
	const perTenant = Math.ceil(FINDINGS / TENANTS);
	const tenants: string[] = [];
	console.log(`arranging ${TENANTS} tenants × ${perTenant} findings due ${DUE} …`);
	const raiser = await k
		.insertInto('users')
		.values({ email: `bench-${name}@x.test`, name: 'Bench' })
		.returning('id')
		.executeTakeFirstOrThrow();
	for (let i = 0; i < TENANTS; i++) {
		const t = await k
			.insertInto('tenants')
			.values({ slug: `b-${i}-${randomBytes(3).toString('hex')}`, name: `Body ${i}` })
			.returning('id')
			.executeTakeFirstOrThrow();
		tenants.push(t.id);
		const base = { tenant_id: t.id };
		const org = await k
			.insertInto('organisations')
			.values({ ...base, legal_name: `Org ${i}`, uscc: `91350206${String(i).padStart(9, '0')}X` })
			.returning('id')
			.executeTakeFirstOrThrow();
		await k
			.insertInto('contacts')
			.values({ ...base, organisation_id: org.id, name: 'C', email: `c${i}@org.test` })
			.execute();
		const std = await k
			.insertInto('standards')
			.values({ ...base, code: 'S', title_zh: 'S' })
			.returning('id')
			.executeTakeFirstOrThrow();
		const ev = await k
			.insertInto('evaluations')
			.values({
				...base,
				kind: 'initial',
				organisation_id: org.id,
				standard_id: std.id,
				window_start: '2027-01-01',
				window_end: '2027-01-02',
				status: 'report_issued'
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		const rows = Array.from({ length: perTenant }, (_, n) => ({
			...base,
			evaluation_id: ev.id,
			reference: `NC-${n}`,
			kind: 'nonconformity' as const,
			grade: 'minor' as const,
			statement: 'x',
			raised_by: raiser.id,
			raised_on: '2027-01-02',
			due_on: DUE
		}));
		for (let j = 0; j < rows.length; j += 2000)
			await k
				.insertInto('findings')
				.values(rows.slice(j, j + 2000))
				.execute();
	}
	const db = new AppDatabase(connection);
	const producer = createProducer({ url: REDIS, prefix });
	await new Promise((r) => setTimeout(r, 500));
	let messages = 0;
	const started = Date.now();
	for (const tenantId of tenants) {
		const result = await sweepTenant(db, tenantId, DAY);
		messages += result.outboxIds.length;
		await requestDeliveries(producer, tenantId, result.outboxIds);
	}
	const sweepMs = Date.now() - started;
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
		`sweep: ${messages} reminders+outbox rows+delivery jobs in ${sweepMs} ms (${rate(messages, sweepMs)})`
	);
	console.log(
		`raw BullMQ addBulk: ${messages} jobs in ${rawMs} ms (${rate(messages, rawMs)}); ratio ${((rawMs / sweepMs) * 100).toFixed(1)} %`
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
	await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
	const smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as { port: number }).port}`;
	const tenant = tenants[0]!;
	await k.updateTable('outbox').set({ status: 'sent' }).where('tenant_id', '<>', tenant).execute();
	const sample = await k
		.selectFrom('outbox')
		.selectAll()
		.where('tenant_id', '=', tenant)
		.limit(MAILS)
		.execute();
	const transport = createMailTransport({ smtpUrl, mailFrom: 'bench@test', dataDir: '/tmp' });
	const mailStart = Date.now();
	let sent = 0;
	for (;;) {
		const r = await deliverTenantOutbox(db, transport, tenant, {
			batch: 200,
			concurrency: 4,
			maxBatches: 1
		});
		sent += r.sent;
		if (r.sent === 0 || sent >= MAILS) break;
	}
	const mailMs = Date.now() - mailStart;
	transport.close();
	const rawMailer = nodemailer.createTransport({ url: smtpUrl, pool: true, maxConnections: 4 });
	const rawMailStart = Date.now();
	let next = 0;
	await Promise.all(
		Array.from({ length: 4 }, async () => {
			while (next < Math.min(sent, sample.length)) {
				const m = sample[next++]!;
				await rawMailer.sendMail({
					from: 'bench@test',
					to: m.to_email,
					subject: m.subject,
					text: m.text_body,
					html: m.html_body
				});
			}
		})
	);
	const rawMailMs = Date.now() - rawMailStart;
	rawMailer.close();
	console.log(`delivery: ${sent} mails in ${mailMs} ms (${rate(sent, mailMs)})`);
	console.log(
		`raw nodemailer: ${Math.min(sent, sample.length)} mails in ${rawMailMs} ms (${rate(Math.min(sent, sample.length), rawMailMs)}); ratio ${((rawMailMs / mailMs) * 100).toFixed(1)} %`
	);
	await new Promise<void>((r) => smtp.close(() => r()));
	const cleanup = new Queue('mail', { connection: redisOptions(REDIS), prefix });
	await cleanup.obliterate({ force: true });
	await raw.obliterate({ force: true });
	await cleanup.close();
	await raw.close();
	await producer.close();
	console.log(`(received by the loopback server: ${received})`);
} finally {
	await connection.close();
	await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin.kysely);
	await admin.close();
}
