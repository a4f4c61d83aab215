import { describe, expect, it } from 'vitest';
import * as fontkit from 'fontkit';
import { getDocument, OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { fontSubset } from '../../src/lib/server/pdf/fonts';
import { renderPdf } from '../../src/lib/server/pdf/document-pdf';
import { pdfText } from '../support/pdf';

/*
 * Rare characters in printed documents: Noto Sans SC's common characters are one file of
 * @fontsource/noto-sans-sc, the rest ~100 unicode-range files. Every character the family has
 * gets its glyph (read back from the subset font by fontkit, and from the PDF by PDF.js: drawn
 * from the embedded font, not a blank .notdef); 𠮷 (U+20BB7, CJK Extension B) is not in Noto
 * Sans SC at all.
 */

// In the common file: 鑫 犇 淼; only in the unicode-range files: 龃 鹀 龆 鸲.
const COMMON = '鑫犇淼';
const RARE = '龃鹀龆鸲';
const ABSENT = '𠮷';

describe('CJK glyphs of printed documents', () => {
	for (const weight of ['regular', 'bold'] as const)
		it(`embeds a drawn glyph for common and rare characters (${weight})`, async () => {
			const font = fontkit.create(
				await fontSubset(weight, `证书 ${COMMON}${RARE}${ABSENT} Latin 2026`)
			) as fontkit.Font;
			for (const char of `证书${COMMON}${RARE}Latin2026`) {
				const code = char.codePointAt(0)!;
				expect(font.hasGlyphForCodePoint(code), char).toBe(true);
				const glyph = font.glyphForCodePoint(code);
				expect(glyph.id, char).toBeGreaterThan(0);
				expect(glyph.path.commands.length, char).toBeGreaterThan(0);
				expect(glyph.advanceWidth, char).toBeGreaterThan(0);
			}
			// Not in the family: no glyph, nothing invented.
			expect(font.hasGlyphForCodePoint(ABSENT.codePointAt(0)!)).toBe(false);
			// Still a subset: a few dozen glyphs, not the family's thousands.
			expect(font.numGlyphs).toBeLessThan(60);
		});

	it('keeps the font of a common text as it was (one file, nothing joined)', async () => {
		const font = fontkit.create(
			await fontSubset('regular', '认证证书 Certificate')
		) as fontkit.Font;
		expect(font.hasGlyphForCodePoint('证'.codePointAt(0)!)).toBe(true);
		expect(Object.keys(font.directory.tables)).toContain('GPOS');
	});

	it('draws the rare characters in a generated PDF from its embedded font', async () => {
		const name = `${COMMON}${RARE}科技有限公司`;
		const bytes = await renderPdf({
			title: `证书 ${name}`,
			bodyName: '示范认证机构',
			logo: null,
			blocks: [
				{ kind: 'heading', text: name },
				{ kind: 'paragraph', text: `获证组织：${name}（${ABSENT}）` },
				{ kind: 'facts', rows: [['组织', name]] }
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
		// Each glyph PDF.js draws of those characters is in the embedded font (not .notdef).
		const pdf = await getDocument({
			data: new Uint8Array(bytes),
			isEvalSupported: false,
			useSystemFonts: false,
			verbosity: 0
		}).promise;
		const page = await pdf.getPage(1);
		const operators = await page.getOperatorList();
		const drawn = new Map<string, boolean>();
		for (let i = 0; i < operators.fnArray.length; i++) {
			if (operators.fnArray[i] !== OPS.showText) continue;
			for (const glyph of operators.argsArray[i][0] as ({
				unicode: string;
				isInFont: boolean;
			} | null)[])
				if (glyph && typeof glyph === 'object' && glyph.unicode)
					drawn.set(glyph.unicode, (drawn.get(glyph.unicode) ?? true) && glyph.isInFont);
		}
		await pdf.destroy();
		for (const char of `${COMMON}${RARE}`) expect(drawn.get(char), char).toBe(true);
	});
});
