import { describe, expect, it } from 'vitest';
import {
	checkEvidence,
	contentTypeOf,
	DOCX,
	extensionOf,
	isUtf8Text,
	PPTX,
	SNIFF_BYTES,
	sniffType,
	typeOfExtension,
	utf8TextValidator,
	XLSX,
	zipEntryNames
} from '../../src/lib/server/evidence/sniff';
import {
	CSV_BYTES,
	DOCX_BYTES,
	ELF_BYTES,
	EXE_BYTES,
	GIF_BYTES,
	JPEG_BYTES,
	PDF_BYTES,
	PNG_BYTES,
	PPTX_BYTES,
	TEXT_BYTES,
	WEBP_BYTES,
	XLSX_BYTES,
	ZIP_BYTES,
	zipWith
} from '../support/evidence-factories';

describe('sniffType: the type from the first bytes', () => {
	it.each([
		['PDF', PDF_BYTES, 'application/pdf'],
		['PNG', PNG_BYTES, 'image/png'],
		['JPEG', JPEG_BYTES, 'image/jpeg'],
		['GIF89a', GIF_BYTES, 'image/gif'],
		['GIF87a', Buffer.from('GIF87a......'), 'image/gif'],
		['WebP', WEBP_BYTES, 'image/webp'],
		['DOCX', DOCX_BYTES, DOCX],
		['XLSX', XLSX_BYTES, XLSX],
		['PPTX', PPTX_BYTES, PPTX],
		['ZIP', ZIP_BYTES, 'application/zip'],
		[
			'an empty ZIP',
			Buffer.from([0x50, 0x4b, 0x05, 0x06, ...Array(18).fill(0)]),
			'application/zip'
		],
		['UTF-8 text', TEXT_BYTES, 'text/plain'],
		['CSV', CSV_BYTES, 'text/plain']
	])('%s', (_name, bytes, type) => {
		expect(sniffType(bytes, true)).toBe(type);
	});

	it.each([
		['ELF', ELF_BYTES],
		['a Windows executable', EXE_BYTES],
		['an OLE (legacy .doc) file', Buffer.from('d0cf11e0a1b11ae1000000000000', 'hex')],
		['RIFF that is not WebP', Buffer.from('RIFF\x28\x00\x00\x00WAVEfmt ', 'latin1')],
		['text with a NUL byte', Buffer.from('hello\x00world')],
		['invalid UTF-8', Buffer.from([0x68, 0x69, 0xc3, 0x28])],
		['UTF-16 text', Buffer.from('\ufeffhello', 'utf16le')],
		['nothing', Buffer.alloc(0)]
	])('%s: none of the allowed types', (_name, bytes) => {
		expect(sniffType(bytes, true)).toBeNull();
	});

	it('a ZIP with [Content_Types].xml but no part name in its head is OOXML of no known flavour', () => {
		expect(sniffType(zipWith(['[Content_Types].xml', '_rels/.rels']), true)).toBe('ooxml');
	});

	it('Office part names count only with [Content_Types].xml', () => {
		expect(sniffType(zipWith(['word/document.xml']), true)).toBe('application/zip');
	});

	it('reads the names of entries written with data descriptors (sizes unknown up front)', () => {
		const zip = zipWith(['[Content_Types].xml', 'xl/workbook.xml'], 0);
		expect(zipEntryNames(zip)).toEqual(['[Content_Types].xml', 'xl/workbook.xml']);
	});

	it('ignores a header whose name runs past the head', () => {
		const zip = zipWith(['[Content_Types].xml', 'word/document.xml']);
		expect(zipEntryNames(zip.subarray(0, zip.length - 22 - 16 - 5))).toEqual([
			'[Content_Types].xml'
		]);
	});

	it('a multi-byte character cut off at the end of the head is still text, not at the end of the file', () => {
		const bytes = Buffer.from('整改');
		const cut = bytes.subarray(0, bytes.length - 1);
		expect(isUtf8Text(cut, false)).toBe(true);
		expect(isUtf8Text(cut, true)).toBe(false);
		expect(sniffType(cut, false)).toBe('text/plain');
		expect(sniffType(cut, true)).toBeNull();
	});

	it('looks at no more than it is given', () => {
		expect(SNIFF_BYTES).toBe(4096);
	});
});

