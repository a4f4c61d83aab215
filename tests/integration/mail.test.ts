import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { SMTPServer } from 'smtp-server';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases';
import { testApp } from '../support/factories';
import { newFinding, newWorkflowWorld, type WorkflowWorld } from '../support/workflow-factories';
import { PDF_BYTES } from '../support/evidence-factories';
import type { App } from '../../src/lib/server/app';
import { readConfig } from '../../src/lib/server/config';
import { connectRedis } from '../../src/lib/server/redis';
import { addDays, todayInZone } from '../../src/lib/server/domain/calendar';
import { enqueueMessage, messageContent } from '../../src/lib/server/mail/outbox';
import { deliverTenantOutbox } from '../../src/lib/server/mail/delivery';
import { createMailTransport } from '../../src/lib/server/mail/transport';
import { LocalDiskStorage } from '../../src/lib/server/evidence/storage';
import { chaseMode } from '../../src/lib/server/runtime';
import { verifyEvidence } from '../../jobs/evidence-verify/verify';
import { startInlineWorkers, startWorkers } from '../../jobs/worker';
import { createProducer } from '../../jobs/producer';
import { requestDeliveries } from '../../jobs/producer-helpers';
import { mailSweep } from '../../jobs/mail-sweep/definition';

/* Mail delivery end to end: a real SMTP server on loopback, real Redis (a private server, never
 * the shared one, where it is stopped), a worker killed mid-send, and the embedded default. */

const ROOT = process.cwd();

interface Received {
	raw: string;
	messageId: string;
	to: string[];
}

async function startSmtp(
	options: { delayMs?: number; reject?: (to: string) => number | null } = {}
) {
	const received: Received[] = [];
	const server = new SMTPServer({
		authOptional: true,
		disabledCommands: ['STARTTLS', 'AUTH'],
		logger: false,
		onRcptTo(address, _session, callback) {
			const code = options.reject?.(address.address) ?? null;
			if (code) {
				const error = Object.assign(new Error(`refused ${code}`), { responseCode: code });
				return callback(error);
			}
			callback();
		},
		onData(stream, session, callback) {
			const chunks: Buffer[] = [];
			stream.on('data', (chunk: Buffer) => chunks.push(chunk));
			stream.on('end', () => {
				const raw = Buffer.concat(chunks).toString('utf8');
				const finish = () => {
					received.push({
						raw,
						messageId: /^Message-ID:\s*(<[^>]+>)/im.exec(raw)?.[1] ?? '',
						to: session.envelope.rcptTo.map((r) => r.address)
					});
					callback();
				};
				if (options.delayMs) setTimeout(finish, options.delayMs);
				else finish();
			});
		}
	});
	// A worker killed mid-send (the SIGKILL test) resets its connection: smtp-server reports that
	// as an 'error' event, which is what the test provokes, not a failure of the server.
	server.on('error', () => {});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = (server.server.address() as { port: number }).port;
	return {
		received,
		url: `smtp://127.0.0.1:${port}`,
		close: () => new Promise<void>((resolve) => server.close(() => resolve()))
	};
}

