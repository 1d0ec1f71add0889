import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStorage, StorageClosedError, type StorageOptions } from '../../src/storage-adapters/index.js';
import { newTally, writeFaultTally } from './_faults.js';

/**
 * A service holding a Keyv instance from before shutdown (a timer that fires late) writes after storage closed: the
 * write is refused with StorageClosedError, and the next process does not find it.
 */
describe.each(['file', 'sqlite'] as const)('writes after close: %s', (adapter) => {
	const dataDir = mkdtempSync(join(tmpdir(), `supreme-after-close-${adapter}-`));
	afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
	const options: StorageOptions = {
		adapter,
		dataDir,
		sqlitePath: join(dataDir, 'bot.sqlite'),
		redisUrl: '',
		backupDir: join(dataDir, 'backups'),
		backupKeep: 5
	};

	it('are refused, and never appear later', async () => {
		const tally = newTally('write-after-close', adapter);
		const storage = await openStorage(options);
		const rows = storage.namespace<number>('rows');
		await rows.set('before', 1);
		await storage.close();
		const writes: Array<() => Promise<unknown>> = [
			() => rows.set('late', 2),
			() => rows.delete('before'),
			() => rows.clear(),
			() => storage.update('rows', 'late', () => 3)
		];
		for (const write of writes) {
			const refused = await Promise.resolve()
				.then(write)
				.then(
					() => null,
					(error: unknown) => error
				);
			expect(refused).toBeInstanceOf(StorageClosedError);
		}
		const reopened = await openStorage(options);
		const after = reopened.namespace<number>('rows');
		tally.rounds = 1;
		tally.acknowledged = 1;
		tally.lost = (await after.get('before')) === 1 ? 0 : 1;
		tally.phantom = (await after.get('late')) === undefined ? 0 : 1;
		tally.recovered = tally.lost + tally.phantom === 0 ? 1 : 0;
		await reopened.close();
		writeFaultTally(tally);
		expect(tally).toMatchObject({ lost: 0, phantom: 0 });
	});
});
