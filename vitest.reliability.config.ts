import { defineConfig } from 'vitest/config';

// `npm run test:reliability`: the reliability suite at full size (50 kill -9 rounds per adapter, every damage on every
// file). `npm test` runs the same files at CI size (RELIABILITY_ROUNDS=3, one damage per file).
export default defineConfig({
	test: {
		include: ['tests/reliability/**/*.test.ts'],
		// Every REST body checked against Discord's OpenAPI description (tests/harness/emulator/spec.ts).
		setupFiles: ['tests/harness/spec-check.ts'],
		testTimeout: 60_000,
		hookTimeout: 120_000,
		fileParallelism: false,
		env: {
			RELIABILITY_ROUNDS: process.env.RELIABILITY_ROUNDS ?? '50',
			RELIABILITY_FULL: process.env.RELIABILITY_FULL ?? '1'
		}
	}
});
