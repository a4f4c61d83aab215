import { describe, expect, it } from 'vitest';
import {
	asciiFileName,
	contentDisposition,
	MAX_NAME_BYTES,
	sanitiseFileName
} from '../../src/lib/server/evidence/filename';

const utf8Length = (text: string) => Buffer.byteLength(text, 'utf8');

describe('sanitiseFileName', () => {
	it.each([
		['report.pdf', 'report.pdf'],
		['整改报告 2026.pdf', '整改报告 2026.pdf'],
		['../../etc/passwd.pdf', 'passwd.pdf'],
		['..\\..\\boot.ini.txt', 'boot.ini.txt'],
		['C:\\Users\\张三\\Desktop\\照片.jpg', '照片.jpg'],
		['/var/www/', 'evidence'],
		['..', 'evidence'],
		['...', 'evidence'],
		['', 'evidence'],
		['   ', 'evidence'],
		['.htaccess', 'htaccess'],
		['name.pdf. . ', 'name.pdf'],
		['line\r\nbreak.pdf', 'linebreak.pdf'],
		['tab\tand\u0000nul\u007f.txt', 'tabandnul.txt'],
		['invoice\u202Efdp.exe', 'invoicefdp.exe'],
		['zero\u200Bwidth.png', 'zerowidth.png'],
		['a<b>c:d"e|f?g*h.pdf', 'a_b_c_d_e_f_g_h.pdf'],
		['many   spaces\u3000here.pdf', 'many spaces here.pdf'],
		['CON', '_CON'],
		['con.txt', '_con.txt'],
		['LPT1.pdf', '_LPT1.pdf'],
		['com9.tar.gz', '_com9.tar.gz'],
		['console.txt', 'console.txt']
	])('%j → %j', (original, safe) => {
		expect(sanitiseFileName(original)).toBe(safe);
	});

	it('composes decomposed characters (NFC)', () => {
		expect(sanitiseFileName('Cafe\u0301.pdf')).toBe('Café.pdf');
	});

	it('shortens long names and keeps the extension', () => {
		const long = sanitiseFileName(`${'长'.repeat(300)}.pdf`);
		expect(utf8Length(long)).toBeLessThanOrEqual(MAX_NAME_BYTES);
		expect(long.endsWith('.pdf')).toBe(true);
		expect(long.startsWith('长长')).toBe(true);

		const ascii = sanitiseFileName(`${'a'.repeat(400)}.docx`);
		expect(ascii).toBe(`${'a'.repeat(MAX_NAME_BYTES - 5)}.docx`);
	});

	it('never splits a character when shortening', () => {
		const name = sanitiseFileName(`${'😀'.repeat(100)}.png`);
		expect(utf8Length(name)).toBeLessThanOrEqual(MAX_NAME_BYTES);
		expect(name).not.toContain('\ufffd');
		expect(Array.from(name.replace('.png', '')).every((c) => c === '😀')).toBe(true);
	});

	it('treats a very long "extension" as part of the name', () => {
		const name = sanitiseFileName(`report.${'x'.repeat(300)}`);
		expect(utf8Length(name)).toBeLessThanOrEqual(MAX_NAME_BYTES);
		expect(name.startsWith('report.')).toBe(true);
	});

	// Issue 8 item 11: ten 16,200-character names froze the process for 22.6 s (the shortening
	// re-measured the whole stem once per character dropped).
	it('handles ten 16,200-character names without freezing', () => {
		const names = [
			`${'a'.repeat(16_196)}.pdf`,
			`${'长'.repeat(16_196)}.pdf`,
			`${'😀'.repeat(8_098)}.png`,
			'b'.repeat(16_200),
			`${'x/'.repeat(8_000)}${'c'.repeat(196)}.pdf`,
			`${' '.repeat(16_196)}.txt`,
			`${'\u202e'.repeat(16_196)}.exe`,
			`${'d'.repeat(100)}.${'e'.repeat(16_099)}`,
			`${'ab'.repeat(8_098)}.docx`,
			`${'é'.repeat(16_195)}.xlsx`
		];
		expect(names.every((name) => name.length >= 16_200)).toBe(true);
		// Compiled once first, so that the bound measures the names, not the JIT. The bound is
		// a tenth of the 22.6 s the defect took, not a speed target: a loaded machine keeps it.
		sanitiseFileName(`${'z'.repeat(300)}.pdf`);
		const started = performance.now();
		const safe = names.map((name) => sanitiseFileName(name));
		expect(performance.now() - started).toBeLessThan(2_000);
		for (const name of safe) {
			expect(utf8Length(name)).toBeLessThanOrEqual(MAX_NAME_BYTES);
			expect(name).not.toContain('\ufffd');
		}
		expect(safe[0]).toBe(`${'a'.repeat(MAX_NAME_BYTES - 4)}.pdf`);
		expect(safe[1]!.endsWith('.pdf') && safe[1]!.startsWith('长长')).toBe(true);
		expect(safe[2]!.endsWith('.png')).toBe(true);
		expect(safe[4]).toBe(`${'c'.repeat(196)}.pdf`);
		expect(safe[5]).toBe('txt');
		expect(safe[6]).toBe('exe');
		expect(safe[9]!.endsWith('.xlsx')).toBe(true);
	});

	it('keeps an overlong name whole up to the cut: the same name as before the cap', () => {
		expect(sanitiseFileName(`${'a'.repeat(5_000)}.pdf`)).toBe(
			`${'a'.repeat(MAX_NAME_BYTES - 4)}.pdf`
		);
		// A surrogate pair is never split where the raw name is cut.
		const emoji = sanitiseFileName(`x${'😀'.repeat(3_000)}.png`);
		expect(emoji).not.toContain('\ufffd');
		expect(emoji.endsWith('😀.png')).toBe(true);
	});

	it('never leaves a separator, a control character or a leading dot', () => {
		for (const nasty of [
			'../a/../../b',
			'\\\\server\\share\\..\\x',
			'\u0000/\u0001\\.',
			'./.. /..\\. .'
		]) {
			const safe = sanitiseFileName(nasty);
			// eslint-disable-next-line no-control-regex
			expect(safe).not.toMatch(/[/\\\u0000-\u001f]/);
			expect(safe.startsWith('.')).toBe(false);
			expect(safe.length).toBeGreaterThan(0);
		}
	});
});

