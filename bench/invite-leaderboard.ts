/**
 * Invite leaderboard at 100k tracked members, on each adapter: the data is written to the adapter, loaded the way the
 * bot loads it at start (InviteTracker.load), then each view is timed after a warm-up. Periods are computed from the
 * in-memory credits (the index's by-day buckets), so they cost the same on every adapter; a ranking is kept until the
 * counts change, so the row "right after a join" is the cost of rebuilding it. The drill-down reads 10 records.
 * Run with `npm run bench:invite-leaderboard` (BENCH_REDIS_URL for Redis); prints Markdown tables.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_INVITE_LEADERBOARD } from '../src/lib/guild-settings.js';
import { invitedMembersPage } from '../src/lib/invites/drilldown-data.js';
import { leaderboardCsv } from '../src/lib/invites/export.js';
import { rankedRows, visibleRows, type LookedUpMember } from '../src/lib/invites/leaderboard.js';
import { parsePeriod } from '../src/lib/invites/periods.js';
import type { MemberRecord } from '../src/lib/invites/records.js';
import { InviteTracker } from '../src/lib/invites/tracker.js';
import { LEADERBOARD_PAGE_SIZE, leaderboardPage } from '../src/lib/invites/views.js';
import { openStorage, type AdapterName, type StoredEntry } from '../src/storage-adapters/index.js';
import { flushRedisDatabase } from '../tests/helpers/redis-flush.js';
import { languageT } from '../tests/helpers/i18n.js';

const MEMBERS = 100_000;
const INVITERS = 10_000;
const DAY = 24 * 3600_000;
const GUILD = '100000000000000001';
const WARM_UP = 5;
const RUNS = 30;
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/2';
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** 100k members credited over the last 90 days (a third in the last 30), a member in 50 fake and one in 9 gone. */
function history(now: number): Array<[string, StoredEntry]> {
	const rows: Array<[string, StoredEntry]> = [];
	for (let member = 0; member < MEMBERS; member++) {
		const at = now - ((member * 104_729) % (90 * DAY));
		const inviterId = `2${String((member * 7919) % INVITERS).padStart(17, '0')}`;
		const left = member % 9 === 0;
		const record: MemberRecord = {
			present: !left,
			joins: [{ at, how: 'normal', code: `c${member % 5000}`, inviterId }],
			leaves: left ? [at + 60_000] : [],
			credit: { inviterId, at, fake: member % 50 === 0, left }
		};
		rows.push([`${GUILD}:3${String(member).padStart(17, '0')}`, { value: record }]);
	}
	return rows;
}

async function timed<T>(run: () => Promise<T> | T): Promise<{ median: number; max: number }> {
	for (let index = 0; index < WARM_UP; index++) await run();
	const times: number[] = [];
	for (let index = 0; index < RUNS; index++) {
		const start = process.hrtime.bigint();
		await run();
		times.push(Number(process.hrtime.bigint() - start) / 1e6);
	}
	times.sort((a, b) => a - b);
	return { median: times[Math.floor(times.length / 2)]!, max: times.at(-1)! };
}

