import { mkdtempSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openStorage, type StorageOptions } from '../../src/storage-adapters/index.js';
import { mountSmallDisk, newTally, writeFaultTally } from './_faults.js';
import { ROUNDS } from './_shared.js';

function sqliteOptions(dataDir: string): StorageOptions {
	return { adapter: 'sqlite', dataDir, sqlitePath: join(dataDir, 'bot.sqlite'), redisUrl: '', backupDir: join(dataDir, 'backups'), backupKeep: 5 };
}

/** Everything but proven damage (a lock held by another connection, a full disk) must fail the open and leave the database alone. */
describe('SQLite errors that are not damage', () => {
	const scratch: string[] = [];
	afterAll(() => {
		for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
	});

	it(`a second connection holding an exclusive lock: the open fails naming it, the database is kept, over ${Math.min(ROUNDS, 10)} rounds`, async () => {
		const tally = newTally('sqlite-locked', 'sqlite');
		const dataDir = mkdtempSync(join(tmpdir(), 'supreme-sqlite-locked-'));
		scratch.push(dataDir);
		const options = sqliteOptions(dataDir);
		const acknowledged: string[] = [];
		for (let round = 0; round < Math.min(ROUNDS, 10); round++) {
			let storage = await openStorage(options);
			await storage.backup('startup');
			await storage.namespace('rows').set(`acked-${round}`, round);
			acknowledged.push(`acked-${round}`);
			await storage.close();

			const locker = new Database(options.sqlitePath);
			locker.pragma('locking_mode = EXCLUSIVE');
			locker.exec('BEGIN EXCLUSIVE');
			const failure = await openStorage(options).then(
				(opened) => opened.close().then(() => null),
				(error: Error) => error
			);
			locker.exec('COMMIT');
			locker.close();
			expect(failure?.message).toMatch(/^Cannot open the SQLite database .*bot\.sqlite: database is locked$/);
			expect((failure?.cause as { code?: string } | undefined)?.code).toBe('SQLITE_BUSY');
			expect(readdirSync(dataDir).filter((name) => name.includes('.damaged-'))).toEqual([]);

			storage = await openStorage(options);
			const rows = storage.namespace<number>('rows');
			const lost = (await Promise.all(acknowledged.map(async (key) => ((await rows.get(key)) === undefined ? 1 : 0)))).reduce<number>(
				(sum, missing) => sum + missing,
				0
			);
			await storage.close();
			tally.rounds++;
			tally.lost += lost;
			if (lost === 0) tally.recovered++;
		}
		tally.acknowledged = acknowledged.length;
		writeFaultTally(tally);
		expect(tally.lost).toBe(0);
	}, 120_000);

	it('a full disk at open: the open fails or succeeds, but never sets the database aside', async () => {
		const disk = mountSmallDisk('256k');
		try {
			const options = sqliteOptions(join(disk.path, 'data'));
			options.backupDir = mkdtempSync(join(tmpdir(), 'supreme-sqlite-full-backups-'));
			scratch.push(options.backupDir);
			let storage = await openStorage(options);
			await storage.namespace('rows').set('acked', 1);
			await storage.backup('startup');
			await storage.namespace('rows').set('acked', 2);
			await storage.close();
			const filler = join(disk.path, 'filler');
			const info = statfsSync(disk.path);
			writeFileSync(filler, Buffer.alloc(info.bavail * info.bsize));
			const failure = await openStorage(options).then(
				(opened) => opened.close().then(() => null),
				(error: Error) => error
			);
			rmSync(filler);
			expect(
				readdirSync(options.dataDir).filter((name) => name.includes('.damaged-')),
				`open on a full disk: ${failure?.message}`
			).toEqual([]);
			storage = await openStorage(options);
			expect(await storage.namespace('rows').get('acked')).toBe(2);
			await storage.close();
		} finally {
			disk.dispose();
		}
	});
});
