import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../dist/cli/index.js', import.meta.url));

export interface CliResult {
	code: number | null;
	stdout: string;
	stderr: string;
}

/** The built data CLI as a child process, as an operator runs it; bot settings of the developer's shell are not inherited. */
export function runDataCli(args: string[], env: Record<string, string>): Promise<CliResult> {
	const inherited = { ...process.env };
	for (const key of ['STORAGE_ADAPTER', 'DATA_DIR', 'SQLITE_PATH', 'REDIS_URL', 'BACKUP_DIR', 'BACKUP_KEEP', 'DISCORD_TOKEN'])
		delete inherited[key];
	const child = spawn(process.execPath, [CLI, ...args], {
		cwd: env.DATA_DIR && existsSync(env.DATA_DIR) ? env.DATA_DIR : tmpdir(),
		env: { ...inherited, ...env },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let stdout = '';
	let stderr = '';
	// Decoded as a stream: a character whose bytes straddle two pipe chunks must not turn into two replacement marks.
	child.stdout.setEncoding('utf8');
	child.stderr.setEncoding('utf8');
	child.stdout.on('data', (chunk) => (stdout += chunk));
	child.stderr.on('data', (chunk) => (stderr += chunk));
	return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}
