import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import subsetFont from 'subset-font';
import { convert } from 'fontverter';
import { cmapOf, mergeFonts } from './font-merge';

/*
 * The CJK font of printed documents: Noto Sans SC from npm @fontsource/noto-sans-sc. Its
 * "chinese-simplified" files hold the common simplified characters (GB 2312 and more) together
 * with Latin, digits and CJK punctuation, so one font sets almost any document in either
 * language. The rest of the family's ~14,000 characters (rarer ones such as 龃 or 鹀, used in
 * names) are spread over ~100 further files by unicode-range (the web's way of loading only what
 * a page shows; the ranges are the package's unicode.json): a document that uses one takes its
 * glyph from that file, joined into the document's font (font-merge.ts), so no character of
 * Noto Sans SC is drawn blank. A character the family lacks altogether (𠮷, U+20BB7, and CJK
 * Extension B generally) stays without a glyph.
 * The files ship as WOFF2, which PDF cannot embed: each is converted to an SFNT (TrueType) once
 * and kept in memory; each document then embeds a subset of only the characters it uses, so a
 * PDF carries a few kilobytes of font instead of megabytes.
 */

export type FontWeight = 'regular' | 'bold';

const WEIGHTS: Record<FontWeight, number> = { regular: 400, bold: 700 };
const PRIMARY = 'chinese-simplified';
const PACKAGE = '@fontsource/noto-sans-sc';

const require = createRequire(import.meta.url);
const fullFonts = new Map<string, Promise<Buffer>>();

const fileOf = (slice: string, weight: FontWeight) =>
	`${PACKAGE}/files/noto-sans-sc-${slice}-${WEIGHTS[weight]}-normal.woff2`;

/** A whole file of the family (a unicode-range slice) as an SFNT, read and converted once. */
function fullFont(slice: string, weight: FontWeight): Promise<Buffer> {
	const key = `${slice}:${weight}`;
	let font = fullFonts.get(key);
	if (!font) {
		font = readFile(require.resolve(fileOf(slice, weight))).then((woff2) => convert(woff2, 'sfnt'));
		// A failed read is not cached: the next document tries again.
		font.catch(() => fullFonts.delete(key));
		fullFonts.set(key, font);
	}
	return font;
}

/** The slices (other than the primary) and their characters, from the package's unicode.json. */
type Slices = { slice: string; ranges: [number, number][] }[];
let slices: Slices | null = null;

function slicesOf(): Slices {
	if (!slices) {
		const ranges = require(`${PACKAGE}/unicode.json`) as Record<string, string>;
		slices = Object.entries(ranges)
			.filter(([name]) => name !== PRIMARY)
			.map(([name, range]) => ({
				// "[107]" names the file noto-sans-sc-107-…
				slice: name.replace(/^\[(\d+)\]$/, '$1'),
				ranges: range.split(',').map((part) => {
					const [from, to = from] = part.trim().replace(/^U\+/i, '').split('-');
					return [parseInt(from!, 16), parseInt(to!, 16)] as [number, number];
				})
			}));
	}
	return slices;
}

const primaryChars = new Map<FontWeight, Promise<Set<number>>>();

function charactersOfPrimary(weight: FontWeight): Promise<Set<number>> {
	let chars = primaryChars.get(weight);
	if (!chars) {
		chars = fullFont(PRIMARY, weight).then((font) => new Set(cmapOf(font).keys()));
		chars.catch(() => primaryChars.delete(weight));
		primaryChars.set(weight, chars);
	}
	return chars;
}

/** The characters of `text` the primary file lacks, grouped by the slice that has each. */
async function fromOtherSlices(weight: FontWeight, text: string): Promise<Map<string, string>> {
	const primary = await charactersOfPrimary(weight);
	const wanted = new Map<string, string>();
	for (const char of new Set(text)) {
		const code = char.codePointAt(0)!;
		if (primary.has(code) || code < 0x20) continue;
		const home = slicesOf().find(({ ranges }) =>
			ranges.some(([from, to]) => code >= from && code <= to)
		);
		if (home) wanted.set(home.slice, (wanted.get(home.slice) ?? '') + char);
	}
	return wanted;
}

/** A TrueType font of `weight` with the glyphs of `text` (and nothing else). */
export async function fontSubset(weight: FontWeight, text: string): Promise<Buffer> {
	// Kept whatever the text: the digits of page numbers (drawn once the pages are counted) and
	// the dash an empty value is shown as.
	const primary = subsetFont(await fullFont(PRIMARY, weight), `${text} 0123456789/—`, {
		targetFormat: 'sfnt'
	});
	const others = await fromOtherSlices(weight, text);
	if (others.size === 0) return primary;
	const extra = await Promise.all(
		[...others].map(async ([slice, chars]) =>
			subsetFont(await fullFont(slice, weight), chars, { targetFormat: 'sfnt' })
		)
	);
	return mergeFonts([await primary, ...extra]);
}
