/**
 * Data tools benchmark: backup, verify, restore and migrate at BENCH_RECORDS (100k) records per adapter.
 * Run with `npm run bench:data`; prints a Markdown table. Goal: backup ≤ 1 s on file and sqlite.
 * Uses Redis databases 3 and 4 (BENCH_REDIS_URL / BENCH_REDIS_TARGET_URL) and flushes them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyInto, readAll } from '../src/cli/transfer.js';
import { flushRedisDatabase } from '../tests/helpers/redis-flush.js';
import { openStorage, type AdapterName, type BackendStorage, type StorageOptions, type StoredEntry } from '../src/storage-adapters/index.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/3';
const REDIS_TARGET_URL = process.env.BENCH_REDIS_TARGET_URL ?? 'redis://127.0.0.1:6379/4';
/** Each adapter migrates into the next one, so every adapter is once a source and once a target. */
const NEXT: Record<AdapterName, AdapterName> = { file: 'sqlite', sqlite: 'redis', redis: 'file' };

function options(adapter: AdapterName, dir: string, redisUrl = REDIS_URL): StorageOptions {
	return { adapter, dataDir: dir, sqlitePath: join(dir, 'bot.sqlite'), redisUrl, backupDir: join(dir, 'backups'), backupKeep: 5 };
}

/** Realistic shapes: member join records (most of the data), inviter records, guild settings; 1% with a TTL. */
function dataset(): Map<string, Array<[string, StoredEntry]>> {
	const history: Array<[string, StoredEntry]> = [];
	const invites: Array<[string, StoredEntry]> = [];
	const settings: Array<[string, StoredEntry]> = [];
	const expires = Date.now() + 24 * 3600_000;
	for (let index = 0; index < RECORDS; index++) {
		const guild = `10000000000000${index % 50}`;
		if (index % 10 < 7) {
			const value = {
				present: true,
				joins: [{ at: 1_700_000_000_000 + index, how: 'normal', code: `c${index % 997}`, inviterId: `2000000000000${index % 3000}` }],
				leaves: [],
				credit: { inviterId: `2000000000000${index % 3000}`, at: 1_700_000_000_000 + index, fake: false, left: false }
			};
			history.push([`${guild}:3000000000${index}`, index % 100 === 0 ? { value, expires } : { value }]);
		} else if (index % 10 < 9) {
			invites.push([`${guild}:2000000000${index}`, { value: { bonus: index % 5, resetAt: 0, updatedAt: 1_700_000_000_000 } }]);
		} else {
			settings.push([
				`${guild}-${index}`,
				{
					value: {
						welcome: { channelId: '1', template: 'Welcome {user} to {server}!', banner: null, embed: true, dm: false, problem: null },
						autoroles: []
					}
				}
			]);
		}
	}
	return new Map([
		['join-history', history],
		['invites', invites],
		['settings', settings]
	]);
}

async function seconds<T>(work: () => Promise<T>): Promise<[number, T]> {
	const start = process.hrtime.bigint();
	const result = await work();
	return [Number(process.hrtime.bigint() - start) / 1e9, result];
}

interface Row {
	adapter: AdapterName;
	fill: number;
	backup: number;
	backupSize: number;
	verify: number;
	restore: number;
	migrate: number;
	migrateTo: AdapterName;
}

async function measure(adapter: AdapterName, data: Map<string, Array<[string, StoredEntry]>>): Promise<Row> {
	const dir = await mkdtemp(join(tmpdir(), `bench-data-${adapter}-`));
	const targetDir = await mkdtemp(join(tmpdir(), `bench-data-target-`));
	const target = NEXT[adapter];
	if (adapter === 'redis') await flushRedisDatabase(REDIS_URL);
	if (target === 'redis') await flushRedisDatabase(REDIS_TARGET_URL);
	let storage: BackendStorage | null = null;
	try {
		storage = await openStorage(options(adapter, dir));
		const opened = storage;
		const [fill] = await seconds(async () => {
			for (const [namespace, entries] of data) await opened.importEntries(namespace, entries);
		});
		const [backup, made] = await seconds(() => opened.backup('bench'));
		const [verify, checks] = await seconds(() => opened.verifyBackups(made.id));
		if (!checks[0]?.ok) throw new Error(`verify failed: ${checks[0]?.problem}`);
		const [restore] = await seconds(() => opened.restore(made.id));
		const [migrate] = await seconds(async () => {
			const all = await readAll(opened, { quiet: true });
			const destination = await openStorage(options(target, targetDir, REDIS_TARGET_URL));
			try {
				await copyInto(destination, all, { quiet: true }, 'bench');
			} finally {
				await destination.close();
			}
		});
		return { adapter, fill, backup, backupSize: made.sizeBytes, verify, restore, migrate, migrateTo: target };
	} finally {
		await storage?.close();
		await rm(dir, { recursive: true, force: true });
		await rm(targetDir, { recursive: true, force: true });
		if (adapter === 'redis') await flushRedisDatabase(REDIS_URL);
		if (target === 'redis') await flushRedisDatabase(REDIS_TARGET_URL);
	}
}

const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
const s = (value: number) => `${value.toFixed(2)} s`;

async function main(): Promise<void> {
	const redisReachable = await flushRedisDatabase(REDIS_URL).then(
		() => true,
		() => false
	);
	const data = dataset();
	console.log(
		`# Data tools benchmark: ${RECORDS.toLocaleString('en')} records (${[...data].map(([namespace, entries]) => `${namespace} ${entries.length}`).join(', ')}); node ${process.version}\n`
	);
	console.log(
		row(['adapter', 'fill (import)', 'backup', 'backup size', 'verify', 'restore (incl. its safety backup)', 'migrate (read, copy, verify)'])
	);
	console.log(row(['---', '---', '---', '---', '---', '---', '---']));
	const adapters: AdapterName[] = redisReachable ? ['file', 'sqlite', 'redis'] : ['file', 'sqlite'];
	for (const adapter of adapters) {
		// Without Redis, sqlite migrates to file instead.
		if (!redisReachable && adapter === 'sqlite') NEXT.sqlite = 'file';
		const result = await measure(adapter, data);
		console.log(
			row([
				result.adapter,
				s(result.fill),
				s(result.backup),
				`${(result.backupSize / 1024 / 1024).toFixed(1)} MiB`,
				s(result.verify),
				s(result.restore),
				`${s(result.migrate)} → ${result.migrateTo}`
			])
		);
	}
	if (!redisReachable) console.log('\n(Redis not reachable at BENCH_REDIS_URL: redis rows skipped)');
}

await main();
