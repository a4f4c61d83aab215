import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { signedIn, startDemoApp, type Browserless } from '../support/http';
import type { RunningServer } from '../support/server';
import { PDF_BYTES } from '../support/evidence-factories';
import { todayInZone } from '../../src/lib/server/domain/calendar';
import { translate } from '../../src/lib/server/i18n/translate';

/*
 * Issue 9 item 5: the built server started directly (`node build/index.js`, as a container does,
 * without scripts/start.js) takes the same evidence uploads, and a body over the server's limit
 * is refused as too large, with the limit, in the user's language: never as "interrupted".
 */

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const MIB = 1024 * 1024;
/** A PDF of just over 1 MiB (over adapter-node's own 512K default). */
const ONE_MIB_PDF = Buffer.concat([
	PDF_BYTES.subarray(0, 64),
	Buffer.alloc(MIB, 0x20),
	PDF_BYTES.subarray(64)
]);

/** NC-1 of the demo evaluation with four findings: open, and its organisation's to answer. */
async function openFindingOf(server: RunningServer): Promise<string> {
	const evaluator = await signedIn(server, 'evaluator@demo.test');
	const evaluations = await (await evaluator.fetch('/evaluations')).text();
	const evaluationIds = new Set(
		[...evaluations.matchAll(new RegExp(`href="/evaluations/(${UUID})"`, 'g'))].map((m) => m[1]!)
	);
	for (const evaluationId of evaluationIds) {
		const list = await (await evaluator.fetch(`/findings?evaluation=${evaluationId}`)).text();
		const found = new Map<string, string>();
		for (const match of list.matchAll(
			new RegExp(`href="/findings/(${UUID})"[^>]*>(?:<!--[^>]*-->)*\\s*\\d{4}-S\\d+-(NC-\\d+)`, 'g')
		))
			found.set(match[2]!, match[1]!);
		if (found.size === 4) return found.get('NC-1')!;
	}
	throw new Error('no demo evaluation with four findings');
}

function evidenceForm(bytes: Buffer, name: string): FormData {
	const form = new FormData();
	form.append('effective_from', todayInZone(new Date(), 'Asia/Shanghai'));
	form.append('files', new Blob([new Uint8Array(bytes)], { type: 'application/pdf' }), name);
	return form;
}

async function upload(
	server: RunningServer,
	client: Browserless,
	findingId: string,
	form: FormData
) {
	const response = await client.fetch(`/api/evidence/${findingId}`, {
		method: 'POST',
		body: form,
		headers: { origin: server.origin, accept: 'application/json' }
	});
	return {
		status: response.status,
		body: (await response.json()) as { files: { ok: boolean; error?: string }[]; error?: string }
	};
}

describe('evidence uploads on the built server started directly', () => {
	let server: RunningServer;
	let org: Browserless;
	let findingId: string;

	beforeAll(async () => {
		// No BODY_SIZE_LIMIT from the outside: the built entry's default applies.
		server = await startDemoApp({ BODY_SIZE_LIMIT: undefined, EVIDENCE_MAX_MB: undefined });
		org = await signedIn(server, 'org@demo.test');
		findingId = await openFindingOf(server);
	}, 300_000);
	afterAll(() => server?.stop());

	it('takes a 1 MiB file', async () => {
		const answer = await upload(
			server,
			org,
			findingId,
			evidenceForm(ONE_MIB_PDF, 'large-scan.pdf')
		);
		expect(answer.status).toBe(200);
		expect(answer.body.files).toMatchObject([{ name: 'large-scan.pdf', ok: true }]);
	});

	it('refuses a request declared over the limit as too large, with the limit', async () => {
		const { status, body } = await new Promise<{ status: number; body: string }>(
			(resolve, reject) => {
				const req = request(`${server.origin}/api/evidence/${findingId}`, {
					method: 'POST',
					headers: {
						origin: server.origin,
						accept: 'application/json',
						cookie: org.cookieHeader,
						'content-type': 'multipart/form-data; boundary=x',
						'content-length': String(300 * MIB)
					}
				});
				req.on('response', (response) => {
					let text = '';
					response.on('data', (chunk) => (text += chunk));
					response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
				});
				// The server answers before the body; it closes the connection after.
				req.on('error', reject);
				req.write(Buffer.alloc(64 * 1024));
			}
		);
		expect(status).toBe(413);
		expect(JSON.parse(body).error).toBe(
			translate('evidence_request_too_large', 'zh-CN', { limit: '25 MB', max: 10 })
		);
	});
});

describe('evidence uploads over a lower BODY_SIZE_LIMIT set by the operator', () => {
	let server: RunningServer;
	let org: Browserless;
	let findingId: string;

	beforeAll(async () => {
		server = await startDemoApp({ BODY_SIZE_LIMIT: '512K' });
		org = await signedIn(server, 'org@demo.test');
		findingId = await openFindingOf(server);
	}, 300_000);
	afterAll(() => server?.stop());

	it('refuses a 1 MiB file as too large for the server, in the user language (413)', async () => {
		const chinese = await upload(server, org, findingId, evidenceForm(ONE_MIB_PDF, 'scan.pdf'));
		expect(chinese.status).toBe(413);
		expect(chinese.body.error).toBe(
			translate('evidence_body_too_large', 'zh-CN', { limit: '512 KB' })
		);
		// Nothing of it was kept: the body was refused before any file was whole.
		expect(chinese.body.files.filter((file) => file.ok)).toEqual([]);

		org.setCookie('PARAGLIDE_LOCALE', 'en');
		const english = await upload(server, org, findingId, evidenceForm(ONE_MIB_PDF, 'scan.pdf'));
		expect(english.status).toBe(413);
		expect(english.body.error).toBe(
			translate('evidence_body_too_large', 'en', { limit: '512 KB' })
		);
		expect(english.body.error).not.toBe(translate('evidence_interrupted', 'en'));
	});
});
