import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStorage, type BackendStorage, type StorageOptions } from '../../src/storage-adapters/index.js';
import { newTally, restoreLayout, writeFaultTally } from './_faults.js';
import { FULL, ROUNDS, unreadableDataFiles } from './_shared.js';

const child = join(import.meta.dirname, 'fixtures', 'restore-child.ts');

function options(adapter: 'file' | 'sqlite', dataDir: string, backupKeep: number): StorageOptions {
	return { adapter, dataDir, sqlitePath: join(dataDir, 'bot.sqlite'), redisUrl: '', backupDir: join(dataDir, 'backups'), backupKeep };
}

describe.each(['file', 'sqlite'] as const)('restores that keep their backup and survive a crash: %s', (adapter) => {
	const scratch: string[] = [];
	const fresh = () => {
		const dir = mkdtempSync(join(tmpdir(), `supreme-restore-${adapter}-`));
		scratch.push(dir);
		return dir;
	};
	afterAll(() => {
		for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
	});

	// The safety backup a restore makes first used to prune the backup being restored when it was the oldest kept.
	it.each([1, 2])('restores the oldest kept backup with BACKUP_KEEP=%i', async (keep) => {
		const storage = await openStorage(options(adapter, fresh(), keep));
		const rows = storage.namespace<string>('rows');
		await rows.set('key', 'old');
		const target = await storage.backup('manual');
		for (let index = 1; index < keep; index++) await storage.backup('manual');
		await rows.set('key', 'new');
		const { before } = await storage.restore(target.id);
		expect(await rows.get('key')).toBe('old');
		const kept = (await storage.listBackups()).map((backup) => backup.id);
		expect(kept).toContain(before.id);
		await storage.close();
	});

	/**
	 * SIGKILL at a random moment of a restore (6 namespaces, the live ones with journals that hold newer changes): after
	 * a restart every namespace holds either the state before the restore or the backup's, all of them the same one.
	 */
	it(`is all or nothing when killed at a random moment, over ${FULL ? 50 : ROUNDS * 3} kills`, async () => {
		const tally = newTally('kill-during-restore', adapter);
		let restoreMs = 0;
		for (let trial = 0; trial <= (FULL ? 50 : ROUNDS * 3); trial++) {
			const dataDir = fresh();
			const layout = restoreLayout(adapter, dataDir);
			let storage: BackendStorage = await openStorage(layout);
			for (const [namespace, keys] of layout.layout) await Promise.all(keys.map((key) => storage.namespace(namespace).set(key, 'b')));
			const backup = await storage.backup('manual');
			await storage.close();

			// The first run is not killed: it measures how long a restore takes, so that the kills land inside one.
			const killAfter = trial === 0 ? null : randomInt(0, Math.max(2, Math.round(restoreMs * 1.2)));
			const outcome = await runChild(adapter, dataDir, backup.id, killAfter);
			if (trial === 0) {
				expect(outcome.restoredMs, 'the unkilled restore did not finish').not.toBeNull();
				restoreMs = outcome.restoredMs!;
				continue;
			}

			storage = await openStorage(layout);
			const seen = new Map<string, number>();
			let missing = 0;
			for (const [namespace, keys] of layout.layout) {
				const values = await storage.namespace<string>(namespace).getMany(keys);
				for (const value of values) {
					if (value === undefined) missing++;
					else seen.set(value, (seen.get(value) ?? 0) + 1);
				}
			}
			await storage.close();
			tally.rounds++;
			// Before the restore, "a" everywhere was acknowledged; a restore that finished (its promise resolved) promised "b".
			const expected = outcome.restoredMs === null ? null : ['b'];
			const states = [...seen.keys()].sort();
			const whole = missing === 0 && states.length === 1 && (expected === null || states[0] === expected[0]);
			tally.acknowledged += layout.layout.length * layout.layout[0]![1].length;
			if (whole) tally.recovered++;
			else tally.lost += missing + Math.min(...[...seen.values()]);
			expect(unreadableDataFiles(dataDir)).toEqual([]);
			expect({ trial, killAfter, missing, states: Object.fromEntries(seen) }).toEqual({
				trial,
				killAfter,
				missing: 0,
				states: { [states[0]!]: seen.get(states[0]!) }
			});
		}
		writeFaultTally(tally);
		expect(tally.recovered).toBe(tally.rounds);
		// Each trial starts a process and writes 12,000 keys: the full 50 take many minutes on a loaded machine.
	}, 1_200_000);
});

/** Runs the restoring child; kills it `killAfter` ms after it says "restoring" (null: lets it finish). */
async function runChild(adapter: string, dataDir: string, backupId: string, killAfter: number | null): Promise<{ restoredMs: number | null }> {
	const process_ = spawn(process.execPath, ['--import', 'tsx', child, adapter, dataDir, backupId], { stdio: ['ignore', 'pipe', 'pipe'] });
	let stderr = '';
	let stdout = '';
	process_.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
	let killScheduled = false;
	process_.stdout.setEncoding('utf8').on('data', (chunk: string) => {
		stdout += chunk;
		if (killAfter === null || killScheduled || !stdout.includes('restoring\n')) return;
		killScheduled = true;
		// The child is now somewhere inside its restore (or just done with it).
		setTimeout(() => process_.kill('SIGKILL'), killAfter);
	});
	const code = await new Promise<number | null>((resolve) => process_.on('exit', (exitCode) => resolve(exitCode)));
	if (!stdout.includes('restoring\n')) throw new Error(`the restoring child exited (${code}) before its restore:\n${stderr}`);
	const restored = /restored (\d+)/.exec(stdout);
	return { restoredMs: restored ? Number(restored[1]) : null };
}
