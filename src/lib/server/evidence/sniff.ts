/*
 * What a file really is, from its first bytes, never from its name or the browser's word
 * (SPEC §4: "type sniffed from bytes against the declared type, allowed types only"). Pure: the
 * upload stream hands over the head of each file and asks.
 */

/** How much of a file the sniffers look at before the upload decides to keep reading. */
export const SNIFF_BYTES = 4096;

export const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const PPTX = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';

/** The allow-list: each type evidence may have, with the file extensions that name it. */
export const EVIDENCE_TYPES = {
	'application/pdf': ['pdf'],
	'image/png': ['png'],
	'image/jpeg': ['jpg', 'jpeg', 'jpe', 'jfif'],
	'image/gif': ['gif'],
	'image/webp': ['webp'],
	[DOCX]: ['docx'],
	[XLSX]: ['xlsx'],
	[PPTX]: ['pptx'],
	'application/zip': ['zip'],
	'text/plain': ['txt', 'text', 'log', 'md'],
	'text/csv': ['csv']
} as const satisfies Record<string, readonly string[]>;

export type EvidenceType = keyof typeof EVIDENCE_TYPES;

const OOXML_TYPES: readonly EvidenceType[] = [DOCX, XLSX, PPTX];

export function isEvidenceType(value: string): value is EvidenceType {
	return Object.hasOwn(EVIDENCE_TYPES, value);
}

/** The type a (lower-case) extension names, if it is one the allow-list knows. */
export function typeOfExtension(extension: string): EvidenceType | null {
	for (const [type, extensions] of Object.entries(EVIDENCE_TYPES))
		if ((extensions as readonly string[]).includes(extension)) return type as EvidenceType;
	return null;
}

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
	if (bytes.length < offset + signature.length) return false;
	return signature.every((byte, i) => bytes[offset + i] === byte);
}

const ascii = (text: string) => Array.from(text, (c) => c.charCodeAt(0));

const PDF = ascii('%PDF-');
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];
const GIF87 = ascii('GIF87a');
const GIF89 = ascii('GIF89a');
const RIFF = ascii('RIFF');
const WEBP = ascii('WEBP');
const ZIP_LOCAL_FILE = [0x50, 0x4b, 0x03, 0x04];
const ZIP_EMPTY = [0x50, 0x4b, 0x05, 0x06];

/**
 * The names of the entries whose local file headers lie within `head`. Entries written with a
 * data descriptor do not announce their size up front, so rather than walk from header to
 * header this finds every header signature and reads the name that follows it.
 */
export function zipEntryNames(head: Uint8Array): string[] {
	const names: string[] = [];
	const decoder = new TextDecoder();
	for (let at = 0; at + 30 <= head.length; at++) {
		if (!startsWith(head, ZIP_LOCAL_FILE, at)) continue;
		const nameLength = (head[at + 26] ?? 0) | ((head[at + 27] ?? 0) << 8);
		const nameStart = at + 30;
		if (nameLength === 0 || nameStart + nameLength > head.length) continue;
		names.push(decoder.decode(head.subarray(nameStart, nameStart + nameLength)));
		at = nameStart + nameLength - 1;
	}
	return names;
}

/**
 * A ZIP archive, or the Office Open XML document it carries: those start with
 * `[Content_Types].xml` and keep their parts under word/, xl/ or ppt/. An OOXML package whose
 * part names lie beyond the head is `ooxml` without a flavour; the name then decides which.
 */
function sniffZip(head: Uint8Array): EvidenceType | 'ooxml' {
	const names = zipEntryNames(head);
	if (!names.includes('[Content_Types].xml')) return 'application/zip';
	if (names.some((name) => name.startsWith('word/'))) return DOCX;
	if (names.some((name) => name.startsWith('xl/'))) return XLSX;
	if (names.some((name) => name.startsWith('ppt/'))) return PPTX;
	return 'ooxml';
}

/**
 * Whether `bytes` is UTF-8 text: valid UTF-8 (a character cut off at the end of a head that is
 * not the whole file is fine) and no NUL byte, which no text file has.
 */
