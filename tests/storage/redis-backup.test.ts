import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { redisAvailable } from '../helpers/redis.js';
import { useRedisStorage } from '../helpers/storage.js';

const DATABASE = 8;
const NAMESPACES = ['invites', 'settings'];
const SIZE = 4000;

describe.skipIf(!redisAvailable)('Redis backups are a point-in-time copy', () => {
	const redis = useRedisStorage(DATABASE);

	it('shows one instant of the data while another process keeps writing', { timeout: 120_000 }, async () => {
		const storage = await redis.fixture.open({ namespaces: NAMESPACES });
		await storage.importEntries(
			'invites',
			Array.from({ length: SIZE }, (_, index) => [`k${index}`, { value: 0 }])
		);
		const writerStorage = await redis.fixture.open({ namespaces: NAMESPACES });
		const invites = writerStorage.namespace<number>('invites');
		// Round r sets k0, k1, ... to r one after another: at any instant k0..k(p-1) hold r and the rest r-1, so a copy
		// of one instant has values that never rise with the index and differ by at most one.
		let writing = true;
		let writes = 0;
		const writer = (async () => {
			for (let round = 1; writing; round++) {
				for (let index = 0; index < SIZE && writing; index++) {
					await invites.set(`k${index}`, round);
					writes++;
				}
			}
		})();
		const problems: string[] = [];
		// Backups until the writer has done a fair amount of work meanwhile.
		for (let attempt = 0; attempt < 4 || (writes < SIZE / 10 && attempt < 50); attempt++) {
			const backup = await storage.backup('manual');
			const lines = (await readFile(join(backup.path, 'invites.jsonl'), 'utf8')).trim().split('\n');
			const values = new Map(
				lines.map((line) => {
					const { key, value } = JSON.parse(line) as { key: string; value: string };
					return [Number(key.slice(1)), (JSON.parse(value) as { value: number }).value] as const;
				})
			);
			expect(values.size).toBe(SIZE);
			for (let index = 1; index < SIZE; index++) {
				if (values.get(index)! > values.get(index - 1)!)
					problems.push(`backup ${attempt}: k${index} = ${values.get(index)} after k${index - 1} = ${values.get(index - 1)}`);
			}
			const all = [...values.values()];
			if (Math.max(...all) - Math.min(...all) > 1) problems.push(`backup ${attempt}: values from ${Math.min(...all)} to ${Math.max(...all)}`);
		}
		writing = false;
		await writer;
		expect(writes, 'the writer ran during the backups').toBeGreaterThan(SIZE / 10);
		expect(problems.slice(0, 5)).toEqual([]);
		// The copy is gone once the backup is written.
		expect(await redis.raw.keys('supreme:backup-snapshot:*')).toEqual([]);
	});

	it('removes the copy of a backup whose process died, at the next open, and nothing else', async () => {
		const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid!;
		const lease = 'supreme:backup-snapshot:0d7c9a51-2f4e-4c07-9d8e-5b0a4a1d2c3e';
		await redis.raw.set(lease, JSON.stringify({ startedAt: new Date().toISOString(), host: hostname(), pid: dead }), { PX: 600_000 });
		await redis.raw.set(`${lease}:invites::k1`, JSON.stringify({ value: 1 }));
		await redis.raw.set('supreme:invites::k1', JSON.stringify({ value: 2 }));
		const storage = await redis.fixture.open({ namespaces: NAMESPACES });
		expect(await redis.raw.keys('supreme:backup-snapshot:*')).toEqual([]);
		expect(await storage.namespace('invites').get('k1')).toBe(2);
		expect((await storage.status()).counts).toEqual({ invites: 1, settings: 0 });
		expect(redis.fixture.logs).toContain('info Removed the snapshot copy of a backup that did not finish (2 keys)');
	});
});