async function figures(adapter: AdapterName) {
	const dataDir = await mkdtemp(join(tmpdir(), 'bench-leaderboard-'));
	const options = {
		adapter,
		dataDir,
		sqlitePath: join(dataDir, 'bench.sqlite'),
		redisUrl: REDIS_URL,
		backupDir: join(dataDir, 'backups'),
		backupKeep: 2
	};
	if (adapter === 'redis') await flushRedisDatabase(REDIS_URL);
	try {
		const now = Date.now();
		const writer = await openStorage(options);
		await writer.importEntries('join-history', history(now));
		await writer.close();

		const storage = await openStorage(options);
		const loadStart = process.hrtime.bigint();
		const tracker = await InviteTracker.load(storage, { fetch: () => Promise.resolve({ ok: false, reason: 'bench' }) }, silent);
		const load = Number(process.hrtime.bigint() - loadStart) / 1e6;
		const index = tracker.index(GUILD);
		const t = languageT();
		const noLookup = () => Promise.resolve(new Map<string, LookedUpMember>());
		const page = async (
			period: ReturnType<typeof parsePeriod>,
			type: Parameters<typeof rankedRows>[2],
			settings = DEFAULT_INVITE_LEADERBOARD
		) => {
			const { rows, complete } = await visibleRows(rankedRows(index, period, type), settings, LEADERBOARD_PAGE_SIZE, noLookup);
			return leaderboardPage(t, rows, 1, { period, type, complete });
		};
		const present = new Map<string, LookedUpMember>();
		for (let inviter = 0; inviter < INVITERS; inviter += 2) present.set(`2${String(inviter).padStart(17, '0')}`, { roles: [], name: 'x' });
		// The lookup Discord answers (op 8), served from memory: what the exclusions cost here, without the network.
		const memoryLookup = (ids: string[]) =>
			Promise.resolve(new Map(ids.flatMap((id) => (present.has(id) ? [[id, present.get(id)!] as const] : []))));
		const hideLeft = { ...DEFAULT_INVITE_LEADERBOARD, hideLeft: true, excludedMembers: ['200000000000000001'] };
		const month = () => parsePeriod('30d', null);
		let joins = 0;
		const results = {
			load,
			'30d page 1 (total)': await timed(() => page(month(), 'total')),
			'30d page 1 right after a join (ranking rebuilt)': await timed(() => {
				joins++;
				index.setCredit(`4${String(joins).padStart(17, '0')}`, { inviterId: '200000000000000003', at: Date.now(), fake: false, left: false });
				return page(month(), 'total');
			}),
			'30d page 1 (regular)': await timed(() => page(month(), 'regular')),
			'7d page 1': await timed(() => page(parsePeriod('7d', null), 'total')),
			'all time page 1 (cached order)': await timed(() => page(parsePeriod('all', null), 'total')),
			'all time page 1 by fake': await timed(() => page(parsePeriod('all', null), 'fake')),
			'30d page 1, hide left + excluded member (lookup in memory)': await timed(async () => {
				const { rows, complete } = await visibleRows(rankedRows(index, month(), 'total'), hideLeft, LEADERBOARD_PAGE_SIZE, memoryLookup);
				return leaderboardPage(t, rows, 1, { period: month(), type: 'total', complete });
			}),
			'drill-down page 1 (10 records read from storage)': await timed(() => invitedMembersPage(tracker, GUILD, '200000000000000007', 1)),
			'30d CSV of every inviter': await timed(() => leaderboardCsv(rankedRows(index, month(), 'total')))
		};
		await storage.close();
		return results;
	} finally {
		await rm(dataDir, { recursive: true, force: true });
		if (adapter === 'redis') await flushRedisDatabase(REDIS_URL);
	}
}

const redisReachable = await flushRedisDatabase(REDIS_URL).then(
	() => true,
	() => false
);
const adapters: AdapterName[] = ['file', 'sqlite', ...(redisReachable ? (['redis'] as const) : [])];
const all = new Map<AdapterName, Awaited<ReturnType<typeof figures>>>();
for (const adapter of adapters) all.set(adapter, await figures(adapter));

console.log(
	`# Invite leaderboard at ${MEMBERS.toLocaleString('en-US')} tracked members, ${INVITERS.toLocaleString('en-US')} inviters (node ${process.version}; median / max of ${RUNS} runs after ${WARM_UP} warm-up, ms)\n`
);
console.log(`| view | ${adapters.join(' | ')} |`);
console.log(`| --- | ${adapters.map(() => '---').join(' | ')} |`);
const first = all.get(adapters[0]!)!;
for (const view of Object.keys(first).filter((key) => key !== 'load') as Array<Exclude<keyof typeof first, 'load'>>) {
	console.log(
		`| ${view} | ${adapters.map((adapter) => `${all.get(adapter)![view].median.toFixed(2)} / ${all.get(adapter)![view].max.toFixed(2)}`).join(' | ')} |`
	);
}
console.log(`| (load at start: InviteTracker.load) | ${adapters.map((adapter) => all.get(adapter)!.load.toFixed(0)).join(' | ')} |`);
if (!redisReachable) console.log('\n(Redis not reachable at BENCH_REDIS_URL: redis column skipped)');
process.exit(0);
