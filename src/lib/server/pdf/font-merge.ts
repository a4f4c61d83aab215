/*
 * Joins TrueType (glyf) fonts cut from one family into one font: the first font's glyphs keep
 * their ids (so its layout tables, GSUB/GPOS, stay true), the others' glyphs follow, and one cmap
 * maps every character to its glyph. Why: @fontsource/noto-sans-sc ships Noto Sans SC as ~100
 * files by unicode-range (fonts.ts), while pdfkit draws each run of text in one font. Only the
 * few glyphs a document uses are joined (each input is already a subset), so this stays small.
 *
 * The inputs share the family's units per em and vertical metrics; tables that count glyphs and
 * that no PDF reader needs here (vertical metrics, device records, signatures) are left out.
 */

interface Sfnt {
	tables: Map<string, Buffer>;
}

function readSfnt(font: Buffer): Sfnt {
	const count = font.readUInt16BE(4);
	const tables = new Map<string, Buffer>();
	for (let i = 0; i < count; i++) {
		const at = 12 + i * 16;
		const tag = font.toString('latin1', at, at + 4);
		const offset = font.readUInt32BE(at + 8);
		const length = font.readUInt32BE(at + 12);
		tables.set(tag, font.subarray(offset, offset + length));
	}
	return { tables };
}

function table(font: Sfnt, tag: string): Buffer {
	const found = font.tables.get(tag);
	if (!found) throw new Error(`font has no ${tag} table`);
	return found;
}

/** Character → glyph id, from the cmap's Unicode subtable (format 12 or 4). */
export function cmapOf(font: Buffer): Map<number, number> {
	const cmap = table(readSfnt(font), 'cmap');
	const subtables = cmap.readUInt16BE(2);
	let best: { format: number; offset: number } | null = null;
	for (let i = 0; i < subtables; i++) {
		const at = 4 + i * 8;
		const platform = cmap.readUInt16BE(at);
		const encoding = cmap.readUInt16BE(at + 2);
		const offset = cmap.readUInt32BE(at + 4);
		const format = cmap.readUInt16BE(offset);
		const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
		if (!unicode || (format !== 4 && format !== 12)) continue;
		if (!best || (format === 12 && best.format !== 12)) best = { format, offset };
	}
	const map = new Map<number, number>();
	if (!best) return map;
	const { offset } = best;
	if (best.format === 12) {
		const groups = cmap.readUInt32BE(offset + 12);
		for (let g = 0; g < groups; g++) {
			const at = offset + 16 + g * 12;
			const start = cmap.readUInt32BE(at);
			const end = cmap.readUInt32BE(at + 4);
			const glyph = cmap.readUInt32BE(at + 8);
			for (let c = start; c <= end; c++) map.set(c, glyph + c - start);
		}
		return map;
	}
	const segments = cmap.readUInt16BE(offset + 6) / 2;
	const ends = offset + 14;
	const starts = ends + segments * 2 + 2;
	const deltas = starts + segments * 2;
	const rangeOffsets = deltas + segments * 2;
	for (let s = 0; s < segments; s++) {
		const end = cmap.readUInt16BE(ends + s * 2);
		const start = cmap.readUInt16BE(starts + s * 2);
		const delta = cmap.readInt16BE(deltas + s * 2);
		const rangeOffset = cmap.readUInt16BE(rangeOffsets + s * 2);
		for (let c = start; c <= end && c !== 0xffff; c++) {
			let glyph: number;
			if (rangeOffset === 0) glyph = (c + delta) & 0xffff;
			else {
				const at = rangeOffsets + s * 2 + rangeOffset + (c - start) * 2;
				glyph = cmap.readUInt16BE(at);
				if (glyph !== 0) glyph = (glyph + delta) & 0xffff;
			}
			if (glyph !== 0) map.set(c, glyph);
		}
	}
	return map;
}

interface GlyphSource {
	glyphs: Buffer[];
	metrics: [advance: number, lsb: number][];
}

