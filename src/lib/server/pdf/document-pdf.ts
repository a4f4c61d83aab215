import PDFDocument from 'pdfkit';
import { fontSubset } from './fonts';
import { qrPng } from '../qr-code';

/*
 * One layout for every printed document (issue 13 item 3): an A4 page with the body's logo and
 * name, a title, blocks of facts, paragraphs and tables, an optional QR code, and on every page a
 * footer with the document's verification code, when it was generated and where to check it.
 * The caller gives all text already in the reader's language; the font is subset to exactly that
 * text, so every character drawn is embedded (no tofu) and nothing else is.
 */

export type PdfBlock =
	| { kind: 'heading'; text: string }
	| { kind: 'paragraph'; text: string }
	/** Label and value pairs, two columns. */
	| { kind: 'facts'; rows: readonly (readonly [string, string])[] }
	/** A table; `widths` are fractions of the text width, one per column. */
	| {
			kind: 'table';
			columns: readonly string[];
			widths: readonly number[];
			rows: readonly (readonly string[])[];
			empty: string;
	  };

export interface PdfLayout {
	/** The PDF's metadata title and the heading of the first page. */
	title: string;
	subtitle?: string;
	bodyName: string;
	logo: { bytes: Uint8Array; type: 'image/png' | 'image/jpeg' } | null;
	blocks: readonly PdfBlock[];
	/** A QR code of `url`, drawn beside the first blocks, with its caption under it. */
	qr: { url: string; caption: string } | null;
	/** Printed at the foot of every page, e.g. "Verification code … · generated … · check at …". */
	footer: string;
	/** "Page {page} of {pages}", with those two placeholders. */
	pageLabel: string;
	language: 'zh-CN' | 'en';
	generatedAt: Date;
	/** Kept in the PDF's metadata too (Subject): readers and scripts can find it there. */
	code: string;
}

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 56;
const FOOTER_HEIGHT = 36;
const QR_SIZE = 110;
const INK = '#1f2933';
const MUTED = '#52606d';
const RULE = '#cbd2d9';

function allText(layout: PdfLayout): string {
	const parts = [layout.title, layout.subtitle ?? '', layout.bodyName, layout.footer];
	parts.push(layout.pageLabel, layout.qr?.caption ?? '');
	for (const block of layout.blocks) {
		if (block.kind === 'facts') for (const [label, value] of block.rows) parts.push(label, value);
		else if (block.kind === 'table')
			parts.push(...block.columns, ...block.rows.flat(), block.empty);
		else parts.push(block.text);
	}
	return [...new Set(parts.join(''))].join('');
}

