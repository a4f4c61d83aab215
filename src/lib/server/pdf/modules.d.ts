/* Neither package ships types; only what src/lib/server/pdf/fonts.ts calls. */

declare module 'subset-font' {
	export default function subsetFont(
		font: Buffer,
		text: string,
		options?: { targetFormat?: 'sfnt' | 'woff' | 'woff2' | 'truetype' }
	): Promise<Buffer>;
}

declare module 'fontverter' {
	export function convert(font: Buffer, toFormat: 'sfnt' | 'woff' | 'woff2'): Promise<Buffer>;
}
