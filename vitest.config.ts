import { defineConfig } from 'vitest/config';
import { sveltekit } from '@sveltejs/kit/vite';

export default defineConfig({
	plugins: [sveltekit()],
	test: {
		include: ['tests/**/*.test.ts'],
		globalSetup: ['tests/global-setup.ts'],
		// Each integration file creates its own databases; two workers suit the 2-core machines.
		maxWorkers: 2,
		testTimeout: 30_000,
		hookTimeout: 120_000,
		reporters: ['default']
	}
});
