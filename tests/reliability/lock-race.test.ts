import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCK_FILE, openStorage, readLockHolder } from '../../src/storage-adapters/index.js';
import { spawnLockChild } from '../helpers/lock-holder.js';
import { newTally, writeFaultTally } from './_faults.js';
import { FULL } from './_shared.js';

const TRIALS = FULL ? 50 : 20;

describe('the file adapter data directory lock under contention', () => {
	const scratch: string[] = [];
	afterAll(() => {
		for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
	});

	/** A holder killed with SIGKILL leaves its lock behind; two processes then race for it at the same instant. */
	it(`lets exactly one of two racing processes take over a dead holder's lock, over ${TRIALS} trials`, async () => {
		const tally = newTally('lock-race', 'file');
		const outcomes: string[] = [];
		for (let trial = 0; trial < TRIALS; trial++) {
			const dataDir = mkdtempSync(join(tmpdir(), 'supreme-lock-race-'));
			scratch.push(dataDir);
			const holder = spawnLockChild('hold', dataDir);
			await holder.waitFor(/held/);
			await holder.kill('SIGKILL');
			const racers = [spawnLockChild('race', dataDir), spawnLockChild('race', dataDir)];
			await Promise.all(racers.map((racer) => racer.waitFor(/ready/)));
			for (const racer of racers) racer.child.stdin!.write('go\n');
			const results = await Promise.all(
				racers.map((racer) => racer.waitFor(/won|lost/).then((output) => (output.includes('won') ? 'won' : output.trim())))
			);
			await Promise.all(racers.map((racer) => racer.kill()));
			const winners = results.filter((result) => result === 'won').length;
			outcomes.push(`${trial}: ${winners} won${winners === 1 ? '' : ` (${results.join('; ')})`}`);
			tally.rounds++;
			tally.acknowledged++;
			if (winners === 1) tally.recovered++;
			else tally.lost++;
		}
		writeFaultTally(tally);
		expect(outcomes.filter((outcome) => !outcome.endsWith(': 1 won'))).toEqual([]);
		expect(outcomes).toHaveLength(TRIALS);
	}, 900_000);

	/** After a reboot (or in a container) the pid a dead holder wrote can belong to a live, unrelated process. */
	it('takes over a lock whose recorded pid now belongs to another live process', async () => {
		const dataDir = mkdtempSync(join(tmpdir(), 'supreme-lock-reused-pid-'));
		scratch.push(dataDir);
		const holder = spawnLockChild('hold', dataDir);
		await holder.waitFor(/held/);
		await holder.kill('SIGKILL');
		// Pid 1 is always alive; this process is alive too.
		for (const pid of [1, process.pid]) {
			writeFileSync(
				join(dataDir, LOCK_FILE),
				JSON.stringify({ pid, hostname: hostname(), startedAt: '2020-01-01T00:00:00.000Z', command: 'node dist/index.js' })
			);
			const storage = await openStorage({
				adapter: 'file',
				dataDir,
				sqlitePath: join(dataDir, 'bot.sqlite'),
				redisUrl: '',
				backupDir: join(dataDir, 'backups'),
				backupKeep: 5
			});
			expect(await readLockHolder(dataDir)).toMatchObject({ pid: process.pid });
			await storage.close();
		}
	});
});
