import { describe, expect, it } from 'vitest';
import { redisAvailable } from '../helpers/redis.js';
import { useRedisStorage } from '../helpers/storage.js';

const DATABASE = 0;
const NS = 'giveaway-entries';
const setKey = (group: string) => `supreme:group:${NS}:${group}`;

async function collect(iterable: AsyncIterable<[string, unknown]>): Promise<string[]> {
	const keys: string[] = [];
	for await (const [key] of iterable) keys.push(key);
	return keys.sort();
}

/** Issue 20: one giveaway's entries read from its own set on Redis, which every write keeps in the same atomic step. */
describe.skipIf(!redisAvailable)('Redis group sets of grouped namespaces', () => {
	const redis = useRedisStorage(DATABASE);

	const members = async (group: string) => (await redis.raw.sMembers(setKey(group))).sort();
	const scans = async () => Number(/cmdstat_scan:calls=(\d+)/.exec(await redis.raw.info('commandstats'))?.[1] ?? 0);

	it('every way of writing keeps the set: Keyv set and delete, update, import, and reads use it without SCAN', async () => {
		const storage = await redis.fixture.open();
		const entries = storage.namespace(NS);
		await entries.set('g1:u1', { at: 1 });
		await storage.update(NS, 'g1:u2', () => ({ at: 2 }));
		await storage.importEntries(NS, [
			['g1:u3', { value: { at: 3 } }],
			['g2:u1', { value: { at: 4 } }]
		]);
		await entries.set('g1:u4', { at: 5 });
		await entries.delete('g1:u4');
		await storage.update(NS, 'g1:u3', () => undefined);
		await entries.delete(['g2:u1']);
		expect(await members('g1')).toEqual(['u1', 'u2']);
		expect(await members('g2')).toEqual([]);
		// Other namespaces are not grouped.
		await storage.namespace('invites').set('g1:u1', { regular: 1 });
		expect(await redis.raw.exists(`supreme:group:invites:g1`)).toBe(0);

		const before = await scans();
		expect(await collect(storage.iteratePrefix(NS, 'g1:'))).toEqual(['g1:u1', 'g1:u2']);
		expect(await scans()).toBe(before);
		// Sets are not data: not counted, not listed, not backed up.
		expect((await storage.status()).counts).toEqual({ [NS]: 2, invites: 1 });
		const backup = await storage.backup('manual');
		expect(backup.counts).toEqual({ [NS]: 2, invites: 1 });
	});

	it('indexes data written before the sets existed once at open; until then a group read falls back to SCAN', async () => {
		const first = await redis.fixture.open();
		await first.namespace(NS).set('old:u0', { at: 0 });
		await first.close();
		// An earlier version: keys without sets, and no marker that the index is complete.
		for (let index = 1; index <= 3; index++) await redis.raw.set(`supreme:${NS}::old:u${index}`, JSON.stringify({ value: { at: index } }));
		await redis.raw.del([setKey('old'), `supreme:group-index-ready:${NS}`]);
		const readOnly = await redis.fixture.open({ readOnly: true });
		expect(await collect(readOnly.iteratePrefix(NS, 'old:'))).toEqual(['old:u0', 'old:u1', 'old:u2', 'old:u3']);
		// A read-only open writes nothing, not even the index.
		expect(await members('old')).toEqual([]);
		await readOnly.close();
		const storage = await redis.fixture.open();
		expect(redis.fixture.logs.some((line) => line.includes('indexed 4 keys of giveaway-entries by group'))).toBe(true);
		expect(await members('old')).toEqual(['u0', 'u1', 'u2', 'u3']);
		const before = await scans();
		expect(await collect(storage.iteratePrefix(NS, 'old:'))).toHaveLength(4);
		expect(await scans()).toBe(before);
	});

	it('a restore rebuilds the sets from the restored data in the swap; an expired key leaves its set on the next read', async () => {
		const storage = await redis.fixture.open();
		const entries = storage.namespace(NS);
		await entries.set('g:kept', { at: 1 });
		await entries.set('g:deleted-later', { at: 2 });
		const backup = await storage.backup('manual');
		await entries.delete('g:deleted-later');
		await entries.set('g:added-later', { at: 3 });
		await storage.restore(backup.id);
		expect(await members('g')).toEqual(['deleted-later', 'kept']);
		expect(await collect(storage.iteratePrefix(NS, 'g:'))).toEqual(['g:deleted-later', 'g:kept']);

		await entries.set('g:short', { at: 4 }, 50);
		await new Promise((resolve) => setTimeout(resolve, 120));
		expect(await collect(storage.iteratePrefix(NS, 'g:'))).toEqual(['g:deleted-later', 'g:kept']);
		expect(await members('g')).toEqual(['deleted-later', 'kept']);

		await storage.clearNamespace(NS);
		expect(await redis.raw.exists(setKey('g'))).toBe(0);
		expect(await collect(storage.iteratePrefix(NS, 'g:'))).toEqual([]);
	});
});
