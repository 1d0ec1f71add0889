import { afterEach, describe, expect, it } from 'vitest';
import { DataReplacedWatch } from '../../../src/lib/data/replaced-watch.js';
import { BackupSchedule } from '../../../src/lib/scheduled-backups.js';
import { createStorageFixture, type StorageFixture } from '../../helpers/storage.js';
import { redisAvailable } from '../../helpers/redis.js';

const silent = {
	info: () => undefined,
	warn: () => undefined,
	error: () => undefined,
	debug: () => undefined,
	trace: () => undefined,
	fatal: () => undefined,
	write: () => undefined,
	has: () => true
};

/** Fleet-wide jobs (startup and scheduled backups) are done by one process of those sharing a Redis server. */
describe('storage leases', () => {
	let fixture: StorageFixture | undefined;
	afterEach(async () => {
		await fixture?.dispose();
		fixture = undefined;
	});

	it.skipIf(!redisAvailable)('on redis: one holder among processes until the lease expires; never listed as a namespace', async () => {
		fixture = await createStorageFixture('redis', 6);
		const [a, b] = [await fixture.open(), await fixture.open()];
		expect(await a.acquireLease('job', 300)).toBe(true);
		expect(await b.acquireLease('job', 300)).toBe(false);
		expect(await a.acquireLease('job', 300)).toBe(false);
		await new Promise((resolve) => setTimeout(resolve, 350));
		expect(await b.acquireLease('job', 300)).toBe(true);
		expect(await a.namespaces()).not.toContain('supreme');
		expect((await a.backup('check')).counts).not.toHaveProperty('supreme');
	});

	it.each(['file', 'sqlite'] as const)('on %s (one process): every lease is granted', async (adapter) => {
		fixture = await createStorageFixture(adapter);
		const storage = await fixture.open();
		expect(await storage.acquireLease('job', 10_000)).toBe(true);
		expect(await storage.acquireLease('job', 10_000)).toBe(true);
	});

	it.skipIf(!redisAvailable)('scheduled backups: two shards ticking make one backup per interval', async () => {
		fixture = await createStorageFixture('redis', 6);
		const shards = [await fixture.open(), await fixture.open()].map((storage) => new BackupSchedule(storage, 400, silent, { sharded: true }));
		const first = await Promise.all(shards.map((shard) => shard.tick()));
		expect(first.filter((id) => id !== null)).toHaveLength(1);
		await new Promise((resolve) => setTimeout(resolve, 400));
		const second = await Promise.all(shards.map((shard) => shard.tick()));
		expect(second.filter((id) => id !== null)).toHaveLength(1);
		const storage = await fixture.open();
		expect((await storage.listBackups()).filter((backup) => backup.reason === 'scheduled')).toHaveLength(2);
	});

	it('scheduled backups of a single process need no lease', async () => {
		fixture = await createStorageFixture('file');
		const schedule = new BackupSchedule(await fixture.open(), 60_000, silent, { sharded: false });
		expect(await schedule.tick()).toMatch(/scheduled$/);
		expect(await schedule.tick()).toMatch(/scheduled$/);
	});

	it('a tick or a check that fires while the bot stops (storage closed) does nothing and logs nothing', async () => {
		fixture = await createStorageFixture('sqlite');
		const storage = await fixture.open();
		const logged: string[] = [];
		const logger = { ...silent, warn: (line: string) => void logged.push(line), error: (line: string) => void logged.push(line) };
		const schedule = new BackupSchedule(storage, 60_000, logger, { sharded: false });
		const watch = new DataReplacedWatch(storage, logger);
		await watch.start();
		watch.stop();
		await storage.close();
		expect(await schedule.tick()).toBeNull();
		await watch.check();
		expect(logged).toEqual([]);
	});
});
