/**
 * Startup benchmark: the built bot (`node dist/index.js`) against the local emulator, empty and with 100k tracked
 * members (join-history records seeded through the storage API), per adapter: time from spawn to "Supreme Bot ready"
 * and to "Invite tracking ready", and the peak RSS (VmHWM) once ready, each the median of 3 starts. Goals: ≤ 2 s over
 * empty, ≤ 250 MB.
 * Run with `npm run bench:startup` (builds first); prints a Markdown table.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MemberRecord } from '../src/lib/invites/records.js';
import { flushRedisDatabase } from '../tests/helpers/redis-flush.js';
import { openStorage, type AdapterName, type StoredEntry } from '../src/storage-adapters/index.js';
import { BotProcess, DiscordEmulator } from '../tests/harness/index.js';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 100_000);
const INVITERS = 10_000;
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/6';
/** Garbage collection makes single starts differ by ±20 MB: each row is the median of RUNS starts. */
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

interface Run {
	ready: number;
	tracking: number;
	rssMb: number;
}

function memberRecords(guildId: string): Array<[string, StoredEntry]> {
	const now = Date.now();
	return Array.from({ length: MEMBERS }, (_, index): [string, StoredEntry] => {
		const inviterId = String(100_000_000_000_000_000n + BigInt(index % INVITERS));
		const at = now - (MEMBERS - index) * 1000;
		const record: MemberRecord = {
			present: index % 10 !== 0,
			joins: [{ at, how: 'normal', code: `c${index % INVITERS}`, inviterId }],
			leaves: index % 10 === 0 ? [at + 500] : [],
			credit: { inviterId, at, fake: index % 50 === 0, left: index % 10 === 0 }
		};
		return [`${guildId}:${200_000_000_000_000_000n + BigInt(index)}`, { value: record }];
	});
}

/** VmHWM: the most resident memory the process ever had, in MB. */
function peakRssMb(pid: number): number {
	const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
	return match ? Number(match[1]) / 1024 : Number.NaN;
}

async function measure(adapter: AdapterName, seeded: boolean): Promise<Run> {
	const emulator = await DiscordEmulator.start();
	const dataDir = await mkdtemp(join(tmpdir(), `bench-startup-${adapter}-`));
	if (adapter === 'redis') await flushRedisDatabase(REDIS_URL);
	try {
		const guild = emulator.createGuild({ name: 'Bench' });
		if (seeded) {
			const storage = await openStorage({
				adapter,
				dataDir,
				sqlitePath: join(dataDir, 'bot.sqlite'),
				redisUrl: REDIS_URL,
				backupDir: join(dataDir, 'backups'),
				backupKeep: 20
			});
			try {
				await storage.importEntries('join-history', memberRecords(guild.id));
			} finally {
				await storage.close();
			}
		}
		const bot = new BotProcess({
			apiUrl: emulator.apiUrl,
			dataDir,
			storageAdapter: adapter,
			readyTimeoutMs: 120_000,
			env: { COMMAND_GUILD_IDS: guild.id, REDIS_URL }
		});
		const started = performance.now();
		await bot.start();
		const ready = performance.now() - started;
		await bot.waitForLog(/Invite tracking ready/, 120_000);
		const tracking = performance.now() - started;
		const rssMb = peakRssMb(bot.pid!);
		const counted = /join-history=(\d+)/.exec(bot.runOutput)?.[1];
		if (seeded && Number(counted) !== MEMBERS) throw new Error(`${adapter}: the bot loaded ${counted} join-history records, not ${MEMBERS}`);
		await bot.stop('SIGTERM');
		return { ready: ready / 1000, tracking: tracking / 1000, rssMb };
	} finally {
		await emulator.stop();
		await rm(dataDir, { recursive: true, force: true });
		if (adapter === 'redis') await flushRedisDatabase(REDIS_URL);
	}
}

const row = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
const s = (value: number) => `${value.toFixed(2)} s`;

const redisReachable = await flushRedisDatabase(REDIS_URL).then(
	() => true,
	() => false
);
console.log(`# Startup benchmark: empty vs ${MEMBERS.toLocaleString('en')} tracked members (node ${process.version}, local emulator)\n`);
console.log(`Goal: with 100k members, ≤ 2 s over the empty start and ≤ 250 MB peak RSS. Each row: the median of ${RUNS} starts.\n`);
console.log(row(['adapter', 'members', 'to "Supreme Bot ready"', 'to "Invite tracking ready"', 'over empty', 'peak RSS (VmHWM)', 'RSS vs empty']));
console.log(row(['---', '---', '---', '---', '---', '---', '---']));
async function median(adapter: AdapterName, seeded: boolean): Promise<Run> {
	const runs: Run[] = [];
	for (let index = 0; index < RUNS; index++) runs.push(await measure(adapter, seeded));
	const middle = <K extends keyof Run>(key: K) => runs.map((run) => run[key]).sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
	return { ready: middle('ready'), tracking: middle('tracking'), rssMb: middle('rssMb') };
}

for (const adapter of ['file', 'sqlite', 'redis'] as const) {
	if (adapter === 'redis' && !redisReachable) continue;
	const empty = await median(adapter, false);
	const full = await median(adapter, true);
	console.log(row([adapter, 0, s(empty.ready), s(empty.tracking), '—', `${empty.rssMb.toFixed(0)} MB`, '1.00x']));
	console.log(
		row([
			adapter,
			MEMBERS.toLocaleString('en'),
			s(full.ready),
			s(full.tracking),
			`+${s(full.tracking - empty.tracking)}`,
			`${full.rssMb.toFixed(0)} MB`,
			`${(full.rssMb / empty.rssMb).toFixed(2)}x`
		])
	);
}
if (!redisReachable) console.log(`\n(Redis not reachable at ${REDIS_URL}: redis rows skipped)`);
