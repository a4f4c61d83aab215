import { describe, expect, it } from 'vitest';
import { getDocument, OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { fontSubset } from '../../src/lib/server/pdf/fonts';
import { cmapOf } from '../../src/lib/server/pdf/font-merge';
import { renderPdf } from '../../src/lib/server/pdf/document-pdf';
import { pdfText } from '../support/pdf';

/*
 * Rare characters in printed documents: Noto Sans SC's common characters are one file of
 * @fontsource/noto-sans-sc, the rest ~100 unicode-range files. Every character the family has
 * gets its glyph: in the document's subset font, and in the PDF, where PDF.js (reading the PDF
 * as a viewer does) finds each glyph drawn in the embedded font, in both weights, rather than a
 * blank .notdef. 𠮷 (U+20BB7, CJK Extension B) is not in Noto Sans SC at all.
 */

// In the common file: 鑫 犇 淼; only in the unicode-range files: 龃 鹀 龆 鸲.
const COMMON = '鑫犇淼';
const RARE = '龃鹀龆鸲';
const ABSENT = '𠮷';

/** Each character PDF.js draws, per font: whether every glyph of it was in that font. */
async function drawnGlyphs(bytes: Uint8Array): Promise<Map<string, boolean>> {
	const pdf = await getDocument({
		data: new Uint8Array(bytes),
		isEvalSupported: false,
		useSystemFonts: false,
		verbosity: 0
	}).promise;
	const page = await pdf.getPage(1);
	const operators = await page.getOperatorList();
	const drawn = new Map<string, boolean>();
	let font = '';
	for (let i = 0; i < operators.fnArray.length; i++) {
		if (operators.fnArray[i] === OPS.setFont) font = String(operators.argsArray[i][0]);
		if (operators.fnArray[i] !== OPS.showText) continue;
		for (const glyph of operators.argsArray[i][0] as unknown[]) {
			if (!glyph || typeof glyph !== 'object') continue;
			const { unicode, isInFont } = glyph as { unicode?: string; isInFont?: boolean };
			if (!unicode) continue;
			const key = `${font} ${unicode}`;
			drawn.set(key, (drawn.get(key) ?? true) && isInFont === true);
		}
	}
	await pdf.destroy();
	return drawn;
}

describe('CJK glyphs of printed documents', () => {
	for (const weight of ['regular', 'bold'] as const)
		it(`maps common and rare characters to glyphs of the subset font (${weight})`, async () => {
			const font = await fontSubset(weight, `证书 ${COMMON}${RARE}${ABSENT} Latin 2026`);
			const cmap = cmapOf(font);
			for (const char of `证书${COMMON}${RARE}Latin2026`)
				expect(cmap.get(char.codePointAt(0)!) ?? 0, char).toBeGreaterThan(0);
			// Not in the family: no glyph, nothing invented.
			expect(cmap.has(ABSENT.codePointAt(0)!)).toBe(false);
			// Still a subset: a few dozen characters, not the family's thousands.
			expect(cmap.size).toBeLessThan(60);
		});

	it('draws common and rare characters from the embedded fonts of a generated PDF', async () => {
		const name = `${COMMON}${RARE}科技有限公司`;
		const bytes = await renderPdf({
			title: `证书 ${name}`,
			bodyName: '示范认证机构',
			logo: null,
			blocks: [
				// A heading is set in bold, a paragraph in regular: both weights draw them.
				{ kind: 'heading', text: name },
				{ kind: 'paragraph', text: `获证组织：${name}（${ABSENT}）` }
			],
			qr: null,
			footer: '验证码 ABCD-1234',
			pageLabel: '第 {page} 页，共 {pages} 页',
			language: 'zh-CN',
			generatedAt: new Date('2026-12-07T00:00:00Z'),
			code: 'ABCD-1234'
		});
		const text = await pdfText(bytes);
		for (const char of `${COMMON}${RARE}`) expect(text, char).toContain(char);
		const drawn = await drawnGlyphs(bytes);
		const fonts = new Set([...drawn.keys()].map((key) => key.split(' ')[0]));
		expect(fonts.size).toBeGreaterThanOrEqual(2);
		for (const font of fonts)
			for (const char of `${COMMON}${RARE}`)
				expect(drawn.get(`${font} ${char}`), `${char} in ${font}`).toBe(true);
	});
});
