import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter({ out: 'build' }),
		// tRPC mutations carry their own Origin check; form actions keep SvelteKit's.
		csrf: { trustedOrigins: [] },
		typescript: {
			// Type-check the code that lives beside src/: migrations, seed, jobs, tests.
			config: (tsconfig) => {
				tsconfig.include.push('../db/**/*.ts', '../jobs/**/*.ts', '../tests/**/*.ts');
			}
		}
	}
};

export default config;