async function until(check: () => Promise<boolean> | boolean, ms = 15_000) {
	const end = Date.now() + ms;
	while (Date.now() < end) {
		if (await check()) return;
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	throw new Error('condition not met in time');
}

async function writeMessages(t: TestDatabase, world: WorkflowWorld, count: number, tag: string) {
	await t.db.inTenant({ tenantId: world.tenantId, userId: null }, async (tx) => {
		for (let i = 0; i < count; i++)
			await enqueueMessage(tx, {
				tenantId: world.tenantId,
				template: 'finding.plan_accepted',
				recipients: [{ email: `${tag}-${i}@org.test`, name: `Person ${i}`, locale: 'en' }],
				params: { reference: `NC-${tag}-${i}`, dueOn: '2027-01-15' },
				link: `/findings/${i}`
			});
	});
	return t.owner
		.selectFrom('outbox')
		.select(['id', 'message_id', 'status', 'to_email'])
		.where('to_email', 'like', `${tag}-%`)
		.execute();
}

for (const kind of DIALECTS) {
	describe(`mail delivery (${kind})`, () => {
		let t: TestDatabase;
		let world: WorkflowWorld;
		beforeAll(async () => {
			t = await createTestDatabase(kind);
			world = await newWorkflowWorld(t);
		});
		afterAll(() => t?.drop());

		it('sends each message once over SMTP, in its recipient language, with text, HTML and its Message-ID', async () => {
			const smtp = await startSmtp();
			const transport = createMailTransport({
				smtpUrl: smtp.url,
				mailFrom: 'CertTrack <ct@test>',
				dataDir: '/tmp'
			});
			try {
				await t.owner
					.updateTable('users')
					.set({ locale: 'en' })
					.where('id', '=', world.orgUser.userId)
					.execute();
				await t.db.inTenant({ tenantId: world.tenantId, userId: null }, (tx) =>
					enqueueMessage(tx, {
						tenantId: world.tenantId,
						template: 'finding.plan_sent_back',
						recipients: [
							{ userId: world.orgUser.userId },
							{ email: 'zhang@org.test', name: '张<三>', locale: 'zh-CN' }
						],
						params: { reference: 'NC-01', comment: '<script>alert(1)</script>' },
						link: '/findings/abc'
					})
				);
				const result = await deliverTenantOutbox(t.db, transport, world.tenantId);
				expect(result).toEqual({ sent: 2, failed: 0 });
				expect(await deliverTenantOutbox(t.db, transport, world.tenantId)).toEqual({
					sent: 0,
					failed: 0
				});
				const rows = await t.owner
					.selectFrom('outbox')
					.selectAll()
					.where('template', '=', 'finding.plan_sent_back')
					.execute();
				expect(rows.map((r) => r.status)).toEqual(['sent', 'sent']);
				expect(smtp.received.map((r) => r.messageId).sort()).toEqual(
					rows.map((r) => r.message_id).sort()
				);
				const english = smtp.received.find((r) => r.to.includes(world.orgUser.email))!;
				expect(english.raw).toMatch(/multipart\/alternative/);
				expect(english.raw).toMatch(/text\/plain/);
				expect(english.raw).toMatch(/text\/html/);
				expect(english.raw).toContain('Plan for NC-01 sent back');
				const chinese = rows.find((r) => r.to_email === 'zhang@org.test')!;
				expect(chinese.subject).toBe('NC-01 的计划被退回');
				// The row holds the frozen values, not a rendered copy; the HTML is rendered at send.
				expect(chinese.html_body).toBeNull();
				expect(chinese.params).toMatchObject({
					values: { comment: '<script>alert(1)</script>' },
					recipientName: '张<三>'
				});
				const html = messageContent(chinese).html;
				expect(html).toContain('&lt;script&gt;');
				expect(html).not.toContain('<script>');
				expect(html).toContain('张&lt;三&gt;');
				expect(html).toContain('http://localhost:3000/findings/abc');
				const bell = await t.owner
					.selectFrom('notifications')
					.select(['user_id', 'title'])
					.execute();
				expect(bell).toEqual([
					{ user_id: world.orgUser.userId, title: 'Plan for NC-01 sent back' }
				]);
			} finally {
				transport.close();
				await smtp.close();
			}
		});

		it('sends a row written before params existed with its stored bodies, and fails unreadable params for good', async () => {
			const smtp = await startSmtp();
			const transport = createMailTransport({
				smtpUrl: smtp.url,
				mailFrom: 'CertTrack <ct@test>',
				dataDir: '/tmp'
			});
			try {
				await t.owner
					.insertInto('outbox')
					.values([
						{
							tenant_id: world.tenantId,
							dedupe_key: 'legacy:1',
							template: 'finding.plan_accepted',
							to_email: 'legacy@org.test',
							locale: 'en',
							subject: 'Legacy subject',
							text_body: 'Legacy text body',
							html_body: '<p>Legacy html body</p>',
							message_id: '<legacy-1@test>'
						},
						{
							tenant_id: world.tenantId,
							dedupe_key: 'broken:1',
							template: 'finding.plan_accepted',
							to_email: 'broken@org.test',
							locale: 'en',
							subject: 'Broken',
							params: JSON.stringify({ values: 'not an object' })
						}
					])
					.execute();
				expect(await deliverTenantOutbox(t.db, transport, world.tenantId)).toEqual({
					sent: 1,
					failed: 1
				});
				const legacy = smtp.received.find((r) => r.to.includes('legacy@org.test'))!;
				expect(legacy.messageId).toBe('<legacy-1@test>');
				expect(legacy.raw).toContain('Legacy text body');
				expect(legacy.raw).toContain('Legacy html body');
				expect(smtp.received.some((r) => r.to.includes('broken@org.test'))).toBe(false);
				const broken = await t.owner
					.selectFrom('outbox')
					.select(['status', 'last_error'])
					.where('dedupe_key', '=', 'broken:1')
					.executeTakeFirstOrThrow();
				expect(broken.status).toBe('failed');
				expect(broken.last_error).toMatch(/unreadable params/);
				// Neither params nor bodies: the database refuses the row.
				await expect(
					t.owner
						.insertInto('outbox')
						.values({
							tenant_id: world.tenantId,
							dedupe_key: 'empty:1',
							template: 'finding.plan_accepted',
							to_email: 'empty@org.test',
							locale: 'en',
							subject: 'Empty'
						})
						.execute()
				).rejects.toThrow(/outbox_content_check/);
			} finally {
				transport.close();
				await smtp.close();
			}
		});

		it('retries a temporary refusal later and records a permanent one as failed', async () => {
			const smtp = await startSmtp({
				reject: (to) => (to.startsWith('soft') ? 451 : to.startsWith('hard') ? 550 : null)
			});
			const transport = createMailTransport({
				smtpUrl: smtp.url,
				mailFrom: 'ct@test',
				dataDir: '/tmp'
			});
			try {
				await t.db.inTenant({ tenantId: world.tenantId, userId: null }, (tx) =>
					enqueueMessage(tx, {
						tenantId: world.tenantId,
						template: 'finding.evidence_verified',
						recipients: [{ email: 'soft@org.test' }, { email: 'hard@org.test' }],
						params: { reference: 'NC-02' },
						link: '/findings/x'
					})
				);
				expect(await deliverTenantOutbox(t.db, transport, world.tenantId)).toEqual({
					sent: 0,
					failed: 2
				});
				const rows = await t.owner
					.selectFrom('outbox')
					.select(['to_email', 'status', 'attempts', 'last_error', 'next_attempt_at'])
					.where('template', '=', 'finding.evidence_verified')
					.orderBy('to_email')
					.execute();
				expect(rows.map((r) => [r.to_email, r.status, r.attempts])).toEqual([
					['hard@org.test', 'failed', 1],
					['soft@org.test', 'pending', 1]
				]);
				expect(rows[0]!.last_error).toMatch(/550/);
				expect(new Date(rows[1]!.next_attempt_at).getTime()).toBeGreaterThan(Date.now());
			} finally {
				transport.close();
				await smtp.close();
			}
		});

		it('re-reads stored evidence: verified, duplicate flagged, a mismatch rejected and told loudly', async () => {
			const dir = await mkdtemp(join(tmpdir(), 'ct-evidence-'));
			try {
				const stored = await new LocalDiskStorage(dir).put(Readable.from([PDF_BYTES]), {
					maxBytes: 1 << 20
				});
				const finding = await newFinding(t, world, { status: 'action_in_progress' });
				const insert = (size: number) =>
					t.db.inTenant({ tenantId: world.tenantId, userId: null }, (tx) =>
						tx
							.insertInto('evidence')
							.values({
								tenant_id: world.tenantId,
								finding_id: finding.id,
								sha256: stored.sha256,
								size_bytes: size,
								detected_type: 'application/pdf',
								original_name: 'rules.pdf',
								uploaded_by: world.orgUser.userId,
								effective_from: '2026-11-20',
								integrity_status: 'pending'
							})
							.returning('id')
							.executeTakeFirstOrThrow()
					);
				const first = await insert(stored.size);
				const second = await insert(stored.size);
				const third = await insert(stored.size + 1);
				expect(await verifyEvidence(t.db, dir, world.tenantId, first.id)).toMatchObject({
					status: 'verified',
					duplicateOfId: null
				});
				expect(await verifyEvidence(t.db, dir, world.tenantId, first.id)).toBeNull();
				expect(await verifyEvidence(t.db, dir, world.tenantId, second.id)).toMatchObject({
					status: 'verified',
					duplicateOfId: first.id
				});
				expect(await verifyEvidence(t.db, dir, world.tenantId, third.id)).toMatchObject({
					status: 'rejected',
					problem: 'size_mismatch'
				});
				const mails = await t.owner
					.selectFrom('outbox')
					.select(['template', 'to_email'])
					.where('dedupe_key', 'like', 'evidence:%')
					.execute();
				expect(mails.every((m) => m.to_email === world.evaluator.email)).toBe(true);
				expect(mails.map((m) => m.template).sort()).toEqual([
					'evidence.duplicate',
					'evidence.duplicate',
					'evidence.integrity_problem',
					'evidence.ready_for_review',
					'evidence.ready_for_review'
				]);
			} finally {
				await rm(dir, { recursive: true, force: true });
			}
		});
	});
}

describe('mail delivery under failure (postgres, Redis)', () => {
	let t: TestDatabase;
	let world: WorkflowWorld;
	beforeAll(async () => {
		t = await createTestDatabase('postgres');
		world = await newWorkflowWorld(t);
	});
	afterAll(() => t?.drop());

	it('delivers every message of a worker killed with SIGKILL mid-send, duplicates only with the same Message-ID', async () => {
		const smtp = await startSmtp({ delayMs: 150 });
		const rows = await writeMessages(t, world, 30, 'kill');
		const dir = await mkdtemp(join(tmpdir(), 'ct-kill-'));
		const script = join(dir, 'child.mts');
		await writeFile(
			script,
			`import { connectPostgres } from '${ROOT}/src/lib/server/db/connection';
import { AppDatabase } from '${ROOT}/src/lib/server/db/tenant-scope';
import { createMailTransport } from '${ROOT}/src/lib/server/mail/transport';
import { deliverTenantOutbox } from '${ROOT}/src/lib/server/mail/delivery';
const db = new AppDatabase(connectPostgres(process.env.DB!));
const transport = createMailTransport({ smtpUrl: process.env.SMTP!, mailFrom: 'ct@test', dataDir: '/tmp' });
await deliverTenantOutbox(db, transport, process.env.TENANT!, { batch: 10, concurrency: 2 });
`
		);
		let child: ChildProcess | null = null;
		try {
			child = spawn(process.execPath, ['--import', 'tsx', script], {
				cwd: ROOT,
				env: { ...process.env, DB: t.url!, SMTP: smtp.url, TENANT: world.tenantId },
				stdio: ['ignore', 'pipe', 'pipe']
			});
			let output = '';
			child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
			child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
			// The child loads the renderer (MJML, both languages' messages) before its first send.
			await until(() => smtp.received.length >= 4, 45_000).catch((error) => {
				throw new Error(`${(error as Error).message}; child said: ${output}`);
			});
			child.kill('SIGKILL');
			await new Promise((resolve) => child!.once('exit', resolve));
			const afterKill = await t.owner
				.selectFrom('outbox')
				.select('status')
				.where('to_email', 'like', 'kill-%')
				.execute();
			expect(afterKill.filter((r) => r.status === 'sent').length).toBeLessThan(30);
			// Another worker, once the dead one's lease has run out.
			const transport = createMailTransport({
				smtpUrl: smtp.url,
				mailFrom: 'ct@test',
				dataDir: '/tmp'
			});
			const later = new Date(Date.now() + 3 * 60_000);
			await deliverTenantOutbox(t.db, transport, world.tenantId, {
				now: () => later,
				concurrency: 8
			});
			transport.close();
			const final = await t.owner
				.selectFrom('outbox')
				.select(['status', 'message_id'])
				.where('to_email', 'like', 'kill-%')
				.execute();
			expect(final.every((r) => r.status === 'sent')).toBe(true);
			const ids = new Set(rows.map((r) => r.message_id));
			const got = smtp.received.filter((r) => r.to[0]!.startsWith('kill-')).map((r) => r.messageId);
			expect(new Set(got)).toEqual(ids);
			expect(got.every((id) => ids.has(id))).toBe(true);
		} finally {
			child?.kill('SIGKILL');
			await smtp.close();
			await rm(dir, { recursive: true, force: true });
		}
	}, 90_000);

	it('runs through BullMQ, and resumes after its Redis is stopped and restarted, losing nothing', async () => {
		const port = 20_000 + Math.floor(Math.random() * 20_000);
		const dir = await mkdtemp(join(tmpdir(), 'ct-redis-'));
		const startRedis = async () => {
			const server = spawn(
				'redis-server',
				[
					'--port',
					String(port),
					'--bind',
					'127.0.0.1',
					'--save',
					'',
					'--appendonly',
					'yes',
					'--appendfsync',
					'always',
					'--dir',
					dir
				],
				{ stdio: 'ignore' }
			);
			const probe = connectRedis({ url: `redis://127.0.0.1:${port}`, log: () => {} });
			await until(() => probe.available(), 10_000);
			await probe.close();
			return server;
		};
		const stopRedis = (server: ChildProcess) =>
			new Promise((resolve) => {
				server.once('exit', resolve);
				server.kill('SIGTERM');
			});
		const smtp = await startSmtp();
		const prefix = `{ct-test-${randomBytes(4).toString('hex')}}`;
		const redisUrl = `redis://127.0.0.1:${port}`;
		let redis = await startRedis();
		const app: App = testApp(t);
		const transport = createMailTransport({
			smtpUrl: smtp.url,
			mailFrom: 'ct@test',
			dataDir: '/tmp'
		});
		const workers = await startWorkers(app, {
			prefix,
			redisUrl,
			transport,
			schedule: false,
			log: () => {}
		});
		const producer = createProducer({ url: redisUrl, prefix });
		try {
			await until(() => producer.available(), 5_000);
			expect(chaseMode()).toBe('bullmq');
			const first = await writeMessages(t, world, 3, 'bull1');
			expect(
				await requestDeliveries(
					producer,
					world.tenantId,
					first.map((r) => r.id)
				)
			).toBe(true);
			await until(() => smtp.received.filter((r) => r.to[0]!.startsWith('bull1-')).length === 3);
			// A delivery scheduled for later, then Redis goes away.
			const delayed = await writeMessages(t, world, 1, 'bull2');
			await producer.add(
				mailSweep,
				{ tenantId: world.tenantId, window: 'later' },
				{ delay: 1_500, jobId: 'later-sweep' }
			);
			await stopRedis(redis);
			const during = await writeMessages(t, world, 2, 'bull3');
			const started = Date.now();
			expect(
				await requestDeliveries(
					producer,
					world.tenantId,
					during.map((r) => r.id)
				)
			).toBe(false);
			// Refused at once (no offline queue), not held until Redis is back: the bound tells a
			// hang, not a speed, so it leaves a busy machine room.
			expect(Date.now() - started).toBeLessThan(10_000);
			redis = await startRedis();
			// The delayed sweep survived the restart and sends what was written meanwhile.
			await until(
				() => smtp.received.filter((r) => /^bull[23]-/.test(r.to[0]!)).length === 3,
				20_000
			);
			// Sent, then marked: the mark follows the SMTP answer, so wait for it too.
			const sentAll = async () =>
				(
					await t.owner
						.selectFrom('outbox')
						.select('status')
						.where('to_email', 'like', 'bull%')
						.execute()
				).every((r) => r.status === 'sent');
			await until(sentAll, 10_000);
			expect(await sentAll()).toBe(true);
			expect(delayed).toHaveLength(1);
		} finally {
			await producer.close();
			await workers.close();
			await stopRedis(redis);
			await smtp.close();
			await rm(dir, { recursive: true, force: true });
		}
	}, 60_000);
});

describe('the embedded default without Redis', () => {
	let t: TestDatabase;
	beforeAll(async () => {
		t = await createTestDatabase('pglite');
	});
	afterAll(() => t?.drop());

	it('runs the chase on the in-process timer and writes the reminders as .eml files', async () => {
		const world = await newWorkflowWorld(t);
		const today = todayInZone(new Date(), 'Asia/Shanghai');
		const finding = await newFinding(t, world, {
			dueOn: addDays(today, 7),
			raisedOn: addDays(today, -30)
		});
		const dataDir = await mkdtemp(join(tmpdir(), 'ct-embedded-'));
		const url = 'redis://127.0.0.1:1';
		const app: App = {
			...testApp(t),
			config: readConfig({ DATA_DIR: dataDir, REDIS_URL: url }),
			redis: connectRedis({ url, log: () => {} })
		};
		const workers = startInlineWorkers(app);
		try {
			const mail = join(dataDir, 'mail');
			await until(
				async () => (await readdir(mail).catch(() => [])).some((f) => f.endsWith('.eml')),
				20_000
			);
			expect(chaseMode()).toBe('timer');
			const files = (await readdir(mail)).filter((f) => f.endsWith('.eml'));
			const contents = await Promise.all(files.map((f) => readFile(join(mail, f), 'utf8')));
			const reminder = contents.find((c) => c.includes(`/findings/${finding.id}`));
			expect(reminder).toBeDefined();
			expect(reminder).toMatch(/^Message-ID: </m);
			expect(reminder).toMatch(/multipart\/alternative/);
			const sent = await t.owner
				.selectFrom('outbox')
				.select('status')
				.where('link', 'like', `%${finding.id}`)
				.execute();
			expect(sent.length).toBeGreaterThan(0);
		} finally {
			await workers.close();
			await app.redis?.close();
			await rm(dataDir, { recursive: true, force: true });
		}
	}, 40_000);
});
