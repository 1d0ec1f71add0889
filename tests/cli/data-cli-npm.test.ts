// The data CLI in the forms the README documents for redirected output: stdout holds the results and nothing else
// (npm prints its `> supreme-bot@… data` banner on stdout unless --silent, which is why the README says -s).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage-adapters/index.js';

const REPO = resolve('.');
let dataDir: string;

beforeAll(async () => {
	dataDir = mkdtempSync(join(tmpdir(), 'supreme-cli-npm-'));
	const storage = await openStorage({
		adapter: 'file',
		dataDir,
		sqlitePath: join(dataDir, 'bot.sqlite'),
		redisUrl: 'redis://127.0.0.1:1',
		backupDir: join(dataDir, 'backups'),
		backupKeep: 20
	});
	try {
		await storage.namespace('settings').set('guild-1', { welcome: { message: 'Hi {user}' } });
	} finally {
		await storage.close();
	}
});

afterAll(() => {
	rmSync(dataDir, { recursive: true, force: true });
});

function run(command: string, args: string[]) {
	const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir, STORAGE_ADAPTER: 'file' };
	return spawnSync(command, args, { cwd: REPO, env, encoding: 'utf8' });
}

describe('data CLI output is safe to redirect', () => {
	it.each([
		['npm run --silent data -- export --format json', 'npm', ['run', '--silent', 'data', '--', 'export', '--format', 'json']],
		['npm run -s data -- backups --json', 'npm', ['run', '-s', 'data', '--', 'backups', '--json']],
		['node dist/cli/index.js export --format json', process.execPath, ['dist/cli/index.js', 'export', '--format', 'json']]
	])('%s prints only JSON on stdout', (_form, command, args) => {
		const result = run(command, args as string[]);
		expect(result.status, result.stderr).toBe(0);
		const parsed = JSON.parse(result.stdout);
		if (!Array.isArray(parsed)) expect(JSON.stringify(parsed)).toContain('Hi {user}');
	});
});