/** The layout as PDF bytes. */
export async function renderPdf(layout: PdfLayout): Promise<Buffer> {
	const text = allText(layout);
	const [regular, bold, qr] = await Promise.all([
		fontSubset('regular', text),
		fontSubset('bold', text),
		layout.qr ? qrPng(layout.qr.url) : Promise.resolve(null)
	]);
	const doc = new PDFDocument({
		size: A4,
		margins: { top: MARGIN, bottom: MARGIN + FOOTER_HEIGHT, left: MARGIN, right: MARGIN },
		autoFirstPage: false,
		bufferPages: true,
		// No standard font: pdfkit would read Helvetica's metrics from disk, and no text uses it.
		font: null as unknown as string,
		lang: layout.language,
		displayTitle: true,
		info: {
			Title: layout.title,
			Author: layout.bodyName,
			Subject: layout.code,
			Creator: 'CertTrack',
			CreationDate: layout.generatedAt
		}
	});
	const chunks: Buffer[] = [];
	doc.on('data', (chunk: Buffer) => chunks.push(chunk));
	const done = new Promise<Buffer>((resolve, reject) => {
		doc.on('end', () => resolve(Buffer.concat(chunks)));
		doc.on('error', reject);
	});
	doc.registerFont('regular', regular);
	doc.registerFont('bold', bold);
	doc.addPage();
	const width = A4[0] - 2 * MARGIN;

	// Header: the logo (if the body has one) and its name, then a rule.
	let top = MARGIN;
	if (layout.logo) {
		try {
			doc.image(Buffer.from(layout.logo.bytes), MARGIN, top, { fit: [120, 40] });
		} catch {
			// A logo pdfkit cannot read (a damaged upload) leaves the header text-only.
		}
	}
	doc
		.font('bold')
		.fontSize(11)
		.fillColor(MUTED)
		.text(layout.bodyName, MARGIN + 130, top + 12, { width: width - 130, align: 'right' });
	top += 50;
	doc
		.moveTo(MARGIN, top)
		.lineTo(MARGIN + width, top)
		.strokeColor(RULE)
		.stroke();
	doc.y = top + 16;
	doc.x = MARGIN;

	const textWidth = layout.qr ? width - QR_SIZE - 16 : width;
	doc
		.font('bold')
		.fontSize(20)
		.fillColor(INK)
		.text(layout.title, MARGIN, doc.y, { width: textWidth });
	if (layout.subtitle)
		doc.font('regular').fontSize(11).fillColor(MUTED).text(layout.subtitle, { width: textWidth });
	if (qr && layout.qr) {
		const qrTop = top + 16;
		doc.image(qr, MARGIN + width - QR_SIZE, qrTop, { width: QR_SIZE, height: QR_SIZE });
		doc
			.font('regular')
			.fontSize(8)
			.fillColor(MUTED)
			.text(layout.qr.caption, MARGIN + width - QR_SIZE - 10, qrTop + QR_SIZE + 2, {
				width: QR_SIZE + 20,
				align: 'center'
			});
		doc.x = MARGIN;
		doc.y = Math.max(doc.y, top + 16 + 40);
	}
	doc.moveDown(0.8);
	// The blocks start below the QR code, across the whole width.
	if (qr) doc.y = Math.max(doc.y, top + 16 + QR_SIZE + 24);

	for (const block of layout.blocks) {
		if (block.kind === 'heading') {
			// A heading keeps at least two lines of what it heads on its page.
			if (doc.y + 70 > doc.page.maxY()) doc.addPage();
			else doc.moveDown(0.6);
			doc.font('bold').fontSize(13).fillColor(INK).text(block.text, MARGIN, doc.y, {
				width
			});
			doc.moveDown(0.3);
		} else if (block.kind === 'paragraph') {
			doc.font('regular').fontSize(10.5).fillColor(INK).text(block.text, MARGIN, doc.y, {
				width,
				lineGap: 2
			});
			doc.moveDown(0.4);
		} else if (block.kind === 'facts') {
			for (const [label, value] of block.rows) factRow(doc, label, value, width);
			doc.moveDown(0.4);
		} else {
			table(doc, block, width);
			doc.moveDown(0.4);
		}
	}

	// The footer on every page, once the number of pages is known.
	const range = doc.bufferedPageRange();
	for (let index = 0; index < range.count; index++) {
		doc.switchToPage(range.start + index);
		const footerTop = A4[1] - MARGIN - FOOTER_HEIGHT + 8;
		// Drawing inside the bottom margin must not add a page.
		const bottom = doc.page.margins.bottom;
		doc.page.margins.bottom = 0;
		doc
			.moveTo(MARGIN, footerTop)
			.lineTo(MARGIN + width, footerTop)
			.strokeColor(RULE)
			.stroke();
		doc
			.font('regular')
			.fontSize(8)
			.fillColor(MUTED)
			.text(layout.footer, MARGIN, footerTop + 6, { width: width - 70, lineGap: 1 });
		const label = layout.pageLabel
			.replace('{page}', String(index + 1))
			.replace('{pages}', String(range.count));
		doc.text(label, MARGIN + width - 70, footerTop + 6, { width: 70, align: 'right' });
		doc.page.margins.bottom = bottom;
	}
	doc.end();
	return done;
}

function factRow(doc: PDFKit.PDFDocument, label: string, value: string, width: number) {
	const labelWidth = Math.min(140, width * 0.35);
	const y = doc.y;
	doc.font('regular').fontSize(10).fillColor(MUTED);
	const labelHeight = doc.heightOfString(label, { width: labelWidth - 8 });
	doc.font('regular').fontSize(10.5);
	const valueHeight = doc.heightOfString(value || '—', { width: width - labelWidth });
	const height = Math.max(labelHeight, valueHeight);
	if (y + height > doc.page.maxY()) doc.addPage();
	const rowTop = doc.y;
	doc
		.font('regular')
		.fontSize(10)
		.fillColor(MUTED)
		.text(label, MARGIN, rowTop, {
			width: labelWidth - 8
		});
	doc
		.font('regular')
		.fontSize(10.5)
		.fillColor(INK)
		.text(value || '—', MARGIN + labelWidth, rowTop, { width: width - labelWidth });
	doc.x = MARGIN;
	doc.y = rowTop + height + 4;
}

function table(
	doc: PDFKit.PDFDocument,
	block: Extract<PdfBlock, { kind: 'table' }>,
	width: number
) {
	const widths = block.widths.map((fraction) => fraction * width);
	const pad = 4;
	const row = (cells: readonly string[], font: 'regular' | 'bold', color: string) => {
		doc.font(font).fontSize(9);
		const height =
			Math.max(
				...cells.map((cell, i) =>
					doc.heightOfString(cell || '—', { width: (widths[i] ?? 0) - 2 * pad })
				)
			) +
			2 * pad;
		if (doc.y + height > doc.page.maxY()) doc.addPage();
		const top = doc.y;
		let x = MARGIN;
		cells.forEach((cell, i) => {
			doc
				.font(font)
				.fontSize(9)
				.fillColor(color)
				.text(cell || '—', x + pad, top + pad, { width: (widths[i] ?? 0) - 2 * pad });
			x += widths[i] ?? 0;
		});
		doc
			.moveTo(MARGIN, top + height)
			.lineTo(MARGIN + width, top + height)
			.strokeColor(RULE)
			.stroke();
		doc.x = MARGIN;
		doc.y = top + height;
	};
	row(block.columns, 'bold', INK);
	if (block.rows.length === 0) {
		doc
			.font('regular')
			.fontSize(9.5)
			.fillColor(MUTED)
			.text(block.empty, MARGIN + pad, doc.y + pad);
		return;
	}
	for (const cells of block.rows) row(cells, 'regular', INK);
}
