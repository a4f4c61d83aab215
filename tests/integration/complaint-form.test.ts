import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { testApp } from '../support/factories';
import { newWorkflowWorld } from '../support/workflow-factories';
import type { App } from '../../src/lib/server/app';
import type { Locale } from '../../db/schema';
import { postComplaint, publicAddress } from '../support/complaint-form';

/*
 * Issue 13 item 4's asked test: the public complaint form refuses the honeypot (thanked like a
 * person, nothing stored, no email) and the rate limit (five posts an hour per address, then a
 * clear 429 in the visitor's language with what they typed sent back, nothing stored), through
 * the certificate page's real form action. The action is the same on PGlite and PostgreSQL (the
 * service's own tests run on both): PGlite only here.
 */

const runtime = vi.hoisted(() => ({ app: null as App | null }));
vi.mock('$lib/server/runtime', () => ({ runtimeApp: async () => runtime.app }));
const { actions } = await import('../../src/routes/verify/[slug]/[number]/+page.server');
const bodyPage = await import('../../src/routes/verify/[slug]/+page.server');

describe('the public complaint form', () => {
	let t: TestDatabase;
	let slug: string;
	let number: string;

	beforeAll(async () => {
		t = await createTestDatabase('pglite');
		runtime.app = testApp(t);
		const world = await newWorkflowWorld(t);
		({ slug, number } = await publicAddress(t, world));
	}, 120_000);

	afterAll(async () => {
		await t?.drop();
	});

	function post(
		fields: Record<string, string>,
		options: { address: string; locale?: Locale; page?: 'certificate' | 'body' }
	) {
		const body = options.page === 'body';
		return postComplaint(body ? bodyPage.actions.complain! : actions.complain!, {
			slug,
			number: body ? undefined : number,
			fields,
			locale: options.locale,
			address: options.address
		});
	}

	const person = (email: string) => ({
		name: 'Li Hua',
		email,
		phone: '',
		body: 'The engineer never came.'
	});
	const stored = (email: string) =>
		t.owner.selectFrom('complaints').select('id').where('complainant_email', '=', email).execute();
	const mailed = (email: string) =>
		t.owner.selectFrom('outbox').select('id').where('to_email', '=', email).execute();

	it("files a person's complaint about the page's certificate and gives the reference", async () => {
		const { answer } = await post(
			{ ...person('li@example.test'), certificateNumber: 'SOMETHING-ELSE' },
			{ address: '198.51.100.1' }
		);
		expect(answer).toMatchObject({ form: 'complaint', filed: true });
		expect(answer.reference).toMatch(/^C-/);
		const [row] = await t.owner
			.selectFrom('complaints')
			.innerJoin('certificates', 'certificates.id', 'complaints.certificate_id')
			.select(['certificates.number', 'complaints.reference'])
			.where('complainant_email', '=', 'li@example.test')
			.execute();
		// The page's certificate, whatever the form posted.
		expect(row).toEqual({ number, reference: answer.reference });
		expect(await mailed('li@example.test')).toHaveLength(1);
	});

	it('thanks a bot that filled the hidden field like a person, and stores and mails nothing', async () => {
		const { answer } = await post(
			{ ...person('bot@example.test'), website: 'https://cheap-pills.example' },
			{ address: '198.51.100.2' }
		);
		expect(answer).toEqual({ form: 'complaint', filed: true, reference: null });
		expect(await stored('bot@example.test')).toEqual([]);
		expect(await mailed('bot@example.test')).toEqual([]);
	});

	it("refuses bad input with the field's message in the visitor's language", async () => {
		const en = await post({ name: '', email: 'x', body: '' }, { address: '198.51.100.3' });
		expect(en.answer.status).toBe(400);
		expect(en.answer.data!.errors).toMatchObject({
			name: 'Enter your name.',
			body: 'Describe what happened.'
		});
		const zh = await post(
			{ ...person('zh@example.test'), certificateNumber: 'NO-SUCH-NUMBER' },
			{ address: '198.51.100.3', locale: 'zh-CN', page: 'body' }
		);
		expect(zh.answer.status).toBe(400);
		expect(zh.answer.data!.errors.certificateNumber).toBe(
			'本机构没有编号为 NO-SUCH-NUMBER 的证书。请核对编号，或留空。'
		);
		expect(await stored('zh@example.test')).toEqual([]);
	});

	it('refuses the sixth post of an hour from one address, keeping what was typed', async () => {
		const address = '203.0.113.9';
		// Five posts of any kind (a bot's, a mistyped one) use the hour's allowance.
		await post({ ...person('a1@example.test'), website: 'x' }, { address });
		await post({ name: '', email: '', body: '' }, { address });
		for (const n of [3, 4, 5]) {
			const { answer } = await post(person(`a${n}@example.test`), { address });
			expect(answer.filed).toBe(true);
		}
		const { answer, headers } = await post(person('a6@example.test'), { address });
		expect(answer.status).toBe(429);
		expect(answer.data!.errors._).toBe(
			'Too many complaints from your address. Try again in 60 minutes.'
		);
		expect(answer.data!.values).toMatchObject({ name: 'Li Hua', body: 'The engineer never came.' });
		expect(Number(headers['retry-after'])).toBeGreaterThan(3500);
		expect(await stored('a6@example.test')).toEqual([]);
		expect(await mailed('a6@example.test')).toEqual([]);
		// In Chinese too; and another address is not held back.
		const zh = await post(person('a7@example.test'), { address, locale: 'zh-CN' });
		expect(zh.answer.data!.errors._).toBe('您所在地址提交的投诉过多，请在 60 分钟后重试。');
		const other = await post(person('b1@example.test'), { address: '203.0.113.10' });
		expect(other.answer.filed).toBe(true);
	});
});
