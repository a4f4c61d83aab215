import { sveltekit } from '@sveltejs/kit/vite';
import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { defineConfig } from 'vite';

export default defineConfig({
	plugins: [
		paraglideVitePlugin({
			project: './project.inlang',
			outdir: './src/lib/paraglide',
			strategy: ['cookie', 'baseLocale']
		}),
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
			'nodemailer'
		]
	}
});
