/**
 * Giveaway benchmark: the cost of one Enter click with few and with many entrants, per adapter, beside the naive way
 * (one record listing every entrant, rewritten by each click, as this bot stored entries before), and the ending's
 * draw among all of them. Run with `npm run bench:giveaways`; prints a Markdown table. Goal: a click with 50,000
 * entrants within 1.5x of one with 100. Then the ending of a 10-entry giveaway in an empty store and beside 300,000
 * entries of old giveaways (goal: within 2x), and what listing its entries costs by a scan of the namespace (as before)
 * and by its group (now: a key range on sqlite, a per-giveaway list in memory on file, a per-giveaway set on redis). Uses Redis database 2 (BENCH_REDIS_URL) and flushes it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MemberFacts } from '../src/lib/giveaways/requirements.js';
import { GiveawayService, type GiveawayDiscord } from '../src/lib/giveaways/service.js';
import { entryKey, GIVEAWAY_ENTRIES_NAMESPACE, GIVEAWAY_NAMESPACE, type Giveaway } from '../src/lib/giveaways/state.js';
import { openStorage, type AdapterName, type BackendStorage, type StoredEntry } from '../src/storage-adapters/index.js';
import { flushRedisDatabase } from '../tests/helpers/redis-flush.js';
import { languageT } from '../src/lib/i18n/standalone.js';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/2';
const SIZES = [100, 50_000];
const CLICKS = 300;

const MEMBER: MemberFacts = { roleIds: [], accountCreatedAt: 0, joinedAt: 0, boosting: false, inviteTotal: 0 };

/** Discord answers at once and everyone may win: only the storage work is measured. */
const t = languageT('en-US');
const discord: GiveawayDiscord = {
	translator: () => Promise.resolve(t),
	servesGuild: () => true,
	memberFacts: () => Promise.resolve(MEMBER),
	postMessage: () => Promise.resolve('message'),
	editMessage: () => Promise.resolve(undefined),
	sendAnnouncement: () => Promise.resolve('announcement'),
	findAnnouncement: () => Promise.resolve(null),
	findPosted: () => Promise.resolve(null),
	sendDirect: () => Promise.resolve('direct'),
	findDirect: () => Promise.resolve(null)
};
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

const userId = (index: number) => String(300_000_000_000_000_000n + BigInt(index));

async function withStorage<T>(adapter: AdapterName, run: (storage: BackendStorage) => Promise<T>): Promise<T> {
	const dir = await mkdtemp(join(tmpdir(), `bench-giveaways-${adapter}-`));
	if (adapter === 'redis') await flushRedisDatabase(REDIS_URL);
	const storage = await openStorage({
		adapter,
		dataDir: dir,
		sqlitePath: join(dir, 'bot.sqlite'),
		redisUrl: REDIS_URL,
		backupDir: join(dir, 'backups'),
		backupKeep: 3
	});
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
			const { id } = await giveaways.create({
				guildId: 'guild',
				channelId: 'channel',
				hostId: 'host',
				prize: 'Nitro',
				description: null,
				winnerCount: 3,
				requiredRoleId: null,
				durationMs: 60_000
			});
			const entries: Array<[string, StoredEntry]> = Array.from({ length: entrants }, (_, index) => [
				entryKey(id, userId(index)),
				{ value: { at: clock } }
			]);
			await storage.importEntries(GIVEAWAY_ENTRIES_NAMESPACE, entries);
			await storage.update<Giveaway>(GIVEAWAY_NAMESPACE, id, (giveaway) => ({ ...giveaway!, entryCount: entrants }));
			let started = performance.now();
			for (let index = 0; index < CLICKS; index++) {
				const outcome = await giveaways.toggleEntry(id, userId(entrants + index), MEMBER);
				if (!outcome.ok) throw new Error(outcome.reason.key);
			}
			const clickMs = (performance.now() - started) / CLICKS;
			clock += 60_000;
			started = performance.now();
			const ended = await giveaways.end(id);
			if (!ended.ok || ended.value.winners?.length !== 3) throw new Error(`${adapter}: the giveaway did not end with 3 winners`);
			return { clickMs, endMs: performance.now() - started };
		} finally {
			await giveaways.stop();
		}
	});
}

/** Milliseconds per click when one record lists every entrant and each click rewrites it. */
async function naiveClickMs(adapter: AdapterName, entrants: number): Promise<number> {
	return withStorage(adapter, async (storage) => {
		await storage.namespace('giveaways').set('naive', { entrants: Array.from({ length: entrants }, (_, index) => userId(index)) });
		const started = performance.now();
		for (let index = 0; index < CLICKS; index++) {
			await storage.update<{ entrants: string[] }>('giveaways', 'naive', (record) => ({
				entrants: [...record!.entrants, userId(entrants + index)]
			}));
		}
		return (performance.now() - started) / CLICKS;
	});
}

