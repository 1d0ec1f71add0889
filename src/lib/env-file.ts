import { existsSync } from 'node:fs';
import { join } from 'node:path';

export type DotEnvResult = 'loaded' | 'absent' | 'unsupported';

/**
 * Loads `<cwd>/.env` into process.env when it exists; variables already set in the environment win.
 * `process.loadEnvFile` exists from Node 20.12; older versions report 'unsupported' instead of failing.
 */
export function loadDotEnv(cwd: string): DotEnvResult {
	const path = join(cwd, '.env');
	if (!existsSync(path)) return 'absent';
	if (typeof process.loadEnvFile !== 'function') return 'unsupported';
	process.loadEnvFile(path);
	return 'loaded';
}
