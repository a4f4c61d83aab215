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
		typescript: {
			// Type-check the code that lives beside src/: migrations, seed, jobs, tests.
			config: (tsconfig) => {
				tsconfig.include.push('../db/**/*.ts', '../jobs/**/*.ts', '../tests/**/*.ts');
			}
		}
	}
};

export default config;
