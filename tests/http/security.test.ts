import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browserless, DEMO_PASSWORD, signedIn, startDemoApp } from '../support/http';
import { buildApp, type RunningServer } from '../support/server';
import { ADDRESS_POLICY } from '../../src/lib/server/domain/login-throttle';

/*
 * Issue 8 items 13, 19 and 22 through the built app: where sign-in sends a person, the headers
 * every answer carries, and which client address the sign-in limit counts.
 */

const HTTPS_ORIGIN = 'https://certs.example.test';

const form = (fields: Record<string, string>) => new URLSearchParams(fields);

async function postLogin(
	client: Browserless,
	query: string,
	fields: Record<string, string>,
	headers: Record<string, string> = {}
) {
	return client.fetch(`/login${query}`, {
		method: 'POST',
		body: form(fields),
		headers: {
			origin: client.origin,
			accept: 'text/html',
			'content-type': 'application/x-www-form-urlencoded',
			...headers
		}
	});
}

/** `count` wrong sign-ins at once, each for its own email, each claiming its own X-Forwarded-For. */
async function spray(
	server: RunningServer,
	count: number,
	origin = server.origin
): Promise<number[]> {
	const answers = await Promise.all(
		Array.from({ length: count }, (_, i) =>
			postLogin(
				new Browserless(server.origin),
				'',
				{ email: `spray-${i}@nowhere.test`, password: 'wrong-password-1' },
				{ 'x-forwarded-for': `198.51.100.${i + 1}`, origin }
			)
		)
	);
	return answers.map((answer) => answer.status);
}

describe('security of the built app (plain http ORIGIN)', () => {
	let server: RunningServer;

	beforeAll(async () => {
		buildApp();
		server = await startDemoApp();
	}, 300_000);

	afterAll(async () => {
		await server?.stop();
	});

	// Item 13: `/%5Cevil.example/` came back as `Location: /\evil.example/`, and CR LF as a 500.
	it.each([
		'/%5Cevil.example/',
		'/%09/evil.example/',
		'//evil.example',
		'https://evil.example',
		'/.//evil.example',
		'/dashboard%0d%0aSet-Cookie:%20planted=1'
	])('after sign-in, next=%s leads to /dashboard', async (next) => {
		const client = new Browserless(server.origin);
		const answer = await postLogin(client, `?next=${next}`, {
			email: 'admin@demo.test',
			password: DEMO_PASSWORD
		});
		expect(answer.status).toBe(303);
		expect(answer.headers.get('location')).toBe('/dashboard');
		expect(answer.headers.getSetCookie().some((line) => line.startsWith('planted'))).toBe(false);
	});

	it('after sign-in, a path of this site in next is kept', async () => {
		const client = new Browserless(server.origin);
		const answer = await postLogin(client, `?next=${encodeURIComponent('/findings?sort=due')}`, {
			email: 'admin@demo.test',
			password: DEMO_PASSWORD
		});
		expect(answer.status).toBe(303);
		expect(answer.headers.get('location')).toBe('/findings?sort=due');
	});

	// Item 19.
	it('a page carries a CSP with a script nonce and no framing, nosniff and a referrer policy', async () => {
		const answer = await new Browserless(server.origin).fetch('/login');
		expect(answer.status).toBe(200);
		const csp = answer.headers.get('content-security-policy') ?? '';
		expect(csp).toContain("frame-ancestors 'none'");
		expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
		expect(csp).toContain("object-src 'none'");
		expect(csp).toContain("base-uri 'self'");
		expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
		const html = await answer.text();
		const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
		expect(html).toContain(`nonce="${nonce}"`);
		expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
		expect(answer.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
		expect(answer.headers.get('x-frame-options')).toBe('DENY');
		// ORIGIN is http here: no HSTS.
		expect(answer.headers.get('strict-transport-security')).toBeNull();
	});

	it('signed-in pages and tRPC answers are not stored; API answers get a deny-all CSP', async () => {
		const admin = await signedIn(server, 'admin@demo.test');
		for (const path of ['/dashboard', '/findings', '/organisations']) {
			const page = await admin.fetch(path);
			expect(page.status).toBe(200);
			expect(page.headers.get('cache-control')).toBe('no-store');
			expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
		}
		const trpc = await admin.fetch('/api/trpc/auth.me');
		expect(trpc.headers.get('cache-control')).toBe('no-store');
		expect(trpc.headers.get('x-content-type-options')).toBe('nosniff');
		expect(trpc.headers.get('content-security-policy')).toBe(
			"default-src 'none'; frame-ancestors 'none'"
		);
		const signedOut = await new Browserless(server.origin).fetch('/api/trpc/auth.me');
		expect(signedOut.headers.get('cache-control')).toBe('no-store');
	});

	// Item 22, last in this app: it uses up the limit of the test's own address.
	it(`ignores X-Forwarded-For unless configured: ${ADDRESS_POLICY.refuseAfter} failures from one connection address, then 429`, async () => {
		const statuses = await spray(server, ADDRESS_POLICY.refuseAfter + 5);
		expect(statuses.filter((status) => status === 400)).toHaveLength(ADDRESS_POLICY.refuseAfter);
		expect(statuses.filter((status) => status === 429)).toHaveLength(5);
	}, 60_000);
});

describe('security of the built app (https ORIGIN behind a proxy)', () => {
	let server: RunningServer;

	beforeAll(async () => {
		buildApp();
		server = await startDemoApp({
			ORIGIN: HTTPS_ORIGIN,
			ADDRESS_HEADER: 'x-forwarded-for',
			XFF_DEPTH: '1'
		});
	}, 300_000);

	afterAll(async () => {
		await server?.stop();
	});

	it('sends HSTS when ORIGIN is https', async () => {
		const answer = await new Browserless(server.origin).fetch('/login');
		expect(answer.headers.get('strict-transport-security')).toBe(
			'max-age=31536000; includeSubDomains'
		);
	});

	it('counts the address the configured proxy header names', async () => {
		const statuses = await spray(server, ADDRESS_POLICY.refuseAfter + 5, HTTPS_ORIGIN);
		// Every failure came from its own address: none is refused.
		expect(statuses.every((status) => status === 400)).toBe(true);
	}, 60_000);
});
