import { afterAll, afterEach } from 'vitest';
import { formatMismatch, pendingSpecMismatches } from './emulator/spec.js';

/**
 * Fails the test during which the bot sent, or the emulator answered, a body that Discord's OpenAPI description does
 * not allow (tests/harness/emulator/spec.ts). A vitest setup file, so every test that uses the emulator gets it.
 */
function failOnMismatches(): void {
	if (pendingSpecMismatches.length === 0) return;
	const seen = [...new Set(pendingSpecMismatches.splice(0).map(formatMismatch))];
	throw new Error(`REST bodies that disagree with discord-api-spec:\n${seen.map((line) => `  ${line}`).join('\n')}`);
}

afterEach(failOnMismatches);
afterAll(failOnMismatches);
