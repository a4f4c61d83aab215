/*
 * The names evidence files carry: what the uploader called them, made safe to store, show and
 * send back in a download header. Pure.
 */

export const FALLBACK_NAME = 'evidence';

/** Longest stored name in UTF-8 bytes: within every common file system's 255. */
export const MAX_NAME_BYTES = 200;

/** Extensions longer than this are treated as part of the name when shortening it. */
const MAX_EXTENSION_LENGTH = 16;

// C0 and C1 control characters, and the invisible ones that can make a name read as something
// else: zero-width characters, bidirectional overrides (`gpj.exe` shown as `exe.jpg`), the BOM.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;
/** Characters Windows refuses in names; ':' also separates streams there and paths on old Macs. */
const WINDOWS_FORBIDDEN = /[<>:"|?*]/g;
/** Device names Windows reserves, whatever the extension. */
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$/i;

/**
 * Longest raw name (in UTF-16 code units) worth looking at: several times what can be stored,
 * so that no sanitising rule runs short of characters, while a 16,000-character name costs no
 * more than a 1,000-character one.
 */
const MAX_RAW_LENGTH = 1024;

const utf8Length = (text: string) => new TextEncoder().encode(text).length;

function utf8LengthOfCodePoint(codePoint: number): number {
	if (codePoint < 0x80) return 1;
	if (codePoint < 0x800) return 2;
	if (codePoint < 0x10000) return 3;
	return 4;
}

function splitExtension(name: string): { stem: string; extension: string } {
	const dot = name.lastIndexOf('.');
	if (dot <= 0 || name.length - dot - 1 > MAX_EXTENSION_LENGTH)
		return { stem: name, extension: '' };
	return { stem: name.slice(0, dot), extension: name.slice(dot) };
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/**
 * The head and the tail of an overlong raw name (the tail may hold the extension), cut between
 * characters, never inside a surrogate pair.
 */
function capRawLength(name: string): string {
	if (name.length <= MAX_RAW_LENGTH) return name;
	let tailStart = name.length - (MAX_EXTENSION_LENGTH + 1);
	if (isLowSurrogate(name.charCodeAt(tailStart))) tailStart++;
	let headEnd = MAX_RAW_LENGTH - (MAX_EXTENSION_LENGTH + 1);
	if (isHighSurrogate(name.charCodeAt(headEnd - 1))) headEnd--;
	return name.slice(0, headEnd) + name.slice(tailStart);
}

/**
 * Keeps the longest start of the stem that fits with the extension (at least one character), in
 * one pass over the stem: whole characters only.
 */
function fitLength(name: string): string {
	if (utf8Length(name) <= MAX_NAME_BYTES) return name;
	const { stem, extension } = splitExtension(name);
	const budget = MAX_NAME_BYTES - utf8Length(extension);
	let used = 0;
	let end = 0;
	for (const character of stem) {
		used += utf8LengthOfCodePoint(character.codePointAt(0)!);
		if (used > budget && end > 0) break;
		end += character.length;
	}
	return stem.slice(0, end).trimEnd() + extension;
}

/**
 * A name safe to store and to offer on download: only the last path component (by `/` and by
 * `\`, whatever system sent it), no control or invisible characters, none that Windows refuses,
 * no leading dots (hidden files, `..`) or trailing dots and spaces, not a reserved device name,
 * and at most MAX_NAME_BYTES long with its extension kept. Nothing usable left: `fallback`.
 */
export function sanitiseFileName(original: string, fallback = FALLBACK_NAME): string {
	const lastSeparator = Math.max(original.lastIndexOf('/'), original.lastIndexOf('\\'));
	const lastComponent = capRawLength(original.slice(lastSeparator + 1)).normalize('NFC');
	let name = lastComponent
		.replace(CONTROL, '')
		.replace(INVISIBLE, '')
		.replace(WINDOWS_FORBIDDEN, '_')
		.replace(/\s+/g, ' ')
		.replace(/^[\s.]+/, '')
		.replace(/[\s.]+$/, '');
	if (name === '') return fallback;
	const stem = name.split('.')[0] ?? '';
	if (RESERVED.test(stem.trim())) name = `_${name}`;
	return fitLength(name);
}

/** RFC 5987 ext-value characters: percent-encode everything outside attr-char. */
function encodeExtValue(text: string): string {
	return encodeURIComponent(text).replace(
		/['()*]/g,
		(c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`
	);
}

/**
 * The plain-ASCII name for clients that ignore `filename*`: non-ASCII runs become `_`, and
 * quotes, backslashes and `%` (which some clients decode) go too; a name with no letter or
 * digit left becomes `evidence` with its extension.
 */
export function asciiFileName(name: string): string {
	const ascii = name.replace(/[^\x20-\x7e]+/g, '_').replace(/["\\%]/g, '_');
	const { stem, extension } = splitExtension(ascii);
	if (/[A-Za-z0-9]/.test(stem)) return ascii;
	return FALLBACK_NAME + (/^\.[A-Za-z0-9]+$/.test(extension) ? extension : '');
}

/**
 * `Content-Disposition` for a download (RFC 6266): an attachment, never shown inline (a preview of
 * an allowed type, services/evidence.ts, asks for `inline`), with an ASCII `filename` and the exact name as UTF-8 in `filename*` (RFC 5987).
 */
export function contentDisposition(
	originalName: string,
	disposition: 'attachment' | 'inline' = 'attachment'
): string {
	const name = sanitiseFileName(originalName);
	return `${disposition}; filename="${asciiFileName(name)}"; filename*=UTF-8''${encodeExtValue(name)}`;
}
