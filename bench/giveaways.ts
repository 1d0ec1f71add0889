/**
 * Giveaway benchmark: the cost of one Enter click with few and with many entrants, per adapter, beside the naive way
 * (one record listing every entrant, rewritten by each click, as this bot stored entries before), and the ending's
 * draw among all of them. Run with `npm run bench:giveaways`; prints a Markdown table. Goal: a click with 50,000
 * entrants within 1.5x of one with 100. Uses Redis database 2 (BENCH_REDIS_URL) and flushes it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GiveawayService, type GiveawayDiscord } from '../src/lib/giveaways/service.js';
import { entryKey, GIVEAWAY_ENTRIES_NAMESPACE, GIVEAWAY_NAMESPACE, type Giveaway } from '../src/lib/giveaways/state.js';
import { openStorage, type AdapterName, type BackendStorage, type StoredEntry } from '../src/storage-adapters/index.js';
import { flushRedisDatabase } from '../tests/helpers/redis-flush.js';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/2';
const SIZES = [100, 50_000];
const CLICKS = 300;

/** Discord answers at once and everyone may win: only the storage work is measured. */
const discord: GiveawayDiscord = {
	servesGuild: () => true,
	isEligible: async () => true,
	postMessage: async () => 'message',
	editMessage: async () => undefined,
	sendAnnouncement: async () => 'announcement',
	findAnnouncement: async () => null
};
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

const userId = (index: number) => String(300_000_000_000_000_000n + BigInt(index));

async function withStorage<T>(adapter: AdapterName, run: (storage: BackendStorage) => Promise<T>): Promise<T> {
	const dir = await mkdtemp(join(tmpdir(), `bench-giveaways-${adapter}-`));
	if (adapter === 'redis') await flushRedisDatabase(REDIS_URL);
	const storage = await openStorage({ adapter, dataDir: dir, sqlitePath: join(dir, 'bot.sqlite'), redisUrl: REDIS_URL, backupDir: join(dir, 'backups'), backupKeep: 3 });
	try {
		return await run(storage);
	} finally {
		await storage.close();
		await rm(dir, { recursive: true, force: true });
		if (adapter === 'redis') await flushRedisDatabase(REDIS_URL);
	}
}

/** Milliseconds per click through GiveawayService, and the ending's draw, with `entrants` already entered. */
async function supremeFigures(adapter: AdapterName, entrants: number): Promise<{ clickMs: number; endMs: number }> {
	return withStorage(adapter, async (storage) => {
		let clock = Date.now();
		const giveaways = new GiveawayService(storage, discord, silent, { now: () => clock, countEditIntervalMs: 3_600_000 });
		try {
			const { id } = await giveaways.create({ guildId: 'guild', channelId: 'channel', hostId: 'host', prize: 'Nitro', description: null, winnerCount: 3, requiredRoleId: null, durationMs: 60_000 });
			const entries: Array<[string, StoredEntry]> = Array.from({ length: entrants }, (_, index) => [entryKey(id, userId(index)), { value: { at: clock } }]);
			await storage.importEntries(GIVEAWAY_ENTRIES_NAMESPACE, entries);
			await storage.update<Giveaway>(GIVEAWAY_NAMESPACE, id, (giveaway) => ({ ...giveaway!, entryCount: entrants }));
			let started = performance.now();
			for (let index = 0; index < CLICKS; index++) {
				const outcome = await giveaways.toggleEntry(id, userId(entrants + index), []);
				if (!outcome.ok) throw new Error(outcome.reason);
			}
			const clickMs = (performance.now() - started) / CLICKS;
			clock += 60_000;
			started = performance.now();
			const ended = await giveaways.end(id);
			if (!ended.ok || ended.value.winners?.length !== 3) throw new Error(`${adapter}: the giveaway did not end with 3 winners`);
			return { clickMs, endMs: performance.now() - started };
		} finally {
			giveaways.stop();
		}
	});
}

/** Milliseconds per click when one record lists every entrant and each click rewrites it. */
async function naiveClickMs(adapter: AdapterName, entrants: number): Promise<number> {
	return withStorage(adapter, async (storage) => {
		await storage.namespace('giveaways').set('naive', { entrants: Array.from({ length: entrants }, (_, index) => userId(index)) });
		const started = performance.now();
		for (let index = 0; index < CLICKS; index++) {
			await storage.update<{ entrants: string[] }>('giveaways', 'naive', (record) => ({ entrants: [...record!.entrants, userId(entrants + index)] }));
		}
		return (performance.now() - started) / CLICKS;
	});
}

const row = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
const redisReachable = await flushRedisDatabase(REDIS_URL).then(
	() => true,
	() => false
);
console.log(`# Giveaway entries: ${CLICKS} Enter clicks with ${SIZES.map((size) => size.toLocaleString('en')).join(' and ')} entrants (node ${process.version})\n`);
console.log('Goal: a click with 50,000 entrants within 1.5x of one with 100. Naive: one record listing every entrant, rewritten by each click.\n');
console.log(row(['adapter', 'entrants', 'click ms (naive)', 'click ms (Supreme Bot)', 'vs 100 entrants', 'ending with the draw ms']));
console.log(row(['---', '---', '---', '---', '---', '---']));
for (const adapter of ['file', 'sqlite', 'redis'] as const) {
	if (adapter === 'redis' && !redisReachable) continue;
	let smallest = 0;
	for (const size of SIZES) {
		const ours = await supremeFigures(adapter, size);
		const naive = await naiveClickMs(adapter, size);
		smallest ||= ours.clickMs;
		console.log(row([adapter, size.toLocaleString('en'), naive.toFixed(2), ours.clickMs.toFixed(2), `${(ours.clickMs / smallest).toFixed(2)}x`, ours.endMs.toFixed(0)]));
	}
}
if (!redisReachable) console.log(`\n(Redis not reachable at ${REDIS_URL}: redis rows skipped)`);
