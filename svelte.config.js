import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter({ out: 'build' }),
		// One same-origin rule for form actions, uploads and tRPC (src/lib/server/http/same-origin.ts,
		// applied in hooks.server.ts), so SvelteKit's own form check stands aside.
		csrf: { trustedOrigins: ['*'] },
		// Issue 8 item 19. Scripts only from this origin, plus SvelteKit's own inline start-up
		// script by nonce (hash on prerendered pages). style-src keeps 'unsafe-inline': components
		// set style attributes (widths, colours), which no nonce or hash can cover.
		// frame-ancestors is sent as a header on every page (it is ignored in a <meta> tag).
		csp: {
			mode: 'auto',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				'style-src': ['self', 'unsafe-inline'],
				'img-src': ['self', 'data:'],
				'font-src': ['self'],
				'connect-src': ['self'],
				'form-action': ['self'],
				'frame-ancestors': ['none'],
				'base-uri': ['self'],
				'object-src': ['none']
			}
		},
		typescript: {
			// Type-check the code that lives beside src/: migrations, seed, jobs, tests.
			config: (tsconfig) => {
				tsconfig.include.push('../db/**/*.ts', '../jobs/**/*.ts', '../tests/**/*.ts');
			}
		}
	}
};

export default config;
