/**
 * Storage benchmark: each adapter beside the raw driver it stands on, measured in the same run.
 * Run with `npm run bench:storage`; prints Markdown tables. Figures go to issue notes and docs, never into tests.
 */
import { mkdtemp, open, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createClient } from '@redis/client';
import { flushRedisDatabase } from '../tests/helpers/redis-flush.js';
import { openStorage, type AdapterName, type BackendStorage } from '../src/storage-adapters/index.js';

const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 3000);
const CONCURRENT = 1000;
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/2';

interface Figures {
	setMicros: number;
	getMicros: number;
	concurrentPerSecond: number;
}

function micros(start: bigint, count: number): number {
	return Number(process.hrtime.bigint() - start) / 1000 / count;
}

async function measure(
	set: (key: string, value: unknown) => Promise<unknown>,
	get: (key: string) => Promise<unknown>,
	prefix: string
): Promise<Figures> {
	const value = { regular: 12, left: 1, fake: 0, bonus: 2, inviter: '123456789012345678' };
	let start = process.hrtime.bigint();
	for (let index = 0; index < SEQUENTIAL; index++) await set(`${prefix}s${index}`, value);
	const setMicros = micros(start, SEQUENTIAL);
	start = process.hrtime.bigint();
	for (let index = 0; index < SEQUENTIAL; index++) await get(`${prefix}s${index}`);
	const getMicros = micros(start, SEQUENTIAL);
	start = process.hrtime.bigint();
	await Promise.all(Array.from({ length: CONCURRENT }, (_, index) => set(`${prefix}c${index}`, value)));
	const concurrentPerSecond = 1e6 / micros(start, CONCURRENT);
	return { setMicros, getMicros, concurrentPerSecond };
}

async function withStorage<T>(adapter: AdapterName, run: (storage: BackendStorage, dir: string) => Promise<T>): Promise<T> {
	const dir = await mkdtemp(join(tmpdir(), `bench-${adapter}-`));
	if (adapter === 'redis') await flushRedisDatabase(REDIS_URL);
	const storage = await openStorage({
		adapter,
		dataDir: dir,
		sqlitePath: join(dir, 'bot.sqlite'),
		redisUrl: REDIS_URL,
		backupDir: join(dir, 'backups'),
		backupKeep: 5
	});
	try {
		return await run(storage, dir);
	} finally {
		await storage.close();
		await rm(dir, { recursive: true, force: true });
	}
}

async function adapterFigures(adapter: AdapterName): Promise<Figures> {
	return withStorage(adapter, async (storage) => {
		const keyv = storage.namespace('invites');
		return measure(
			(key, value) => keyv.set(key, value),
			(key) => keyv.get(key),
			''
		);
	});
}

/** better-sqlite3 with the same durability settings as our adapter: WAL, synchronous=FULL, one commit per set. */
async function rawSqliteFigures(): Promise<Figures> {
	const dir = await mkdtemp(join(tmpdir(), 'bench-raw-sqlite-'));
	const db = new Database(join(dir, 'raw.sqlite'));
	db.pragma('journal_mode = WAL');
	db.pragma('synchronous = FULL');
	db.exec('CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID');
	const insert = db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
	const select = db.prepare('SELECT value FROM kv WHERE key = ?');
	try {
		return await measure(
			(key, value) => Promise.resolve(insert.run(key, JSON.stringify(value))),
			(key) => Promise.resolve(select.get(key)),
			''
		);
	} finally {
		db.close();
		await rm(dir, { recursive: true, force: true });
	}
}

async function rawRedisFigures(): Promise<Figures> {
	await flushRedisDatabase(REDIS_URL);
	const client = createClient({ url: REDIS_URL });
	await client.connect();
	try {
		return await measure(
			(key, value) => client.set(key, JSON.stringify(value)),
			(key) => client.get(key),
			'raw:'
		);
	} finally {
		await client.flushDb();
		await client.close();
	}
}

/**
 * The lower bound for a durable file write: append one line and fdatasync, nothing else. Reads come from memory holding
 * each value's JSON text, as the file adapter does (a fresh copy per read).
 */
async function rawAppendFigures(): Promise<Figures> {
	const dir = await mkdtemp(join(tmpdir(), 'bench-raw-append-'));
	const handle = await open(join(dir, 'log'), 'a');
	const memory = new Map<string, string>();
	try {
		return await measure(
			async (key, value) => {
				const text = JSON.stringify(value);
				memory.set(key, text);
				await handle.write(`{"key":${JSON.stringify(key)},"value":${text}}\n`);
				await handle.datasync();
			},
			(key) => Promise.resolve(JSON.parse(memory.get(key)!)),
			''
		);
	} finally {
		await handle.close();
		await rm(dir, { recursive: true, force: true });
	}
}