describe('contentDisposition (RFC 6266 / RFC 5987)', () => {
	it('an ASCII name', () => {
		expect(contentDisposition('report.pdf')).toBe(
			`attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`
		);
	});

	it('a Chinese name: an ASCII fallback and the exact name as UTF-8', () => {
		expect(contentDisposition('整改报告.pdf')).toBe(
			`attachment; filename="evidence.pdf"; filename*=UTF-8''%E6%95%B4%E6%94%B9%E6%8A%A5%E5%91%8A.pdf`
		);
	});

	it('a mixed name keeps its ASCII part in the fallback', () => {
		expect(contentDisposition('Report 整改 v2.pdf')).toBe(
			`attachment; filename="Report _ v2.pdf"; filename*=UTF-8''Report%20%E6%95%B4%E6%94%B9%20v2.pdf`
		);
	});

	it("percent-encodes what RFC 5987 does not allow bare: ' ( ) * and %", () => {
		expect(contentDisposition("it's (final) 100%.pdf")).toBe(
			`attachment; filename="it's (final) 100_.pdf"; filename*=UTF-8''it%27s%20%28final%29%20100%25.pdf`
		);
	});

	it('cannot be broken out of: quotes, backslashes, line breaks and paths are gone', () => {
		const header = contentDisposition('a"; filename=evil.html\r\nX-Injected: 1\\..\\b".pdf');
		expect(header).not.toMatch(/[\r\n]/);
		const fallback = /filename="([^"]*)"/.exec(header)?.[1] ?? '';
		expect(fallback).not.toMatch(/["\\/]/);
		expect(header.match(/"/g)).toHaveLength(2);
		expect(header.startsWith('attachment; filename="')).toBe(true);
	});

	it('sanitises again on the way out', () => {
		expect(contentDisposition('../../etc/passwd')).toBe(
			`attachment; filename="passwd"; filename*=UTF-8''passwd`
		);
	});

	it('asciiFileName keeps a non-ASCII extension out of the fallback', () => {
		expect(asciiFileName('报告.文档')).toBe('evidence');
		expect(asciiFileName('照片.JPG')).toBe('evidence.JPG');
	});
});
