import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'superjson';
import { signedIn, startDemoApp, type Browserless } from '../support/http';
import type { RunningServer } from '../support/server';
import { newUscc } from '../support/factories';
import { MAX_BATCH_SIZE } from '../../src/lib/server/trpc/handler';
import { todayInZone } from '../../src/lib/server/domain/calendar';

/*
 * The findings page stays light in a big tenant (issue 9): with 700 organisations and a full
 * page of 50 findings its HTML is at most 80 KB, because the organisation filter searches as
 * one types instead of listing every organisation. A byte count, not a time.
 */

const ORGANISATIONS = 700;
const FINDINGS = 50;
const LIMIT = 80 * 1024;

/** tRPC calls of one path, batched into one request as the browser client sends them. */
async function batch(client: Browserless, path: string, inputs: unknown[]): Promise<unknown[]> {
	const body: Record<string, unknown> = {};
	inputs.forEach((input, index) => (body[index] = JSON.parse(stringify(input))));
	const response = await client.fetch(`/api/trpc/${inputs.map(() => path).join(',')}?batch=1`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', origin: client.origin },
		body: JSON.stringify(body)
	});
	if (response.status !== 200)
		throw new Error(`${path}: ${response.status} ${await response.text()}`);
	const answers = (await response.json()) as { result?: { data: unknown }; error?: unknown }[];
	return answers.map((answer) => {
		if (!answer.result) throw new Error(`${path} failed: ${JSON.stringify(answer.error)}`);
		return parse(JSON.stringify(answer.result.data));
	});
}

async function query<T>(client: Browserless, path: string, input: unknown): Promise<T> {
	const encoded = encodeURIComponent(JSON.stringify(JSON.parse(stringify(input))));
	const response = await client.fetch(`/api/trpc/${path}?input=${encoded}`);
	const answer = (await response.json()) as { result: { data: unknown } };
	return parse(JSON.stringify(answer.result.data)) as T;
}

describe('the findings page in a big tenant', () => {
	let server: RunningServer;
	let admin: Browserless;

	beforeAll(async () => {
		server = await startDemoApp();
		admin = await signedIn(server, 'admin@demo.test');
		// Batches as large as the API takes (MAX_BATCH_SIZE).
		for (let start = 0; start < ORGANISATIONS; start += MAX_BATCH_SIZE)
			await batch(
				admin,
				'organisations.create',
				Array.from({ length: MAX_BATCH_SIZE }, (_, n) => ({
					legalName: `厦门市第${start + n + 1}号机电设备维修服务有限公司`,
					uscc: newUscc(),
					address: '福建省厦门市思明区湖滨南路 100 号'
				}))
			);
		// A fresh evaluation the admin leads, with a page's worth of findings.
		const members = await query<{ user_id: string; email: string }[]>(
			admin,
			'members.list',
			undefined
		);
		const me = members.find((member) => member.email === 'admin@demo.test')!;
		const adminId = me.user_id;
		const certificates = await query<{ id: string }[] | { rows: { id: string }[] }>(
			admin,
			'certificates.list',
			{}
		);
		const certificateId = (Array.isArray(certificates) ? certificates : certificates.rows)[0]!.id;
		const today = todayInZone(new Date(), 'Asia/Shanghai');
		const [planned] = (await batch(admin, 'evaluations.plan', [
			{
				kind: 'special',
				certificateId,
				windowStart: today,
				windowEnd: today,
				teamIds: [adminId],
				leadId: adminId
			}
		])) as { id: string; version: number }[];
		await batch(admin, 'evaluations.start', [{ id: planned!.id, version: planned!.version }]);
		for (let start = 0; start < FINDINGS; start += 10)
			await batch(
				admin,
				'findings.raise',
				Array.from({ length: 10 }, (_, n) => ({
					evaluationId: planned!.id,
					kind: 'observation',
					statement: `现场抽查第 ${start + n + 1} 份维修派工单，客户回访记录未注明回访人及回访日期，建议完善记录。`
				}))
			);
	}, 600_000);

	afterAll(async () => {
		await server?.stop();
	});

	it(`is at most ${LIMIT / 1024} KB with ${ORGANISATIONS} organisations and ${FINDINGS} rows`, async () => {
		const response = await admin.fetch('/findings');
		expect(response.status).toBe(200);
		const html = await response.text();
		const rows = html.match(/href="\/findings\/[0-9a-f-]{36}"/g)?.length ?? 0;
		expect(rows).toBe(FINDINGS);
		const bytes = Buffer.byteLength(html);
		console.log(`/findings: ${bytes} bytes for ${rows} rows, ${ORGANISATIONS}+ organisations`);
		expect(bytes).toBeLessThanOrEqual(LIMIT);
		// The organisations are searched for, never all listed.
		expect(html).not.toContain('第700号');
	});

	it('finds the organisation by the name typed, without JavaScript', async () => {
		const html = await (await admin.fetch('/findings?orgname=第7号机电')).text();
		expect(html).toContain('value="厦门市第7号机电设备维修服务有限公司"');
		const several = await (await admin.fetch('/findings?orgname=第70')).text();
		expect(several).toContain('data-testid="organisation-matches"');
		expect(several).toContain('厦门市第700号机电设备维修服务有限公司');
	});

	it('pages the organisation list by keyset with a row count; a bad page link goes to the first page', async () => {
		const seen = new Set<string>();
		let path: string | null = '/organisations?q=' + encodeURIComponent('机电设备维修');
		let pages = 0;
		while (path && pages < 30) {
			const response = await admin.fetch(path);
			expect(response.status).toBe(200);
			const html = await response.text();
			for (const [href] of html.matchAll(/href="\/organisations\/[0-9a-f-]{36}"/g)) seen.add(href);
			expect(html).toContain(`data-testid="list-total"`);
			expect(html).toMatch(/700 in all|共 700 条/);
			path = html.match(/href="([^"]+)" rel="next"/)?.[1]?.replaceAll('&amp;', '&') ?? null;
			pages++;
		}
		expect(pages).toBe(14);
		expect(seen.size).toBe(ORGANISATIONS);
		const stale = await admin.fetch('/organisations?sort=uscc&after=bm90LWEtY3Vyc29y');
		expect(stale.status).toBe(303);
		expect(stale.headers.get('location')).toBe('/organisations?sort=uscc');
	});
});
