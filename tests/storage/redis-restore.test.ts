import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { RedisClientType } from '@redis/client';
import { describe, expect, it } from 'vitest';
import type { BackendStorage } from '../../src/storage-adapters/index.js';
import { redisAvailable, redisTestUrl } from '../helpers/redis.js';
import { useRedisStorage } from '../helpers/storage.js';

const DATABASE = 4;
const NAMESPACES = ['invites', 'settings'];
/** Large enough that staging a restore takes many round trips, so a kill lands in the middle of it. */
const SIZE = 20_000;
const restorer = join(import.meta.dirname, 'fixtures', 'redis-restorer.ts');

/** State `tag`: every invites key and the settings key hold a value naming it. */
async function writeState(storage: BackendStorage, tag: string): Promise<void> {
	await storage.importEntries(
		'invites',
		Array.from({ length: SIZE }, (_, index) => [`k${index}`, { value: `${tag}-${index}` }])
	);
	await storage.importEntries('settings', [['g', { value: tag }]]);
}

/** Which state the live keys hold ('A', 'B'), or a description of the mix a broken restore left. */
async function liveState(raw: RedisClientType): Promise<string> {
	const tags = new Map<string, number>();
	const keys: string[] = [];
	for await (const batch of raw.scanIterator({ MATCH: 'supreme:invites::*', COUNT: 5000 })) keys.push(...batch);
	for (let start = 0; start < keys.length; start += 1000) {
		for (const value of await raw.mGet(keys.slice(start, start + 1000))) {
			const tag = String((JSON.parse(value!) as { value: string }).value).split('-')[0]!;
			tags.set(tag, (tags.get(tag) ?? 0) + 1);
		}
	}
	const settings = await raw.get('supreme:settings::g');
	const settingsTag = settings === null ? 'none' : (JSON.parse(settings) as { value: string }).value;
	if (tags.size === 1 && keys.length === SIZE && tags.has(settingsTag)) return settingsTag;
	return `a mix: ${keys.length} invites keys (${JSON.stringify(Object.fromEntries(tags))}), settings ${settingsTag}`;
}

describe.skipIf(!redisAvailable)('Redis restore is one atomic swap', () => {
	const redis = useRedisStorage(DATABASE);

	it(
		'leaves the data before or after a restore, never a mix, when the restoring process is killed part-way; the next open rolls back',
		{ timeout: 180_000 },
		async () => {
			const options = { namespaces: NAMESPACES };
			let storage = await redis.fixture.open(options);
			await writeState(storage, 'A');
			const backup = await storage.backup('manual');
			await storage.close();

			const seen: string[] = [];
			for (const delayMs of [0, 40, 120]) {
				storage = await redis.fixture.open(options);
				await writeState(storage, 'B');
				await storage.close();
				const baseline = await redis.raw.dbSize();

				const child = spawn(
					process.execPath,
					['--import', 'tsx', restorer, redisTestUrl(DATABASE), redis.fixture.options.dataDir, backup.id],
					{
						stdio: ['ignore', 'pipe', 'pipe']
					}
				);
				let output = '';
				child.stdout.on('data', (chunk) => (output += chunk));
				child.stderr.on('data', (chunk) => (output += chunk));
				const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
				let running = true;
				void exited.then(() => (running = false));
				// The restore has begun once its marker is set (or, for a restore without one, once live keys start to go).
				while (running && !(await redis.raw.exists('supreme:restore-in-progress')) && (await redis.raw.dbSize()) >= baseline)
					await new Promise((resolve) => setTimeout(resolve, 2));
				await new Promise((resolve) => setTimeout(resolve, delayMs));
				child.kill('SIGKILL');
				await exited;
				expect(output, 'the restorer got as far as opening the storage').toContain('opened');

				const state = await liveState(redis.raw);
				seen.push(state);
				expect(['A', 'B'], `after a kill ${delayMs} ms into the restore`).toContain(state);

				// The next open waits for the dead restore's marker to expire, then removes what it staged.
				storage = await redis.fixture.open(options);
				expect(await redis.raw.keys('supreme:restore-staging:*')).toEqual([]);
				expect(await redis.raw.exists('supreme:restore-in-progress')).toBe(0);
				expect(await liveState(redis.raw)).toBe(state);
				if (state === 'B')
					expect(
						redis.fixture.logs.some((line) =>
							/^warn A restore was interrupted before it switched the data over \(.*"backup":"[^"]+-manual".*\); the data is as it was before it/.test(
								line
							)
						)
					).toBe(true);
				await storage.close();
			}
			expect(seen, 'at least one kill landed before the swap').toContain('B');

			// A restore that runs to the end switches everything over, and every other process learns it must reload.
			storage = await redis.fixture.open(options);
			const shard = await redis.fixture.open(options);
			await shard.dataReplacedElsewhere();
			await writeState(storage, 'B');
			await shard.dataReplacedElsewhere();
			await storage.restore(backup.id);
			expect(await liveState(redis.raw)).toBe('A');
			expect(await shard.dataReplacedElsewhere()).toBe(true);
			expect(await redis.raw.keys('supreme:restore-*')).toEqual([]);
		}
	);

	it('refuses a restore while another is in progress, and lets writes of other processes land on whole data', async () => {
		const storage = await redis.fixture.open({ namespaces: NAMESPACES });
		await writeState(storage, 'A');
		const backup = await storage.backup('manual');
		await writeState(storage, 'B');
		await redis.raw.set('supreme:restore-in-progress', JSON.stringify({ backup: 'another-one' }), { PX: 60_000 });
		await expect(storage.restore(backup.id)).rejects.toThrow(
			/Another restore is in progress on this Redis database \(.*another-one.*\); try again once it is done/
		);
		expect(await liveState(redis.raw)).toBe('B');
		await redis.raw.del('supreme:restore-in-progress');

		const other = await redis.fixture.open({ namespaces: NAMESPACES });
		let writes = 0;
		let restoring = true;
		// Another shard counts up while the restore runs: each of its updates lands on the old data or the restored.
		const writer = (async () => {
			while (restoring) {
				await other.update<number>('settings', 'counter', (value) => (value ?? 0) + 1);
				writes++;
			}
		})();
		await storage.restore(backup.id);
		restoring = false;
		await writer;
		expect(await liveState(redis.raw)).toBe('A');
		expect(writes).toBeGreaterThan(0);
		// The counter is not in the backup: what is left counts only updates made after the swap.
		expect(await other.namespace<number>('settings').get('counter')).toBeLessThanOrEqual(writes);
	});
});
