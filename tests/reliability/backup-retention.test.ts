import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openStorage, type BackendStorage, type StorageOptions } from '../../src/storage-adapters/index.js';
import { newTally, writeFaultTally } from './_faults.js';
import { ROUNDS } from './_shared.js';

const CLI = fileURLToPath(new URL('../../dist/cli/index.js', import.meta.url));
const KEPT_FOR_A_REASON = ['manual', 'before-reset', 'before-restore-x', 'legacy-import'];

describe.each(['file', 'sqlite'] as const)('backup retention by reason, order by sequence: %s', (adapter) => {
	const scratch: string[] = [];
	const options = (backupKeep: number): StorageOptions => {
		const dataDir = mkdtempSync(join(tmpdir(), `supreme-retention-${adapter}-`));
		scratch.push(dataDir);
		return { adapter, dataDir, sqlitePath: join(dataDir, 'bot.sqlite'), redisUrl: '', backupDir: join(dataDir, 'backups'), backupKeep };
	};
	afterAll(() => {
		for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
	});

	const reasons = async (storage: BackendStorage) => (await storage.listBackups()).map((backup) => backup.reason);

	it('a restart loop neither adds startup backups while nothing changes nor prunes backups made for a reason', async () => {
		const settings = options(5);
		let storage = await openStorage(settings);
		await storage.namespace('rows').set('a', 1);
		for (const reason of KEPT_FOR_A_REASON) await storage.backup(reason);
		await storage.close();
		// Twenty starts that change nothing (Discord down, a bad token): each one's startup backup is skipped, the newest
		// backup already holds this state.
		for (let start = 0; start < 20; start++) {
			storage = await openStorage(settings);
			expect((await storage.backup('startup')).unchanged, `start ${start}`).toBe(true);
			await storage.close();
		}
		storage = await openStorage(settings);
		expect(await reasons(storage)).toEqual([...KEPT_FOR_A_REASON].reverse());
		// Starts that do change data: the startup backups push out each other, never the others.
		for (let start = 0; start < 10; start++) {
			await storage.namespace('rows').set('a', start + 2);
			expect((await storage.backup('startup')).unchanged).toBeUndefined();
		}
		expect((await reasons(storage)).sort()).toEqual(['startup', ...KEPT_FOR_A_REASON].sort());
		await storage.close();
	});

	it('removes a backup folder that was never sealed when it opens, saying so', async () => {
		const settings = options(5);
		const unsealed = join(settings.backupDir, '20260101T000000000Z-00-startup');
		mkdirSync(unsealed, { recursive: true });
		writeFileSync(join(unsealed, 'rows.json'), '{"half":');
		const lines: string[] = [];
		const logger = { info: () => undefined, warn: (line: string) => lines.push(line), error: (line: string) => lines.push(line) };
		const old = Date.now() / 1000 - 2 * 3600;
		execFileSync('touch', ['-d', `@${old}`, unsealed]);
		const storage = await openStorage(settings, logger);
		await storage.close();
		expect(readdirSync(settings.backupDir)).toEqual([]);
		expect(lines).toContainEqual(expect.stringMatching(/^Removed backup folder 20260101T000000000Z-00-startup: it was never finished/));
	});

	/** `faketime` runs the data CLI with the clock stepped back (and once forward): each backup it makes is the newest, and kept. */
	it(`keeps working with the clock stepped back, and the next process keeps its own new backup, over ${ROUNDS} steps`, async () => {
		const tally = newTally('clock-stepped-back', adapter);
		const settings = options(2);
		let storage = await openStorage(settings);
		await storage.namespace('rows').set('a', 0);
		await storage.backup('manual');
		await storage.backup('manual');
		await storage.close();
		for (let step = 1; step <= ROUNDS; step++) {
			const offset = `-${step * 30}d`;
			const made = await dataCli(['backup'], settings, offset);
			expect(made.code, made.stderr).toBe(0);
			const id = made.stdout.trim().split('\n').pop()!;
			expect(id).toMatch(/^\d{8}T\d{9}Z-\d{2}-cli$/);
			storage = await openStorage(settings);
			const kept = (await storage.listBackups()).map((backup) => backup.id);
			await storage.namespace('rows').set('a', step);
			await storage.close();
			tally.rounds++;
			tally.acknowledged++;
			if (kept[0] === id) tally.recovered++;
			else tally.lost++;
			expect(kept[0], `backup made at ${offset}: ${kept.join(', ')}`).toBe(id);
		}
		// Stepped forward a year, then right again: the backup made at the right time is still the newest and kept,
		// although the forward one's id sorts after it.
		const ahead = await dataCli(['backup'], settings, '+365d');
		expect(ahead.code, ahead.stderr).toBe(0);
		storage = await openStorage(settings);
		expect((await storage.listBackups())[0]!.id).toBe(ahead.stdout.trim().split('\n').pop());
		await storage.close();
		// The clock is right again: the next backup is the newest too, although its id sorts after the stepped-back ones.
		storage = await openStorage(settings);
		const now = await storage.backup('manual');
		expect((await storage.listBackups())[0]!.id).toBe(now.id);
		await storage.close();
		writeFaultTally(tally);
		expect(tally.lost).toBe(0);
	}, 600_000);
});

function dataCli(args: string[], settings: StorageOptions, fakeOffset: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
	const env = {
		...process.env,
		STORAGE_ADAPTER: settings.adapter,
		DATA_DIR: settings.dataDir,
		SQLITE_PATH: settings.sqlitePath,
		BACKUP_DIR: settings.backupDir,
		BACKUP_KEEP: String(settings.backupKeep)
	};
	const child = spawn('faketime', ['-f', fakeOffset, process.execPath, CLI, ...args], {
		cwd: settings.dataDir,
		env,
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let stdout = '';
	let stderr = '';
	child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
	child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
	return new Promise((resolve, reject) => {
		child.on('error', (error) => reject(new Error(`faketime is needed for this test (apt-get install faketime): ${error.message}`)));
		child.on('close', (code) => resolve({ code, stdout, stderr }));
	});
}
