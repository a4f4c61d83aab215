import { getDocument, OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';
import jsQR from 'jsqr';

/*
 * Reading a generated PDF back, as a reader's PDF viewer would: its text through PDF.js (so the
 * embedded font's ToUnicode map is what is checked: a Chinese name reads back only if its glyphs
 * were embedded right), and its images decoded, so a QR code can be scanned.
 */

async function open(bytes: Uint8Array) {
	return getDocument({
		data: new Uint8Array(bytes),
		isEvalSupported: false,
		useSystemFonts: false,
		isOffscreenCanvasSupported: false,
		verbosity: 0
	}).promise;
}

/** Every page's text, joined (items with no space between, lines with a newline). */
export async function pdfText(bytes: Uint8Array): Promise<string> {
	const pdf = await open(bytes);
	const pages: string[] = [];
	for (let number = 1; number <= pdf.numPages; number++) {
		const page = await pdf.getPage(number);
		const content = await page.getTextContent();
		pages.push(
			content.items
				.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : ''))
				.join('')
		);
	}
	await pdf.destroy();
	return pages.join('\n');
}

/** The metadata PDF.js reads (Title, Subject …). */
export async function pdfInfo(bytes: Uint8Array) {
	const pdf = await open(bytes);
	const { info } = await pdf.getMetadata();
	const pages = pdf.numPages;
	await pdf.destroy();
	return { info: info as Record<string, unknown>, pages };
}

interface DecodedImage {
	width: number;
	height: number;
	/** 1: grey, 2: RGB, 3: RGBA (PDF.js ImageKind). */
	kind: number;
	data: Uint8ClampedArray;
}

/** The text of every QR code drawn as an image on the first page. */
export async function pdfQrCodes(bytes: Uint8Array): Promise<string[]> {
	const pdf = await open(bytes);
	const page = await pdf.getPage(1);
	const operators = await page.getOperatorList();
	const found: string[] = [];
	for (let i = 0; i < operators.fnArray.length; i++) {
		if (operators.fnArray[i] !== OPS.paintImageXObject) continue;
		const name = operators.argsArray[i][0] as string;
		const image = await new Promise<DecodedImage>((resolve) => page.objs.get(name, resolve));
		const rgba = new Uint8ClampedArray(image.width * image.height * 4);
		const stride = Math.ceil(image.width / 8);
		for (let p = 0; p < image.width * image.height; p++) {
			const x = p % image.width;
			const y = Math.floor(p / image.width);
			for (let c = 0; c < 3; c++)
				rgba[p * 4 + c] =
					image.kind === 1
						? ((image.data[y * stride + (x >> 3)] ?? 0) >> (7 - (x & 7))) & 1
							? 255
							: 0
						: (image.data[p * (image.kind === 2 ? 3 : 4) + c] ?? 0);
			rgba[p * 4 + 3] = 255;
		}
		const code = jsQR(rgba, image.width, image.height);
		if (code) found.push(code.data);
	}
	await pdf.destroy();
	return found;
}
