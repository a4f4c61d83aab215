import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { buildApp, startBuiltApp, type RunningServer } from '../support/server';
import { BrowserPeople, launchBrowser, open } from '../support/browser';

/*
 * Issue 10 defect 9 in Chromium: the organisation's files upload as soon as they are chosen (the
 * submit button waits for them and counts them), a wrong one is removed before submitting; the
 * reviewer sees the image and the PDF inline, from the sandboxed preview route, and gives a
 * verdict per file, which both sides read; the verdict on the whole submission still closes the
 * finding. Screenshots of the reviewer's page go to /tmp/shots-evidence.
 */

/** The demo's nonconformity whose plan is accepted: it waits for the organisation's evidence. */
const STATEMENT = '未进行现场服务后培训讲解。';
const SHOTS = '/tmp/shots-evidence';
const STEP = 90_000;
/** Chromium's PDF viewer, an extension that renders the PDF inside the frame. */
const PDF_VIEWER = 'chrome-extension://mhjfbmdgcfjbbpaeojofohoefgiehjai/';

/** A real PNG (so that the browser decodes it): `width` × `height` of one colour. */
function png(width: number, height: number, rgb: [number, number, number]): Buffer {
	const crcTable = Array.from({ length: 256 }, (_, n) => {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		return c >>> 0;
	});
	const crc = (bytes: Buffer) => {
		let c = 0xffffffff;
		for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
		return (c ^ 0xffffffff) >>> 0;
	};
	const chunk = (type: string, data: Buffer) => {
		const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
		const length = Buffer.alloc(4);
		length.writeUInt32BE(data.length);
		const sum = Buffer.alloc(4);
		sum.writeUInt32BE(crc(body));
		return Buffer.concat([length, body, sum]);
	};
	const header = Buffer.alloc(13);
	header.writeUInt32BE(width, 0);
	header.writeUInt32BE(height, 4);
	header.set([8, 2, 0, 0, 0], 8);
	const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3).map((_, i) => rgb[i % 3]!)]);
	const pixels = Buffer.concat(Array.from({ length: height }, () => row));
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', header),
		chunk('IDAT', deflateSync(pixels)),
		chunk('IEND', Buffer.alloc(0))
	]);
}

