import { defineConfig } from 'vitest/config';

export default defineConfig({
	test: {
		include: ['tests/**/*.test.ts', 'examples/**/*.test.ts'],
		// Every REST body checked against Discord's OpenAPI description (tests/harness/emulator/spec.ts).
		setupFiles: ['tests/harness/spec-check.ts'],
		testTimeout: 30_000,
		hookTimeout: 60_000,
		// Suites share one Redis server and spawn bot processes; two cores run them best one file at a time.
		fileParallelism: false
	}
});
