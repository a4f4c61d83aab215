import { sveltekit } from '@sveltejs/kit/vite';
import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { defineConfig } from 'vite';

// Tests build the app while other test files import the compiled messages: there the messages
// were compiled once by `npm test` (npm run i18n), and the build must not rewrite them underneath.
const compileMessages = process.env.CERTTRACK_MESSAGES_COMPILED !== '1';

export default defineConfig({
	plugins: [
		...(compileMessages
			? [
					paraglideVitePlugin({
						project: './project.inlang',
						outdir: './src/lib/paraglide',
						strategy: ['cookie', 'baseLocale']
					})
				]
			: []),
		sveltekit()
	],
	ssr: {
		// Native and WASM packages must be loaded by Node, not bundled.
		external: [
			'@electric-sql/pglite',
			'@node-rs/argon2',
			'bullmq',
			'ioredis',
			'postgres',
			'nodemailer',
			// harfbuzz (WASM) and the WOFF2 decoder: the printed documents' fonts.
			'subset-font',
			'fontverter',
			'pdfkit'
		]
	}
});
