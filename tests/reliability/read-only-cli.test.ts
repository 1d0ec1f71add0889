import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createClient, type RedisClientType } from '@redis/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage-adapters/index.js';
import { runDataCli } from '../helpers/data-cli.js';
import { redisAvailable, redisTestUrl } from '../helpers/redis.js';
import { filesUnder } from './_shared.js';

const READ_ONLY_COMMANDS = [
	['status'],
	['status', '--json'],
	['backups'],
	['verify'],
	['export', '--format', 'json'],
	['export', '--format', 'csv', '--guild', '123456789012345678']
];

/**
 * Every file under `root` with its size, mode and content hash: what a read-only command must leave as it was. SQLite's
 * `-shm` is left out: it is the shared-memory lock table of the connections open now, which every reader (a read-only
 * one too) takes its read mark in; it holds no data.
 */
function fingerprint(root: string): Record<string, string> {
	if (!existsSync(root)) return {};
	return Object.fromEntries(
		filesUnder(root)
			.filter((path) => !path.endsWith('-shm'))
			.sort()
			.map((path) => {
				const info = statSync(path);
				return [
					path,
					`${info.size} ${(info.mode & 0o777).toString(8)} ${info.mtimeMs} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`
				];
			})
	);
}

/**
 * The data CLI's read-only commands change nothing: not a leftover temporary file, not a journal's torn tail, not
 * SQLite's write-ahead log of a running bot, and no file or folder is created where there was no data.
 */
describe.each(['file', 'sqlite'] as const)('read-only data commands write nothing: %s', (adapter) => {
	const scratch: string[] = [];
	afterAll(() => {
		for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
	});

	it('leaves every file of the data directory as it was', async () => {
		const dataDir = mkdtempSync(join(tmpdir(), `supreme-read-only-${adapter}-`));
		scratch.push(dataDir);
		const options = {
			adapter,
			dataDir,
			sqlitePath: join(dataDir, 'bot.sqlite'),
			redisUrl: '',
			backupDir: join(dataDir, 'backups'),
			backupKeep: 5
		};
		const storage = await openStorage(options);
		await storage.namespace('settings').set('guild', { welcome: true });
		await storage.backup('manual');
		await storage.namespace('settings').set('other', { welcome: false });
		await storage.close();
		let writer: Database.Database | null = null;
		if (adapter === 'file') {
			// What a crash leaves: a temporary file and a journal line cut short. Opening for writing would clean up both.
			writeFileSync(join(dataDir, `settings.json.tmp-99999-abcd`), '{"half":');
			writeFileSync(join(dataDir, 'settings.journal'), '{"op":"set","key":"x","value":{"value":1}}\n{"op":"se');
		} else {
			// A running bot's connection with changes still in the write-ahead log (a writer's close would checkpoint them).
			writer = new Database(options.sqlitePath);
			writer.pragma('wal_autocheckpoint = 0');
			writer.prepare("INSERT INTO entries (namespace, key, value, expires) VALUES ('settings', 'wal', '{\"value\":1}', NULL)").run();
		}
		const env = { STORAGE_ADAPTER: adapter, DATA_DIR: dataDir };
		const before = fingerprint(dataDir);
		try {
			for (const args of READ_ONLY_COMMANDS) {
				const result = await runDataCli(args, env);
				expect(result.code, `data ${args.join(' ')}: ${result.stderr}`).toBe(0);
				expect(fingerprint(dataDir), `data ${args.join(' ')} changed the data directory`).toEqual(before);
			}
		} finally {
			writer?.close();
		}
	});

	it('creates nothing where there is no data yet', async () => {
		const parent = mkdtempSync(join(tmpdir(), `supreme-read-only-empty-${adapter}-`));
		scratch.push(parent);
		const dataDir = join(parent, 'data');
		for (const args of READ_ONLY_COMMANDS) {
			const result = await runDataCli(args, { STORAGE_ADAPTER: adapter, DATA_DIR: dataDir });
			expect(result.code, `data ${args.join(' ')}: ${result.stderr}`).toBe(0);
			expect(existsSync(dataDir), `data ${args.join(' ')} created ${dataDir}`).toBe(false);
		}
	});
});

/**
 * On Redis too: a read-only command on a database that still holds an earlier version's unprefixed keys, a crashed
 * restore's staging keys and a dead backup's snapshot copy moves, removes and rewrites nothing (every key, its value
 * and whether it expires, before and after), and makes no backup.
 */
describe.skipIf(!redisAvailable)('read-only data commands write nothing: redis', () => {
	const DATABASE = 11;
	let raw: RedisClientType;
	const scratch: string[] = [];

	beforeAll(async () => {
		raw = createClient({ url: redisTestUrl(DATABASE) }) as RedisClientType;
		await raw.connect();
	});

	afterAll(async () => {
		await raw?.flushDb();
		await raw?.close();
		for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
	});

	/** Every key with its type, its value (DUMP) and whether it expires. */
	async function dumpAll(): Promise<Record<string, string>> {
		const dump: Record<string, string> = {};
		for (const key of (await raw.keys('*')).sort()) {
			const value = await raw.sendCommand<Buffer | null>(['DUMP', key], { returnBuffers: true } as never);
			dump[key] = `${await raw.type(key)} ${(await raw.pTTL(key)) > 0 ? 'expires' : 'persistent'} ${createHash('sha256')
				.update(value ?? '')
				.digest('hex')}`;
		}
		return dump;
	}

	it('leaves every key of the database as it was', async () => {
		await raw.flushDb();
		// An earlier version's data (no prefix), with its data generation under the default prefix.
		await raw.set('invites::g1:u1', JSON.stringify({ value: { regular: 4 } }));
		await raw.set('settings::g1', JSON.stringify({ value: { welcome: 'hi' } }));
		await raw.set('giveaways::gw1', JSON.stringify({ value: { state: 'active' } }), { PX: 3_600_000 });
		await raw.set('supreme:data-generation', 'generation-of-the-old-version');
		// A restore that died before its swap (no live marker) and the snapshot copy of a backup whose process is gone.
		await raw.set('supreme:restore-staging:dead', 'restore of backup x by a process that died');
		await raw.set('supreme:restore-staging:dead:invites::g1:u9', JSON.stringify({ value: { regular: 1 } }));
		await raw.set('supreme:backup-snapshot:dead', 'no-such-host:1');
		await raw.set('supreme:backup-snapshot:dead:invites::g1:u1', JSON.stringify({ value: { regular: 4 } }));
		// Another application's key.
		await raw.set('sessions::abc', 'a session of another app');
		const backupDir = mkdtempSync(join(tmpdir(), 'supreme-read-only-redis-backups-'));
		scratch.push(backupDir);
		const env = { STORAGE_ADAPTER: 'redis', REDIS_URL: redisTestUrl(DATABASE), BACKUP_DIR: backupDir, DATA_DIR: backupDir };
		const before = await dumpAll();
		for (const args of READ_ONLY_COMMANDS) {
			const result = await runDataCli(args, env);
			expect(result.code, `data ${args.join(' ')}: ${result.stderr}`).toBe(0);
			expect(await dumpAll(), `data ${args.join(' ')} changed the Redis database`).toEqual(before);
			expect(filesUnder(backupDir), `data ${args.join(' ')} made a backup`).toEqual([]);
		}
		const status = await runDataCli(['status'], env);
		expect(status.stderr).toMatch(/keys of an earlier version .* are not under the prefix "supreme:" yet/);
	});
});
