import { describe, expect, it } from 'vitest';
import {
	batchSize,
	handleTrpcRequest,
	MAX_BATCH_SIZE,
	MAX_BODY_BYTES
} from '../../src/lib/server/trpc/handler';
import type { TrpcContext } from '../../src/lib/server/trpc/context';
import type { Locale } from '../../db/schema';

/*
 * Issue 8 item 12: a batch of 200 `members.add` calls took 8–16 s and nothing bounded the body.
 * Both limits answer before any procedure runs, so no app is needed behind them.
 */
const ORIGIN = 'https://certs.example.com';
const context = (locale: Locale = 'en') =>
	({ app: null, person: null, actor: null, locale }) as unknown as TrpcContext;

function batchPost(calls: number, body: BodyInit = '{}', headers: Record<string, string> = {}) {
	const paths = Array.from({ length: calls }, () => 'members.add').join(',');
	return new Request(`${ORIGIN}/api/trpc/${paths}?batch=1`, {
		method: 'POST',
		body,
		headers: { 'content-type': 'application/json', origin: ORIGIN, ...headers },
		duplex: 'half'
	} as RequestInit);
}

describe('tRPC request limits', () => {
	it('counts the calls of a batch, and a plain call as one', () => {
		expect(batchSize(batchPost(7))).toBe(7);
		expect(batchSize(new Request(`${ORIGIN}/api/trpc/a%2Cb%2Cc?batch=1`))).toBe(3);
		expect(batchSize(new Request(`${ORIGIN}/api/trpc/members.add`))).toBe(1);
	});

	it(`refuses a batch of ${MAX_BATCH_SIZE + 1} calls with 400 and a message in the user's language`, async () => {
		const en = await handleTrpcRequest(batchPost(MAX_BATCH_SIZE + 1), context('en'));
		expect(en.status).toBe(400);
		expect(await en.json()).toEqual({
			error: {
				code: 'BAD_REQUEST',
				message: `This request bundles ${MAX_BATCH_SIZE + 1} calls; at most ${MAX_BATCH_SIZE} are allowed in one request.`
			}
		});
		const zh = await handleTrpcRequest(batchPost(200), context('zh-CN'));
		expect(zh.status).toBe(400);
		expect(((await zh.json()) as { error: { message: string } }).error.message).toBe(
			`此请求合并了 200 个调用，一次请求最多允许 ${MAX_BATCH_SIZE} 个。`
		);
	});

	it('a GET batch is counted too', async () => {
		const paths = Array.from({ length: 50 }, () => 'auth.me').join(',');
		const response = await handleTrpcRequest(
			new Request(`${ORIGIN}/api/trpc/${paths}?batch=1&input={}`),
			context()
		);
		expect(response.status).toBe(400);
	});

	it(`lets a batch of ${MAX_BATCH_SIZE} calls through to tRPC`, async () => {
		const paths = Array.from({ length: MAX_BATCH_SIZE }, () => 'no.such.procedure').join(',');
		const response = await handleTrpcRequest(
			new Request(`${ORIGIN}/api/trpc/${paths}?batch=1`, {
				method: 'POST',
				body: '{}',
				headers: { 'content-type': 'application/json', origin: ORIGIN }
			}),
			context()
		);
		// tRPC itself answers, one error per unknown procedure.
		const body = (await response.json()) as unknown[];
		expect(body).toHaveLength(MAX_BATCH_SIZE);
	});

	it('refuses a body declared larger than the limit with 413, unread', async () => {
		const response = await handleTrpcRequest(
			batchPost(1, 'x'.repeat(MAX_BODY_BYTES + 1)),
			context()
		);
		expect(response.status).toBe(413);
		expect(((await response.json()) as { error: { message: string } }).error.message).toBe(
			'This request is too large: at most 1 MB are accepted.'
		);
	});

	it('refuses a chunked body that grows past the limit with 413, without reading it all', async () => {
		let pulled = 0;
		const chunk = new Uint8Array(64 * 1024).fill(0x20);
		const endless = new ReadableStream<Uint8Array>({
			pull(controller) {
				pulled++;
				controller.enqueue(chunk);
			}
		});
		const response = await handleTrpcRequest(batchPost(1, endless), context('zh-CN'));
		expect(response.status).toBe(413);
		expect(pulled).toBeLessThan(MAX_BODY_BYTES / chunk.byteLength + 5);
	});
});
