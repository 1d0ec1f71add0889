import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type RedisClientType } from '@redis/client';
import { afterEach, beforeEach } from 'vitest';
import { openStorage, type AdapterName, type BackendStorage, type StorageOptions } from '../../src/storage-adapters/index.js';
import { flushRedisDatabase, redisAvailable, redisTestUrl } from './redis.js';

export interface StorageFixture {
	adapter: AdapterName;
	options: StorageOptions;
	open(overrides?: Partial<StorageOptions>): Promise<BackendStorage>;
	/** Log lines the storage wrote, for asserting that recoveries are reported. */
	logs: string[];
	dispose(): Promise<void>;
}

export const ADAPTERS: Array<{ adapter: AdapterName; available: boolean }> = [
	{ adapter: 'file', available: true },
	{ adapter: 'sqlite', available: true },
	{ adapter: 'redis', available: redisAvailable }
];

/** A fresh, empty storage location for one adapter: a temp dir, and for Redis a flushed database of its own. */
export async function createStorageFixture(adapter: AdapterName, redisDatabase = 11): Promise<StorageFixture> {
	const dataDir = await mkdtemp(join(tmpdir(), `supreme-${adapter}-`));
	const redisUrl = redisTestUrl(redisDatabase);
	if (adapter === 'redis') await flushRedisDatabase(redisUrl);
	const logs: string[] = [];
	const options: StorageOptions = {
		adapter,
		dataDir,
		sqlitePath: join(dataDir, 'bot.sqlite'),
		redisUrl,
		backupDir: join(dataDir, 'backups'),
		backupKeep: 20
	};
	const opened: BackendStorage[] = [];
	return {
		adapter,
		options,
		logs,
		async open(overrides = {}) {
			const storage = await openStorage(
				{ ...options, ...overrides },
				{
					info: (message) => logs.push(`info ${message}`),
					warn: (message) => logs.push(`warn ${message}`),
					error: (message) => logs.push(`error ${message}`)
				}
			);
			opened.push(storage);
			return storage;
		},
		async dispose() {
			for (const storage of opened) await storage.close().catch(() => undefined);
			if (adapter === 'redis') await flushRedisDatabase(redisUrl);
			await rm(dataDir, { recursive: true, force: true });
		}
	};
}

export interface RedisStorageSuite {
	/** The suite's fresh storage location; replaced before each test. */
	readonly fixture: StorageFixture;
	/** A plain client on the same database, to look at the keys as Redis holds them. */
	readonly raw: RedisClientType;
}

/**
 * For a Redis storage suite: before each test a flushed database `database` with a storage fixture and a raw client on
 * it; after each, both closed and the database flushed again.
 */
export function useRedisStorage(database: number): RedisStorageSuite {
	let fixture: StorageFixture | undefined;
	let raw: RedisClientType | undefined;
	beforeEach(async () => {
		fixture = await createStorageFixture('redis', database);
		raw = createClient({ url: redisTestUrl(database) }) as RedisClientType;
		await raw.connect();
	});
	afterEach(async () => {
		await raw?.close();
		await fixture?.dispose();
	});
	return {
		get fixture() {
			if (!fixture) throw new Error('useRedisStorage: used outside a test');
			return fixture;
		},
		get raw() {
			if (!raw) throw new Error('useRedisStorage: used outside a test');
			return raw;
		}
	};
}