/** A one-page PDF with a line of text and a filled box, cross-reference table and all. */
function pdf(text: string): Buffer {
	const content = `BT /F1 28 Tf 50 700 Td (${text}) Tj ET 0.1 0.3 0.8 rg 50 420 300 200 re f`;
	const objects = [
		'<< /Type /Catalog /Pages 2 0 R >>',
		'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
		'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
		`<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
		'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'
	];
	let out = '%PDF-1.4\n';
	const offsets: number[] = [];
	objects.forEach((object, index) => {
		offsets.push(out.length);
		out += `${index + 1} 0 obj\n${object}\nendobj\n`;
	});
	const xref = out.length;
	out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
	for (const offset of offsets) out += `${String(offset).padStart(10, '0')} 00000 n \n`;
	out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
	return Buffer.from(out, 'latin1');
}

describe('evidence reviewed file by file, in Chromium', () => {
	let server: RunningServer;
	let browser: Browser;
	let people: BrowserPeople;
	let findingPath = '';

	beforeAll(async () => {
		mkdirSync(SHOTS, { recursive: true });
		buildApp();
		server = await startBuiltApp();
		browser = await launchBrowser();
		people = new BrowserPeople(browser, server.origin);
	}, 300_000);

	afterAll(async () => {
		await people?.close();
		await browser?.close();
		await server?.stop();
	});

	const signIn = (email: string, locale: 'en' | 'zh-CN') =>
		people.signIn(email, { locale, width: 1280 });

	it(
		'uploads on choose, holds the submit button while uploading, removes a wrong file, submits',
		async () => {
			const organisation = await signIn('org@demo.test', 'en');
			await open(organisation, '/my-actions');
			const link = organisation
				.locator('li, tr')
				.filter({ hasText: STATEMENT })
				.locator('a[href^="/findings/"]')
				.first();
			findingPath = (await link.getAttribute('href')) ?? '';
			expect(findingPath).toMatch(/^\/findings\//);
			await open(organisation, findingPath);

			const submitForm = organisation.getByRole('form', { name: 'Submit evidence' });
			const submit = submitForm.getByRole('button', { name: /^Submit evidence/ });
			// Nothing uploaded, nothing written: nothing to submit (the "0 files" button of the defect).
			expect(await submit.textContent()).toContain('Submit evidence (0 files)');
			expect(await submit.isDisabled()).toBe(true);

			// Hold the uploads for a moment, so that "still uploading" can be seen.
			let release: () => void = () => {};
			const held = new Promise<void>((resolve) => (release = resolve));
			await organisation.route('**/api/evidence/*', async (route) => {
				await held;
				await route.continue();
			});
			const uploader = organisation.getByRole('form', { name: 'Upload evidence' });
			await uploader.getByLabel('Files', { exact: true }).setInputFiles([
				{ name: 'site-photo.png', mimeType: 'image/png', buffer: png(320, 200, [30, 120, 200]) },
				{
					name: 'training-record.pdf',
					mimeType: 'application/pdf',
					buffer: pdf('Training record')
				},
				{ name: 'wrong-draft.pdf', mimeType: 'application/pdf', buffer: pdf('Old draft') }
			]);
			const chosen = uploader.getByRole('list', { name: 'Chosen files' });
			await chosen.getByRole('listitem').filter({ hasText: 'wrong-draft.pdf' }).waitFor();
			// Each file has its own progress bar and its own cancel button; no upload button.
			expect(await chosen.getByRole('progressbar').count()).toBe(3);
			expect(
				await uploader.getByRole('button', { name: 'Cancel the upload of site-photo.png' }).count()
			).toBe(1);
			expect(await uploader.getByRole('button', { name: /^Upload/ }).count()).toBe(0);
			expect(await submit.isDisabled()).toBe(true);
			expect(await submitForm.textContent()).toContain(
				'Wait until every file has finished uploading.'
			);
			// Typing a note does not release the button while files are uploading.
			await submitForm.getByRole('textbox', { name: /^Note/ }).fill('Training records of May.');
			expect(await submit.isDisabled()).toBe(true);

			release();
			await uploader.getByRole('status').filter({ hasText: '3 accepted, 0 refused.' }).waitFor();
			await submitForm
				.getByRole('button', { name: 'Submit evidence (3 files)' })
				.and(organisation.locator(':enabled'))
				.waitFor();
			await organisation.unroute('**/api/evidence/*');

			// The wrong one is taken back, after a question; the count follows.
			await organisation.getByRole('button', { name: 'Remove wrong-draft.pdf' }).click();
			const dialog = organisation.getByTestId('confirm-dialog');
			expect(await dialog.textContent()).toContain('Remove “wrong-draft.pdf”?');
			await dialog.getByRole('button', { name: 'Remove' }).click();
			await organisation.getByRole('status').filter({ hasText: 'The file is removed.' }).waitFor();
			await submitForm.getByRole('button', { name: 'Submit evidence (2 files)' }).waitFor();
			expect(await organisation.getByRole('link', { name: 'wrong-draft.pdf' }).count()).toBe(0);

			// In Chinese, the same button counts the same files.
			const inChinese = await signIn('org@demo.test', 'zh-CN');
			await open(inChinese, findingPath);
			expect(
				await inChinese.getByRole('button', { name: '提交证据（2 个文件）' }).isEnabled()
			).toBe(true);
			expect(await inChinese.getByRole('button', { name: '移除 site-photo.png' }).count()).toBe(1);

			await submitForm.getByRole('textbox', { name: /^Note/ }).fill('Training records of May.');
			await submitForm.getByRole('button', { name: 'Submit evidence (2 files)' }).click();
			await organisation
				.getByRole('status')
				.filter({ hasText: 'The evidence was submitted' })
				.waitFor();
			// Submitted files can no longer be removed.
			expect(await organisation.getByRole('button', { name: /^Remove / }).count()).toBe(0);
		},
		STEP
	);

	it(
		'shows the reviewer the image and the PDF inline, sandboxed, and takes a verdict per file',
		async () => {
			const evaluator = await signIn('evaluator@demo.test', 'zh-CN');
			await open(evaluator, findingPath);

			const image = evaluator.getByRole('img', { name: 'site-photo.png 的预览' });
			await image.waitFor();
			await expect
				.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
				.toBe(320);
			const frame = evaluator.getByTitle('training-record.pdf 的预览');
			await frame.waitFor();
			// The PDF renders inside the page, in Chromium's viewer, under the preview's CSP sandbox.
			await expect
				.poll(() => evaluator.frames().some((f) => f.url().startsWith(PDF_VIEWER)), {
					timeout: 15_000
				})
				.toBe(true);

			const src = (await frame.getAttribute('src')) ?? '';
			expect(src).toMatch(/^\/api\/evidence\/file\/[0-9a-f-]{36}\/preview$/);
			const preview = await evaluator.request.get(`${server.origin}${src}`);
			expect(preview.status()).toBe(200);
			expect(preview.headers()).toMatchObject({
				'content-type': 'application/pdf',
				'x-content-type-options': 'nosniff',
				'cache-control': 'private, no-store',
				'cross-origin-resource-policy': 'same-origin',
				'x-frame-options': 'SAMEORIGIN'
			});
			expect(preview.headers()['content-disposition']).toMatch(/^inline;/);
			expect(preview.headers()['content-security-policy']).toMatch(/^sandbox; default-src 'none'/);

			// The viewer draws the page a moment after it loads.
			await evaluator.waitForTimeout(1500);
			await frame.scrollIntoViewIfNeeded();
			await evaluator.screenshot({ path: `${SHOTS}/reviewer-1280-viewport.png` });
			await frame.screenshot({ path: `${SHOTS}/pdf-preview-1280.png` });
			await evaluator.screenshot({ path: `${SHOTS}/reviewer-1280.png`, fullPage: true });
			await evaluator.setViewportSize({ width: 390, height: 844 });
			await evaluator.waitForTimeout(1500);
			await image.scrollIntoViewIfNeeded();
			await evaluator.screenshot({ path: `${SHOTS}/reviewer-390-viewport.png` });
			await evaluator.screenshot({ path: `${SHOTS}/reviewer-390.png`, fullPage: true });
			const overflow = await evaluator.evaluate(
				() => document.documentElement.scrollWidth - document.documentElement.clientWidth
			);
			expect(overflow).toBeLessThanOrEqual(0);
			await evaluator.setViewportSize({ width: 1280, height: 900 });

			// A rejection needs its note; the message is in the reviewer's language.
			const pdfVerdict = evaluator.getByRole('form', { name: '对 training-record.pdf 的评定' });
			await pdfVerdict.getByRole('button', { name: '退回此文件' }).click();
			await pdfVerdict
				.getByText('退回文件时请说明原因，获证组织会看到。')
				.filter({ visible: true })
				.first()
				.waitFor();
			await pdfVerdict.getByRole('textbox', { name: /对此文件的说明/ }).fill('缺少培训签到页。');
			await pdfVerdict.getByRole('button', { name: '退回此文件' }).click();
			await evaluator.getByRole('status').filter({ hasText: '已保存对该文件的评定。' }).waitFor();

			const imageVerdict = evaluator.getByRole('form', { name: '对 site-photo.png 的评定' });
			await imageVerdict.getByRole('button', { name: '接受此文件' }).click();
			await evaluator.getByTestId('file-verdict').filter({ hasText: '已接受' }).first().waitFor();
			const verdicts = await evaluator.getByTestId('file-verdict').allTextContents();
			expect(verdicts.join(' ')).toContain('已接受');
			expect(verdicts.join(' ')).toContain('已退回');
			expect(verdicts.join(' ')).toContain('缺少培训签到页。');
		},
		STEP
	);

	it(
		'shows the per-file verdicts to the organisation, and the whole verdict still closes the finding',
		async () => {
			const organisation = await signIn('org@demo.test', 'en');
			await open(organisation, findingPath);
			const verdicts = (await organisation.getByTestId('file-verdict').allTextContents()).join(' ');
			expect(verdicts).toContain('Accepted');
			expect(verdicts).toContain('Rejected');
			expect(verdicts).toContain('缺少培训签到页。');
			// The organisation reads verdicts; it gives none.
			expect(await organisation.getByRole('button', { name: 'Accept file' }).count()).toBe(0);
			await organisation.screenshot({ path: `${SHOTS}/organisation-1280.png`, fullPage: true });

			const evaluator = await signIn('evaluator@demo.test', 'en');
			await open(evaluator, findingPath);
			const review = evaluator.getByRole('form', { name: 'Verify the submitted evidence' });
			await review.getByRole('button', { name: 'Verify effective and close' }).click();
			const dialog = evaluator.getByTestId('confirm-dialog');
			await dialog.getByRole('button', { name: 'Verify effective and close' }).click();
			await evaluator.getByTestId('finding-status').filter({ hasText: 'Closed' }).waitFor();
			// A judged submission's files keep their verdicts and take no new ones.
			expect(await evaluator.getByRole('button', { name: 'Accept file' }).count()).toBe(0);
			expect((await evaluator.getByTestId('file-verdict').allTextContents()).join(' ')).toContain(
				'Rejected'
			);
		},
		STEP
	);
});