describe('checkEvidence: bytes against the name', () => {
	it('accepts a type whose extension names it', () => {
		expect(checkEvidence(PDF_BYTES, true, 'report.pdf')).toEqual({
			ok: true,
			type: 'application/pdf'
		});
		expect(checkEvidence(JPEG_BYTES, true, 'PHOTO.JPG')).toEqual({ ok: true, type: 'image/jpeg' });
		expect(checkEvidence(JPEG_BYTES, true, 'photo.jpeg')).toEqual({ ok: true, type: 'image/jpeg' });
		expect(checkEvidence(DOCX_BYTES, true, '整改报告.docx')).toEqual({ ok: true, type: DOCX });
	});

	it('refuses a .pdf whose bytes are PNG: bytes contradict name', () => {
		expect(checkEvidence(PNG_BYTES, true, 'report.pdf')).toEqual({
			ok: false,
			reason: 'bytes_contradict_name',
			detected: 'image/png'
		});
	});

	it('refuses a .docx that is a plain ZIP, and a .xlsx that is a Word document', () => {
		expect(checkEvidence(ZIP_BYTES, true, 'plan.docx')).toMatchObject({
			reason: 'bytes_contradict_name'
		});
		expect(checkEvidence(DOCX_BYTES, true, 'sheet.xlsx')).toMatchObject({
			reason: 'bytes_contradict_name',
			detected: DOCX
		});
	});

	it('refuses text named as an image', () => {
		expect(checkEvidence(TEXT_BYTES, true, 'photo.png')).toMatchObject({
			reason: 'bytes_contradict_name',
			detected: 'text/plain'
		});
	});

	it('text named .csv is CSV; text named .txt is plain text', () => {
		expect(checkEvidence(CSV_BYTES, true, 'log.csv')).toEqual({ ok: true, type: 'text/csv' });
		expect(checkEvidence(TEXT_BYTES, true, 'notes.txt')).toEqual({ ok: true, type: 'text/plain' });
	});

	it('an Office document named .zip is accepted as what it is', () => {
		expect(checkEvidence(DOCX_BYTES, true, 'archive.zip')).toEqual({ ok: true, type: DOCX });
	});

	it('an OOXML package of no known flavour takes its flavour from the name', () => {
		const bare = zipWith(['[Content_Types].xml', 'docProps/app.xml']);
		expect(checkEvidence(bare, true, 'deck.pptx')).toEqual({ ok: true, type: PPTX });
		expect(checkEvidence(bare, true, 'bundle.zip')).toEqual({ ok: true, type: 'application/zip' });
		expect(checkEvidence(bare, true, 'bundle')).toEqual({ ok: true, type: 'application/zip' });
	});

	it('a name without extension takes the detected type', () => {
		expect(checkEvidence(PNG_BYTES, true, 'scan')).toEqual({ ok: true, type: 'image/png' });
	});

	it('refuses types not on the allow-list, whatever the name says', () => {
		expect(checkEvidence(ELF_BYTES, true, 'tool.pdf')).toEqual({
			ok: false,
			reason: 'type_not_allowed'
		});
		expect(checkEvidence(EXE_BYTES, true, 'setup.exe')).toEqual({
			ok: false,
			reason: 'type_not_allowed'
		});
	});

	it('refuses an extension the allow-list does not know, even on text', () => {
		expect(checkEvidence(Buffer.from('<script>alert(1)</script>'), true, 'page.html')).toEqual({
			ok: false,
			reason: 'type_not_allowed'
		});
		expect(checkEvidence(Buffer.from('#!/bin/sh\nrm -rf /\n'), true, 'fix.sh')).toEqual({
			ok: false,
			reason: 'type_not_allowed'
		});
	});

	it('refuses an empty file', () => {
		expect(checkEvidence(Buffer.alloc(0), true, 'empty.txt')).toEqual({
			ok: false,
			reason: 'empty'
		});
	});
});

describe('the helpers around it', () => {
	it('extensionOf', () => {
		expect(extensionOf('a.PDF')).toBe('pdf');
		expect(extensionOf('archive.tar.gz')).toBe('gz');
		expect(extensionOf('.hidden')).toBe('');
		expect(extensionOf('noext')).toBe('');
		expect(extensionOf('trailing.')).toBe('');
	});

	it('typeOfExtension', () => {
		expect(typeOfExtension('jpg')).toBe('image/jpeg');
		expect(typeOfExtension('csv')).toBe('text/csv');
		expect(typeOfExtension('exe')).toBeNull();
		expect(typeOfExtension('constructor')).toBeNull();
	});

	it('utf8TextValidator follows a whole file, chunk by chunk', () => {
		const bytes = Buffer.from('纠正措施已完成');
		const ok = utf8TextValidator();
		for (let i = 0; i < bytes.length; i += 2) expect(ok.push(bytes.subarray(i, i + 2))).toBe(true);
		expect(ok.end()).toBe(true);

		const binaryLater = utf8TextValidator();
		expect(binaryLater.push(Buffer.from('fine so far'))).toBe(true);
		expect(binaryLater.push(Buffer.from([0x7f, 0x45, 0x00]))).toBe(false);
		expect(binaryLater.end()).toBe(false);

		const cutShort = utf8TextValidator();
		expect(cutShort.push(bytes.subarray(0, 4))).toBe(true);
		expect(cutShort.end()).toBe(false);
	});

	it('contentTypeOf serves text as UTF-8 and anything unknown as bytes', () => {
		expect(contentTypeOf('text/csv')).toBe('text/csv; charset=utf-8');
		expect(contentTypeOf('image/png')).toBe('image/png');
		expect(contentTypeOf('text/html')).toBe('application/octet-stream');
	});
});