function glyphsOf(font: Sfnt): GlyphSource {
	const numGlyphs = table(font, 'maxp').readUInt16BE(4);
	const longLoca = table(font, 'head').readInt16BE(50) === 1;
	const loca = table(font, 'loca');
	const glyf = table(font, 'glyf');
	const at = (i: number) => (longLoca ? loca.readUInt32BE(i * 4) : loca.readUInt16BE(i * 2) * 2);
	const hmtx = table(font, 'hmtx');
	const longMetrics = table(font, 'hhea').readUInt16BE(34);
	const glyphs: Buffer[] = [];
	const metrics: [number, number][] = [];
	for (let i = 0; i < numGlyphs; i++) {
		glyphs.push(glyf.subarray(at(i), at(i + 1)));
		if (i < longMetrics) metrics.push([hmtx.readUInt16BE(i * 4), hmtx.readInt16BE(i * 4 + 2)]);
		else
			metrics.push([
				hmtx.readUInt16BE((longMetrics - 1) * 4),
				hmtx.readInt16BE(longMetrics * 4 + (i - longMetrics) * 2)
			]);
	}
	return { glyphs, metrics };
}

/** A glyph with its composite's component ids moved by `shift` (simple glyphs are unchanged). */
function shifted(glyph: Buffer, shift: number): Buffer {
	if (shift === 0 || glyph.length === 0 || glyph.readInt16BE(0) >= 0) return glyph;
	const copy = Buffer.from(glyph);
	let at = 10;
	for (;;) {
		const flags = copy.readUInt16BE(at);
		copy.writeUInt16BE(copy.readUInt16BE(at + 2) + shift, at + 2);
		at += 4 + (flags & 0x0001 ? 4 : 2);
		if (flags & 0x0008) at += 2;
		else if (flags & 0x0040) at += 4;
		else if (flags & 0x0080) at += 8;
		if (!(flags & 0x0020)) return copy;
	}
}

function cmapTable(map: Map<number, number>): Buffer {
	const chars = [...map.keys()].sort((a, b) => a - b);
	const groups: [number, number, number][] = [];
	for (const c of chars) {
		const glyph = map.get(c)!;
		const last = groups.at(-1);
		if (last && last[1] === c - 1 && last[2] + (c - last[0]) === glyph) last[1] = c;
		else groups.push([c, c, glyph]);
	}
	const sub = Buffer.alloc(16 + groups.length * 12);
	sub.writeUInt16BE(12, 0);
	sub.writeUInt32BE(sub.length, 4);
	sub.writeUInt32BE(groups.length, 12);
	groups.forEach(([start, end, glyph], g) => {
		sub.writeUInt32BE(start, 16 + g * 12);
		sub.writeUInt32BE(end, 20 + g * 12);
		sub.writeUInt32BE(glyph, 24 + g * 12);
	});
	// One format 12 subtable, named for both Unicode platforms.
	const head = Buffer.alloc(4 + 2 * 8);
	head.writeUInt16BE(2, 2);
	head.writeUInt16BE(0, 4);
	head.writeUInt16BE(4, 6);
	head.writeUInt32BE(head.length, 8);
	head.writeUInt16BE(3, 12);
	head.writeUInt16BE(10, 14);
	head.writeUInt32BE(head.length, 16);
	return Buffer.concat([head, sub]);
}

const pad4 = (b: Buffer) =>
	b.length % 4 ? Buffer.concat([b, Buffer.alloc(4 - (b.length % 4))]) : b;

function checksum(b: Buffer): number {
	const padded = pad4(b);
	let sum = 0;
	for (let i = 0; i < padded.length; i += 4) sum = (sum + padded.readUInt32BE(i)) >>> 0;
	return sum;
}