export function isUtf8Text(bytes: Uint8Array, complete: boolean): boolean {
	if (bytes.includes(0)) return false;
	try {
		new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: !complete });
		return true;
	} catch {
		return false;
	}
}

/** Checks a whole text file chunk by chunk, as it streams past. */
export function utf8TextValidator() {
	const decoder = new TextDecoder('utf-8', { fatal: true });
	let valid = true;
	return {
		push(chunk: Uint8Array): boolean {
			if (!valid) return false;
			if (chunk.includes(0)) valid = false;
			else
				try {
					decoder.decode(chunk, { stream: true });
				} catch {
					valid = false;
				}
			return valid;
		},
		end(): boolean {
			if (!valid) return false;
			try {
				decoder.decode();
			} catch {
				valid = false;
			}
			return valid;
		}
	};
}

export type Sniffed = EvidenceType | 'ooxml' | null;

/**
 * The type the first bytes of a file show, or null when they show none of the allowed ones.
 * `complete` says whether `head` is the whole file.
 */
export function sniffType(head: Uint8Array, complete: boolean): Sniffed {
	if (startsWith(head, PDF)) return 'application/pdf';
	if (startsWith(head, PNG)) return 'image/png';
	if (startsWith(head, JPEG)) return 'image/jpeg';
	if (startsWith(head, GIF87) || startsWith(head, GIF89)) return 'image/gif';
	if (startsWith(head, RIFF) && startsWith(head, WEBP, 8)) return 'image/webp';
	if (startsWith(head, ZIP_LOCAL_FILE)) return sniffZip(head);
	if (startsWith(head, ZIP_EMPTY)) return 'application/zip';
	if (head.length > 0 && isUtf8Text(head, complete)) return 'text/plain';
	return null;
}

/** The lower-case extension of a file name, without the dot; '' when it has none. */
export function extensionOf(name: string): string {
	const dot = name.lastIndexOf('.');
	if (dot <= 0 || dot === name.length - 1) return '';
	return name.slice(dot + 1).toLowerCase();
}

export type EvidenceCheck =
	| { ok: true; type: EvidenceType }
	| { ok: false; reason: 'empty' | 'type_not_allowed' }
	| { ok: false; reason: 'bytes_contradict_name'; detected: EvidenceType | 'ooxml' };

/**
 * The verdict on a file's head and its name: its type when the bytes show an allowed type and
 * the name's extension, if it has one, names that same type. A ZIP archive may be called .zip
 * whatever it carries; text called .csv is CSV. An unknown extension is refused like an
 * unknown type, so nothing is stored under a name that would open as something else.
 */
export function checkEvidence(head: Uint8Array, complete: boolean, name: string): EvidenceCheck {
	if (complete && head.length === 0) return { ok: false, reason: 'empty' };
	const sniffed = sniffType(head, complete);
	if (sniffed === null) return { ok: false, reason: 'type_not_allowed' };
	const extension = extensionOf(name);
	if (extension === '') {
		if (sniffed === 'ooxml') return { ok: true, type: 'application/zip' };
		return { ok: true, type: sniffed };
	}
	const named = typeOfExtension(extension);
	if (named === null) return { ok: false, reason: 'type_not_allowed' };
	if (named === sniffed) return { ok: true, type: sniffed };
	if (sniffed === 'text/plain' && named === 'text/csv') return { ok: true, type: 'text/csv' };
	if (sniffed === 'ooxml' && OOXML_TYPES.includes(named)) return { ok: true, type: named };
	if (named === 'application/zip' && (sniffed === 'ooxml' || OOXML_TYPES.includes(sniffed)))
		return { ok: true, type: sniffed === 'ooxml' ? 'application/zip' : sniffed };
	return { ok: false, reason: 'bytes_contradict_name', detected: sniffed };
}

/** Whether a checked type is text, whose every byte (not only the head) must be UTF-8. */
export function isTextType(type: EvidenceType): boolean {
	return type === 'text/plain' || type === 'text/csv';
}

/** The Content-Type a download is served with. */
export function contentTypeOf(type: string): string {
	if (type === 'text/plain' || type === 'text/csv') return `${type}; charset=utf-8`;
	return isEvidenceType(type) ? type : 'application/octet-stream';
}
