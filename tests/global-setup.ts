import { randomBytes } from 'node:crypto';

/** One id per `vitest run`: test files share one build of the app (tests/support/server.ts). */
export default function setup() {
	process.env.CERTTRACK_TEST_RUN ??= `${Date.now()}-${randomBytes(4).toString('hex')}`;
}
