import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@redis/client';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage-adapters/index.js';
import { ChildRedis, redisServerAvailable } from '../helpers/child-redis.js';
import { freePort } from '../helpers/free-port.js';

const WRITES = 400;

/**
 * What an acknowledged write survives is what the README promises for each Redis persistence setting: a redis-server
 * of the test's own takes acknowledged writes, is killed with SIGKILL right after the last acknowledgement, and is
 * started again on the same directory.
 */
describe.skipIf(!redisServerAvailable)('Redis durability per persistence setting', () => {
	const cleanups: Array<() => Promise<void>> = [];
	afterEach(async () => {
		for (const cleanup of cleanups.splice(0)) await cleanup();
	});

	async function writeThenKill(settings: string[]): Promise<{ present: number; wrong: number; logs: string[] }> {
		const dir = await mkdtemp(join(tmpdir(), 'supreme-durability-'));
		const redis = new ChildRedis(await freePort(), dir, 'durability-test-password', settings);
		cleanups.push(async () => {
			redis.process?.kill('SIGKILL');
			await rm(dir, { recursive: true, force: true });
		});
		await redis.start();
		const logs: string[] = [];
		const log = (level: string) => (message: string) => logs.push(`${level} ${message}`);
		const storage = await openStorage(
			{
				adapter: 'redis',
				dataDir: dir,
				sqlitePath: join(dir, 'bot.sqlite'),
				redisUrl: redis.url,
				backupDir: join(dir, 'backups'),
				backupKeep: 3,
				namespaces: ['invites']
			},
			{ info: log('info'), warn: log('warn'), error: log('error') }
		);
		const invites = storage.namespace<number>('invites');
		for (let start = 0; start < WRITES; start += 50)
			await Promise.all(Array.from({ length: 50 }, (_, index) => invites.set(`k${start + index}`, start + index)));
		// Every write above was acknowledged; the server dies the next instant.
		await redis.kill();
		await redis.start();
		const raw = createClient({ url: redis.url });
		await raw.connect();
		let present = 0;
		let wrong = 0;
		for (let index = 0; index < WRITES; index++) {
			const value = await raw.get(`supreme:invites::k${index}`);
			if (value === JSON.stringify({ value: index })) present++;
			else if (value !== null) wrong++;
		}
		await raw.close();
		await storage.close();
		return { present, wrong, logs };
	}

	it('appendonly yes, appendfsync always: every acknowledged write survives, and the log says so', { timeout: 60_000 }, async () => {
		const { present, logs } = await writeThenKill(['--appendonly', 'yes', '--appendfsync', 'always']);
		expect(present).toBe(WRITES);
		expect(logs).toContainEqual(
			expect.stringMatching(
				/^info Redis at redis:\/\/127\.0\.0\.1:\d+\/0 runs with appendonly yes, appendfsync always: every acknowledged write is on disk before Redis answers/
			)
		);
		expect(logs.join('\n')).not.toContain('durability-test-password');
	});

	it(
		'appendonly yes, appendfsync everysec: a kill of the Redis process can lose the last writes but damages none; the log says so',
		{ timeout: 60_000 },
		async () => {
			// Not every write is promised: while a background fsync is slow (CI's busy disk lost 300 of 400 once), Redis
			// answers before it writes its log. What is there is what was written.
			const { wrong, logs } = await writeThenKill(['--appendonly', 'yes', '--appendfsync', 'everysec']);
			expect(wrong).toBe(0);
			expect(logs).toContainEqual(
				expect.stringMatching(
					/^warn Redis at .* runs with appendonly yes, appendfsync everysec: up to about 2 seconds of acknowledged writes can be lost if Redis crashes while its disk is busy/
				)
			);
		}
	);

	it('appendonly no, no snapshots: the writes are gone after a kill, as the warning says', { timeout: 60_000 }, async () => {
		const { present, logs } = await writeThenKill([]);
		expect(present).toBe(0);
		expect(logs).toContainEqual(
			expect.stringMatching(
				/^warn Redis at .* runs with appendonly no, save "": the data lives only in memory: everything is lost if the Redis server crashes/
			)
		);
	});
});
