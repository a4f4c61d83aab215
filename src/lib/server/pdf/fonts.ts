import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import subsetFont from 'subset-font';
import { convert } from 'fontverter';

/*
 * The CJK font of printed documents: Noto Sans SC from npm @fontsource/noto-sans-sc. Its
 * "chinese-simplified" files hold the common simplified characters (GB 2312 and more) together
 * with Latin, digits and CJK punctuation, so one font sets a whole document in either language.
 * They ship as WOFF2, which PDF cannot embed: each weight is converted to an SFNT (TrueType) once
 * and kept in memory; each document then embeds a subset of only the characters it uses, so a
 * PDF carries a few kilobytes of font instead of megabytes.
 */

export type FontWeight = 'regular' | 'bold';

const FILES: Record<FontWeight, string> = {
	regular: '@fontsource/noto-sans-sc/files/noto-sans-sc-chinese-simplified-400-normal.woff2',
	bold: '@fontsource/noto-sans-sc/files/noto-sans-sc-chinese-simplified-700-normal.woff2'
};

const require = createRequire(import.meta.url);
const fullFonts = new Map<FontWeight, Promise<Buffer>>();

/** The whole font of `weight` as an SFNT, read and converted once per process. */
function fullFont(weight: FontWeight): Promise<Buffer> {
	let font = fullFonts.get(weight);
	if (!font) {
		font = readFile(require.resolve(FILES[weight])).then((woff2) => convert(woff2, 'sfnt'));
		// A failed read is not cached: the next document tries again.
		font.catch(() => fullFonts.delete(weight));
		fullFonts.set(weight, font);
	}
	return font;
}

/** A TrueType font of `weight` with the glyphs of `text` (and nothing else). */
export async function fontSubset(weight: FontWeight, text: string): Promise<Buffer> {
	// Kept whatever the text: the digits of page numbers (drawn once the pages are counted) and
	// the dash an empty value is shown as.
	return subsetFont(await fullFont(weight), `${text} 0123456789/—`, { targetFormat: 'sfnt' });
}