/** The seed's way: rewrite the whole JSON file (temp file, fsync, rename) on every set. */
async function naiveRewriteMicros(keys: number, writes: number): Promise<number> {
	const dir = await mkdtemp(join(tmpdir(), 'bench-naive-'));
	const data: Record<string, unknown> = {};
	for (let index = 0; index < keys; index++) data[`k${index}`] = { regular: index, left: 0, fake: 0, bonus: 0 };
	const path = join(dir, 'invites.json');
	const start = process.hrtime.bigint();
	for (let index = 0; index < writes; index++) {
		data[`k${index}`] = { regular: index + 1, left: 0, fake: 0, bonus: 0 };
		await writeFile(`${path}.tmp`, JSON.stringify(data, null, 2), { flush: true });
		await rename(`${path}.tmp`, path);
	}
	const result = micros(start, writes);
	await rm(dir, { recursive: true, force: true });
	return result;
}

/** File adapter set cost with `keys` records already stored, over enough writes to include journal compactions. */
async function fileSetMicrosAt(keys: number, writes: number): Promise<{ setMicros: number; compactMillis: number }> {
	return withStorage('file', async (storage) => {
		const keyv = storage.namespace('invites');
		for (let index = 0; index < keys; index += 1000) {
			await Promise.all(
				Array.from({ length: Math.min(1000, keys - index) }, (_, offset) =>
					keyv.set(`m${index + offset}`, { regular: index + offset, left: 0, fake: 0, bonus: 0 })
				)
			);
		}
		// Start from a compacted state, as after a restart.
		const compactStart = process.hrtime.bigint();
		await storage.backup('bench');
		const compactMillis = Number(process.hrtime.bigint() - compactStart) / 1e6;
		const start = process.hrtime.bigint();
		for (let index = 0; index < writes; index++) await keyv.set(`m${index % keys}`, { regular: index, left: 1, fake: 0, bonus: 0 });
		return { setMicros: micros(start, writes), compactMillis };
	});
}

function row(cells: Array<string | number>): string {
	return `| ${cells.join(' | ')} |`;
}

const fmt = (value: number, digits = 1) => value.toFixed(digits);

async function main(): Promise<void> {
	const redisReachable = await flushRedisDatabase(REDIS_URL).then(
		() => true,
		() => false
	);
	console.log(`# Storage benchmark (${SEQUENTIAL} sequential sets/gets, ${CONCURRENT} concurrent sets; node ${process.version})\n`);
	console.log(row(['store', 'set µs (seq, durable)', 'get µs (seq)', 'concurrent sets/s', 'set vs raw', 'get vs raw']));
	console.log(row(['---', '---', '---', '---', '---', '---']));
	const pairs: Array<[string, () => Promise<Figures>, string, () => Promise<Figures>]> = [
		['file adapter', () => adapterFigures('file'), 'raw append + fdatasync', rawAppendFigures],
		['sqlite adapter', () => adapterFigures('sqlite'), 'raw better-sqlite3', rawSqliteFigures]
	];
	if (redisReachable) pairs.push(['redis adapter', () => adapterFigures('redis'), 'raw @redis/client', rawRedisFigures]);
	for (const [name, run, rawName, runRaw] of pairs) {
		const raw = await runRaw();
		const ours = await run();
		console.log(row([rawName, fmt(raw.setMicros), fmt(raw.getMicros, 2), fmt(raw.concurrentPerSecond, 0), '1.00x', '1.00x']));
		console.log(
			row([
				name,
				fmt(ours.setMicros),
				fmt(ours.getMicros, 2),
				fmt(ours.concurrentPerSecond, 0),
				`${fmt(ours.setMicros / raw.setMicros, 2)}x`,
				`${fmt(ours.getMicros / raw.getMicros, 2)}x`
			])
		);
	}
	if (!redisReachable) console.log('\n(Redis not reachable at BENCH_REDIS_URL: redis rows skipped)');

	const writes = Number(process.env.BENCH_SCALE_WRITES ?? 30_000);
	console.log(`\n## File adapter: set cost by data size (${writes} sequential durable sets, compactions included)\n`);
	console.log(row(['records stored', 'set µs', 'vs 1k', 'snapshot (backup) ms', 'naive whole-file rewrite µs']));
	console.log(row(['---', '---', '---', '---', '---']));
	const small = await fileSetMicrosAt(1_000, writes);
	const naiveSmall = await naiveRewriteMicros(1_000, 300);
	console.log(row(['1,000', fmt(small.setMicros), '1.00x', fmt(small.compactMillis), fmt(naiveSmall)]));
	const large = await fileSetMicrosAt(100_000, writes);
	const naiveLarge = await naiveRewriteMicros(100_000, 20);
	console.log(row(['100,000', fmt(large.setMicros), `${fmt(large.setMicros / small.setMicros, 2)}x`, fmt(large.compactMillis), fmt(naiveLarge)]));
}

await main();
