import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { redisAvailable } from '../helpers/redis.js';
import { useRedisStorage } from '../helpers/storage.js';

const DATABASE = 3;
const NAMESPACES = ['invites', 'settings', 'giveaways'];

/** Another application's keys in the same Redis database: none of them is ours to count, back up, restore or clear. */
const FOREIGN = {
	'sessions::abc': 'a session of another app',
	'other:thing': 'plain key',
	'invites:not-ours': 'no separator after the namespace',
	'cache::invites::x': 'a namespace-looking key under a prefix that is not ours',
	'supreme-other:invites::k': 'a neighbour whose prefix merely starts like ours'
};

describe.skipIf(!redisAvailable)('Redis keys live under REDIS_PREFIX', () => {
	const redis = useRedisStorage(DATABASE);

	async function foreignValues(): Promise<Record<string, string | null>> {
		return Object.fromEntries(await Promise.all(Object.keys(FOREIGN).map(async (key) => [key, await redis.raw.get(key)] as const)));
	}

	it('writes only under the prefix, and never counts, backs up, restores over or clears a foreign key', async () => {
		for (const [key, value] of Object.entries(FOREIGN)) await redis.raw.set(key, value);
		const storage = await redis.fixture.open({ namespaces: NAMESPACES });
		await storage.namespace('invites').set('g1:u1', { regular: 2 });
		await storage.update<number>('settings', 'g1', (value) => (value ?? 0) + 1);
		await storage.importEntries('giveaways', [['gw1', { value: { state: 'active' } }]]);

		const keys = (await redis.raw.keys('*')).filter((key) => !(key in FOREIGN)).sort();
		expect(keys).toEqual([
			'supreme:data-generation',
			'supreme:giveaways::gw1',
			// The group index of giveaway entries is complete (there are none yet): a meta key, under the prefix too.
			'supreme:group-index-ready:giveaway-entries',
			'supreme:invites::g1:u1',
			'supreme:settings::g1'
		]);
		expect((await storage.status()).counts).toEqual({ invites: 1, settings: 1, giveaways: 1 });
		expect(await storage.namespaces()).toEqual(['giveaways', 'invites', 'settings']);

		const backup = await storage.backup('manual');
		expect(Object.keys(backup.files).sort()).toEqual(['giveaways.jsonl', 'invites.jsonl', 'settings.jsonl']);
		const backedUp = (await Promise.all((await readdir(backup.path)).map((name) => readFile(join(backup.path, name), 'utf8')))).join('\n');
		for (const [key, value] of Object.entries(FOREIGN)) {
			expect(backedUp, key).not.toContain(key);
			expect(backedUp, key).not.toContain(value);
		}

		// The foreign app changes its keys after the backup; restoring our backup must not revert them.
		for (const key of Object.keys(FOREIGN)) await redis.raw.set(key, `${FOREIGN[key as keyof typeof FOREIGN]} (changed)`);
		await storage.namespace('invites').set('g1:u2', { regular: 9 });
		await storage.restore(backup.id);
		expect(await storage.namespace('invites').get('g1:u2')).toBeUndefined();
		expect(await storage.namespace('invites').get('g1:u1')).toEqual({ regular: 2 });
		await storage.clearNamespace('invites');
		await storage.namespace('settings').clear();
		expect((await storage.status()).counts).toEqual({ invites: 0, settings: 0, giveaways: 1 });
		expect(await foreignValues()).toEqual(Object.fromEntries(Object.entries(FOREIGN).map(([key, value]) => [key, `${value} (changed)`])));
	});

	it('keeps two bots with different prefixes in one database apart', async () => {
		const first = await redis.fixture.open({ namespaces: NAMESPACES, redisPrefix: 'bot-a:' });
		const second = await redis.fixture.open({
			namespaces: NAMESPACES,
			redisPrefix: 'bot-a:staging:',
			backupDir: join(redis.fixture.options.dataDir, 'backups-b')
		});
		await first.namespace('invites').set('k', 'a');
		await second.namespace('invites').set('k', 'b');
		await second.namespace('settings').set('s', 'b');
		expect(await first.namespace('invites').get('k')).toBe('a');
		expect((await first.status()).counts).toEqual({ invites: 1, settings: 0, giveaways: 0 });
		expect(await first.entries('settings')).toEqual([]);
		await first.clearNamespace('invites');
		expect(await second.namespace('invites').get('k')).toBe('b');
		expect(await redis.raw.get('bot-a:staging:invites::k')).not.toBeNull();
	});

	it('moves the data of an earlier version (no prefix) under the prefix once at start, after a backup, and leaves foreign keys alone', async () => {
		for (const [key, value] of Object.entries(FOREIGN)) await redis.raw.set(key, value);
		// What a version before REDIS_PREFIX wrote: `<namespace>::<key>` and its meta keys under `supreme:`.
		await redis.raw.set('invites::g1:u1', JSON.stringify({ value: { regular: 4 } }));
		await redis.raw.set('settings::g1', JSON.stringify({ value: { welcome: 'hi' } }));
		await redis.raw.set('giveaways::gw1', JSON.stringify({ value: { state: 'active' }, expires: Date.now() + 3_600_000 }), { PX: 3_600_000 });
		await redis.raw.set('supreme:data-generation', 'generation-of-the-old-version');
		await redis.raw.set('supreme:lease:startup-backup', 'old-host:1', { PX: 60_000 });

		const storage = await redis.fixture.open({ namespaces: NAMESPACES, redisPrefix: 'bot:' });
		expect(await storage.namespace('invites').get('g1:u1')).toEqual({ regular: 4 });
		expect(await storage.namespace('settings').get('g1')).toEqual({ welcome: 'hi' });
		expect(await storage.namespace('giveaways').get('gw1')).toEqual({ state: 'active' });
		expect(await redis.raw.pTTL('bot:giveaways::gw1')).toBeGreaterThan(3_000_000);
		expect(await redis.raw.get('bot:data-generation')).toBe('generation-of-the-old-version');
		expect(await redis.raw.get('bot:lease:startup-backup')).toBe('old-host:1');
		for (const moved of ['invites::g1:u1', 'settings::g1', 'giveaways::gw1', 'supreme:data-generation', 'supreme:lease:startup-backup'])
			expect(await redis.raw.exists(moved), moved).toBe(0);
		// `sessions` is not one of our namespaces, so `sessions::abc` is another app's even though it looks like ours.
		expect(await foreignValues()).toEqual(FOREIGN);

		const [backup] = await storage.listBackups();
		expect(backup).toMatchObject({ reason: 'before-redis-prefix', counts: { invites: 1, settings: 1, giveaways: 1 } });
		expect(await readFile(join(backup!.path, 'invites.jsonl'), 'utf8')).toContain('"key":"g1:u1"');
		expect(
			redis.fixture.logs.some((line) =>
				/^info Moved 5 keys of an earlier version under the Redis prefix "bot:" \(backup .*before-redis-prefix holds them/.test(line)
			)
		).toBe(true);

		// Once: the next start finds nothing to move and makes no backup.
		await storage.close();
		const reopened = await redis.fixture.open({ namespaces: NAMESPACES, redisPrefix: 'bot:' });
		expect((await reopened.listBackups()).length).toBe(1);
		expect((await reopened.status()).counts).toEqual({ invites: 1, settings: 1, giveaways: 1 });
	});

	it('never overwrites a key that exists under the prefix already, and says so', async () => {
		await redis.raw.set('invites::g1:u1', JSON.stringify({ value: 'old' }));
		await redis.raw.set('invites::g1:u2', JSON.stringify({ value: 'moved' }));
		await redis.raw.set('supreme:invites::g1:u1', JSON.stringify({ value: 'new' }));
		const storage = await redis.fixture.open({ namespaces: NAMESPACES });
		expect(await storage.namespace('invites').get('g1:u1')).toBe('new');
		expect(await storage.namespace('invites').get('g1:u2')).toBe('moved');
		expect(await redis.raw.get('invites::g1:u1')).toBe(JSON.stringify({ value: 'old' }));
		expect(redis.fixture.logs.some((line) => /^warn 1 keys of an earlier version were left where they are .*invites::g1:u1/.test(line))).toBe(
			true
		);
	});

	it('only reports unprefixed data when opened read-only', async () => {
		await redis.raw.set('invites::g1:u1', JSON.stringify({ value: 1 }));
		const storage = await redis.fixture.open({ namespaces: NAMESPACES, readOnly: true });
		expect(await redis.raw.exists('invites::g1:u1')).toBe(1);
		expect(await storage.listBackups()).toEqual([]);
		expect(redis.fixture.logs.some((line) => /^warn 1 keys of an earlier version .* are not under the prefix "supreme:" yet/.test(line))).toBe(
			true
		);
	});
});
