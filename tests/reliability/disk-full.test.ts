import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Keyv } from 'keyv';
import { openStorage, type BackendStorage, type StorageOptions } from '../../src/storage-adapters/index.js';
import { eventually } from '../helpers/eventually.js';
import { mountSmallDisk, newTally, writeFaultTally } from './_faults.js';
import { ROUNDS, unreadableDataFiles } from './_shared.js';

interface Row {
	round: number;
	index: number;
	pad: string;
}

/**
 * The disk fills up under a stream of writes (a real 256 KB tmpfs, filled to a random level each round), then space
 * is freed. Refused writes must never be readable, the storage must say it is failing, take writes again once there
 * is room, and after a restart hold every acknowledged write and none of the refused ones.
 */
describe.each(['file', 'sqlite'] as const)('a full disk under writes: %s', (adapter) => {
	let disk: ReturnType<typeof mountSmallDisk>;
	let backups: string;
	const tally = newTally('disk-full', adapter);

	beforeAll(() => {
		disk = mountSmallDisk('256k');
		backups = mkdtempSync(join(tmpdir(), `supreme-disk-full-backups-${adapter}-`));
	});

	afterAll(() => {
		writeFaultTally(tally);
		disk?.dispose();
		rmSync(backups, { recursive: true, force: true });
	});

	it(`loses no acknowledged write and shows no refused one, over ${ROUNDS} rounds`, async () => {
		for (let round = 0; round < ROUNDS; round++) {
			const dataDir = join(disk.path, `round-${round}`);
			const options: StorageOptions = {
				adapter,
				dataDir,
				sqlitePath: join(dataDir, 'bot.sqlite'),
				redisUrl: '',
				backupDir: join(backups, `round-${round}`),
				backupKeep: 5
			};
			const logs: string[] = [];
			const logger = { info: () => undefined, warn: (line: string) => logs.push(line), error: (line: string) => logs.push(line) };
			let storage: BackendStorage = await openStorage(options, logger);
			let rows: Keyv<Row> = storage.namespace<Row>('rows');
			await rows.set('first', { round, index: -1, pad: '' });
			const acknowledged = new Map<string, Row>([['first', { round, index: -1, pad: '' }]]);
			const refused = new Map<string, string>();

			// Leave a random few KB free, then write until the disk refuses, and one wave more.
			const filler = join(disk.path, 'filler');
			const free = () => {
				const info = statfsSync(disk.path);
				return info.bavail * info.bsize;
			};
			try {
				writeFileSync(filler, Buffer.alloc(Math.max(0, free() - randomInt(8, 48) * 1024)));
			} catch {
				// The filler itself met the limit: the disk is as full as it gets.
			}
			let index = 0;
			let wavesAfterFailure = 0;
			while (wavesAfterFailure < 2 && index < 5000) {
				const wave = Array.from({ length: 8 }, () => {
					const row: Row = { round, index: index++, pad: 'x'.repeat(randomInt(200, 900)) };
					const key = `row-${row.index}`;
					return rows.set(key, row).then(
						() => void acknowledged.set(key, row),
						(error: Error) => void refused.set(key, error.message)
					);
				});
				await Promise.all(wave);
				if (refused.size > 0) wavesAfterFailure++;
			}
			expect(refused.size, 'the disk never filled up').toBeGreaterThan(0);
			for (const key of refused.keys()) if ((await rows.get(key)) !== undefined) tally.phantom++;
			if (adapter === 'file') {
				expect([...new Set(refused.values())].filter((message) => !message.startsWith('storage is failing: '))).toEqual([]);
				const status = await storage.status();
				expect(status.healthy).toBe(false);
				expect(status.problem).toMatch(/^storage is failing: .*ENOSPC/);
			}

			// Room again: the storage takes writes again by itself (after its back-off).
			rmSync(filler, { force: true });
			const after: Row = { round, index: -2, pad: '' };
			let tookWritesAgain = false;
			await eventually(
				async () =>
					(tookWritesAgain = await rows.set('after-free', after).then(
						() => true,
						() => false
					)),
				'a write to succeed once the disk has room'
			);
			acknowledged.set('after-free', after);
			expect((await storage.status()).healthy).toBe(true);

			await storage.close();
			storage = await openStorage(options, logger);
			rows = storage.namespace<Row>('rows');
			let lostThisRound = 0;
			for (const [key, row] of acknowledged) if (JSON.stringify(await rows.get(key)) !== JSON.stringify(row)) lostThisRound++;
			let phantomsThisRound = 0;
			for (const key of refused.keys()) if ((await rows.get(key)) !== undefined) phantomsThisRound++;
			await storage.close();

			tally.rounds++;
			tally.acknowledged += acknowledged.size;
			tally.lost += lostThisRound;
			tally.phantom += phantomsThisRound;
			if (tookWritesAgain && lostThisRound === 0 && phantomsThisRound === 0) tally.recovered++;
			expect(unreadableDataFiles(dataDir)).toEqual([]);
			expect(logs.filter((line) => line.includes('damaged'))).toEqual([]);
			rmSync(dataDir, { recursive: true, force: true });
		}
		expect({ lost: tally.lost, phantom: tally.phantom }).toEqual({ lost: 0, phantom: 0 });
		expect(tally.recovered).toBe(tally.rounds);
	}, 120_000);
});