function writeSfnt(tables: Map<string, Buffer>): Buffer {
	const tags = [...tables.keys()].sort();
	const headerLength = 12 + tags.length * 16;
	const header = Buffer.alloc(headerLength);
	header.writeUInt32BE(0x00010000, 0);
	header.writeUInt16BE(tags.length, 4);
	const power = 2 ** Math.floor(Math.log2(tags.length));
	header.writeUInt16BE(power * 16, 6);
	header.writeUInt16BE(Math.log2(power), 8);
	header.writeUInt16BE(tags.length * 16 - power * 16, 10);
	const bodies: Buffer[] = [];
	let offset = headerLength;
	tags.forEach((tag, i) => {
		const data = tables.get(tag)!;
		const at = 12 + i * 16;
		header.write(tag, at, 'latin1');
		header.writeUInt32BE(checksum(data), at + 4);
		header.writeUInt32BE(offset, at + 8);
		header.writeUInt32BE(data.length, at + 12);
		const padded = pad4(data);
		bodies.push(padded);
		offset += padded.length;
	});
	const font = Buffer.concat([header, ...bodies]);
	const headAt = header.readUInt32BE(12 + tags.indexOf('head') * 16 + 8);
	font.writeUInt32BE((0xb1b0afba - checksum(font)) >>> 0, headAt + 8);
	return font;
}

/** Tables that count or name glyphs one by one, rebuilt or left out of the joined font. */
const DROPPED = new Set(['vhea', 'vmtx', 'hdmx', 'LTSH', 'VDMX', 'DSIG', 'VORG', 'kern']);

/**
 * One font holding the glyphs of `fonts` (each an SFNT with glyf outlines): every character keeps
 * the glyph of the first font that has it. The first font's glyph ids are unchanged.
 */
export function mergeFonts(fonts: readonly Buffer[]): Buffer {
	if (fonts.length === 1) return fonts[0]!;
	const parsed = fonts.map(readSfnt);
	const first = parsed[0]!;
	const glyphs: Buffer[] = [];
	const metrics: [number, number][] = [];
	const map = new Map<number, number>();
	const maxp = Buffer.from(table(first, 'maxp'));
	const hhea = Buffer.from(table(first, 'hhea'));
	parsed.forEach((font, i) => {
		const base = glyphs.length;
		const source = glyphsOf(font);
		for (const glyph of source.glyphs) glyphs.push(shifted(glyph, base));
		metrics.push(...source.metrics);
		for (const [char, glyph] of cmapOf(fonts[i]!)) if (!map.has(char)) map.set(char, glyph + base);
		// The limits a rasteriser sizes its buffers by: the largest of any font joined.
		const own = table(font, 'maxp');
		if (own.length >= 32 && maxp.length >= 32)
			for (let at = 6; at < 32; at += 2)
				maxp.writeUInt16BE(Math.max(maxp.readUInt16BE(at), own.readUInt16BE(at)), at);
		const ownHhea = table(font, 'hhea');
		hhea.writeUInt16BE(Math.max(hhea.readUInt16BE(10), ownHhea.readUInt16BE(10)), 10);
	});
	maxp.writeUInt16BE(glyphs.length, 4);
	hhea.writeUInt16BE(glyphs.length, 34);
	const head = Buffer.from(table(first, 'head'));
	head.writeInt16BE(1, 50);
	head.writeUInt32BE(0, 8);
	const loca = Buffer.alloc((glyphs.length + 1) * 4);
	const glyf: Buffer[] = [];
	let offset = 0;
	glyphs.forEach((glyph, i) => {
		loca.writeUInt32BE(offset, i * 4);
		const padded = pad4(glyph);
		glyf.push(padded);
		offset += padded.length;
	});
	loca.writeUInt32BE(offset, glyphs.length * 4);
	const hmtx = Buffer.alloc(metrics.length * 4);
	metrics.forEach(([advance, lsb], i) => {
		hmtx.writeUInt16BE(advance, i * 4);
		hmtx.writeInt16BE(lsb, i * 4 + 2);
	});
	// Version 3: no glyph names (the first font's names would not count the joined glyphs).
	const post = Buffer.from(table(first, 'post').subarray(0, 32));
	post.writeUInt32BE(0x00030000, 0);
	const tables = new Map<string, Buffer>();
	for (const [tag, data] of first.tables) if (!DROPPED.has(tag)) tables.set(tag, data);
	tables.set('head', head);
	tables.set('maxp', maxp);
	tables.set('hhea', hhea);
	tables.set('hmtx', hmtx);
	tables.set('loca', loca);
	tables.set('glyf', Buffer.concat(glyf));
	tables.set('cmap', cmapTable(map));
	tables.set('post', post);
	return writeSfnt(tables);
}
