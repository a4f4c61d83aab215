import QRCode from 'qrcode';

/*
 * QR codes of public verification pages (issue 13 item 2), made with npm `qrcode`: the same
 * modules as an inline SVG path (no markup injected into the page), an SVG file and a PNG.
 */

/** Quiet zone around the code, in modules (ISO/IEC 18004 asks for four). */
const MARGIN = 4;

export interface QrDrawing {
	/** Width and height in modules, quiet zone included. */
	size: number;
	/** One SVG path of the dark modules. */
	path: string;
}

export function qrDrawing(text: string): QrDrawing {
	const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
	let path = '';
	for (let row = 0; row < modules.size; row++)
		for (let column = 0; column < modules.size; column++)
			if (modules.get(row, column)) path += `M${column + MARGIN} ${row + MARGIN}h1v1h-1z`;
	return { size: modules.size + 2 * MARGIN, path };
}

export function qrSvg(text: string): Promise<string> {
	return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: MARGIN });
}

export function qrPng(text: string): Promise<Buffer> {
	return QRCode.toBuffer(text, {
		type: 'png',
		errorCorrectionLevel: 'M',
		margin: MARGIN,
		scale: 8
	});
}