const OLD_ENTRIES = 300_000;
const OLD_PER_GIVEAWAY = 100;
const ENDINGS = 21;
/** Listings by a scan of the whole namespace (slow: a few are enough). */
const SCANS = 3;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Median ms of ENDINGS endings of 10-entry giveaways beside `oldEntries` entries of other giveaways, and of listing one's entries both ways. */
async function endingFigures(adapter: AdapterName, oldEntries: number): Promise<{ endMs: number; scanMs: number; rangeMs: number }> {
	return withStorage(adapter, async (storage) => {
		let clock = Date.now();
		const giveaways = new GiveawayService(storage, discord, silent, { now: () => clock, countEditIntervalMs: 3_600_000 });
		try {
			// Old giveaways' ids spread over the whole key space, as random ids are.
			const old: Array<[string, StoredEntry]> = Array.from({ length: oldEntries }, (_, index) => [
				entryKey(
					`${(Math.floor(index / OLD_PER_GIVEAWAY) * 2_654_435_761) % 4_294_967_296}`.padStart(10, '0'),
					userId(index % OLD_PER_GIVEAWAY)
				),
				{ value: { at: clock } }
			]);
			for (let start = 0; start < old.length; start += 50_000)
				await storage.importEntries(GIVEAWAY_ENTRIES_NAMESPACE, old.slice(start, start + 50_000));
			const ends: number[] = [];
			const scans: number[] = [];
			const ranges: number[] = [];
			const endedIds: string[] = [];
			// Round 0 warms up (JIT, connections, page cache) and is not counted.
			for (let round = 0; round <= ENDINGS; round++) {
				const { id } = await giveaways.create({
					guildId: 'guild',
					channelId: 'channel',
					hostId: 'host',
					prize: 'Nitro',
					description: null,
					winnerCount: 3,
					requiredRoleId: null,
					durationMs: 60_000
				});
				for (let index = 0; index < 10; index++) await giveaways.toggleEntry(id, userId(index), MEMBER);
				clock += 60_000;
				let started = performance.now();
				const ended = await giveaways.end(id);
				const endMs = performance.now() - started;
				if (!ended.ok || ended.value.winners?.length !== 3) throw new Error(`${adapter}: the giveaway did not end with 3 winners`);
				started = performance.now();
				const listed = await giveaways.entrants(id);
				const rangeMs = performance.now() - started;
				if (listed.length !== 10) throw new Error(`${adapter}: listed ${listed.length} entries, not 10`);
				if (round === 0) continue;
				ends.push(endMs);
				ranges.push(rangeMs);
				endedIds.push(id);
			}
			// The scans come after every ending: the garbage of 300,000 parsed entries would otherwise be collected during
			// the next ending and be counted there.
			for (const id of endedIds.slice(0, SCANS)) {
				const prefix = entryKey(id, '');
				const started = performance.now();
				let scanned = 0;
				for await (const [key] of storage.iterate(GIVEAWAY_ENTRIES_NAMESPACE)) if (key.startsWith(prefix)) scanned++;
				scans.push(performance.now() - started);
				if (scanned !== 10) throw new Error(`${adapter}: the scan found ${scanned} entries, not 10`);
			}
			return { endMs: median(ends), scanMs: median(scans), rangeMs: median(ranges) };
		} finally {
			await giveaways.stop();
		}
	});
}

const row = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
const redisReachable = await flushRedisDatabase(REDIS_URL).then(
	() => true,
	() => false
);
const only = process.env.BENCH_GIVEAWAYS_PART; // 'clicks' or 'ending': one table only
if (only !== 'ending') {
	console.log(
		`# Giveaway entries: ${CLICKS} Enter clicks with ${SIZES.map((size) => size.toLocaleString('en')).join(' and ')} entrants (node ${process.version})\n`
	);
	console.log(
		'Goal: a click with 50,000 entrants within 1.5x of one with 100. Naive: one record listing every entrant, rewritten by each click.\n'
	);
	console.log(row(['adapter', 'entrants', 'click ms (naive)', 'click ms (Supreme Bot)', 'vs 100 entrants', 'ending with the draw ms']));
	console.log(row(['---', '---', '---', '---', '---', '---']));
	for (const adapter of ['file', 'sqlite', 'redis'] as const) {
		if (adapter === 'redis' && !redisReachable) continue;
		let smallest = 0;
		for (const size of SIZES) {
			const ours = await supremeFigures(adapter, size);
			const naive = await naiveClickMs(adapter, size);
			smallest ||= ours.clickMs;
			console.log(
				row([
					adapter,
					size.toLocaleString('en'),
					naive.toFixed(2),
					ours.clickMs.toFixed(2),
					`${(ours.clickMs / smallest).toFixed(2)}x`,
					ours.endMs.toFixed(0)
				])
			);
		}
	}
}

if (only !== 'clicks') {
	console.log(`\n# Ending a 10-entry giveaway beside ${OLD_ENTRIES.toLocaleString('en')} entries of old giveaways (median of ${ENDINGS})\n`);
	console.log(
		'Goal: the ending within 2x of the same ending in an empty store. Listing its entries: by a scan of the namespace (before) and by its group (now: key range, in-memory list, Redis set).\n'
	);
	console.log(
		row([
			'adapter',
			'ending ms, empty store',
			`ending ms, ${OLD_ENTRIES.toLocaleString('en')} old entries`,
			'vs empty',
			'list by scan ms',
			'list by group ms'
		])
	);
	console.log(row(['---', '---', '---', '---', '---', '---']));
	for (const adapter of ['file', 'sqlite', 'redis'] as const) {
		if (adapter === 'redis' && !redisReachable) continue;
		const empty = await endingFigures(adapter, 0);
		const crowded = await endingFigures(adapter, OLD_ENTRIES);
		console.log(
			row([
				adapter,
				empty.endMs.toFixed(1),
				crowded.endMs.toFixed(1),
				`${(crowded.endMs / empty.endMs).toFixed(2)}x`,
				crowded.scanMs.toFixed(1),
				crowded.rangeMs.toFixed(1)
			])
		);
	}
}
if (!redisReachable) console.log(`\n(Redis not reachable at ${REDIS_URL}: redis rows skipped)`);
