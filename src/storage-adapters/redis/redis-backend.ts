import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import KeyvRedis, { createClient, type RedisClientType } from '@keyv/redis';
import type { KeyvStoreAdapter } from 'keyv';
import { ENTRY_BATCH, assertNamespaceName, decodeEntry, encodeEntry, isExpired, type Backend, type BackendOpenContext, type RawEntry } from '../backend.js';
import { writeFileAtomic } from '../durable-fs.js';
import type { BackupInfo, StoredEntry } from '../types.js';

/** @keyv/redis joins a namespace and a key with this separator; our own commands address the same keys. */
const SEPARATOR = '::';
/** Lease keys have no SEPARATOR, so they are never mistaken for a namespace (not listed, not backed up). */
const LEASE_PREFIX = 'supreme:lease:';
const DATA_GENERATION_KEY = 'supreme:data-generation';
/** Keys SCAN looks at per round trip: a whole-keyspace walk per namespace wants few, large steps. */
const SCAN_COUNT = 5000;

/**
 * Compare-and-set in one server-side step: the write happens only if the key still holds the value the caller read,
 * which makes `update` atomic across every process and host sharing the Redis server.
 */
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
	if current ~= ARGV[2] then return 0 end
elseif current then
	return 0
end
if ARGV[3] == '' then
	redis.call('DEL', KEYS[1])
elseif ARGV[4] == '' then
	redis.call('SET', KEYS[1], ARGV[3])
else
	redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
end
return 1`;

/** A literal for a SCAN MATCH pattern: glob characters escaped with a backslash. */
function escapeGlob(text: string): string {
	return text.replace(/[*?[\]\\]/g, '\\$&');
}

interface BackupLine {
	key: string;
	value: string;
	/** Milliseconds left to live, or null for keys without expiry. */
	ttl: number | null;
}

/** Redis URLs may carry a password; messages name the server without it. */
export function describeRedisUrl(url: string): string {
	try {
		const parsed = new URL(url);
		return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
	} catch {
		return 'the configured Redis server';
	}
}

export class RedisBackend implements Backend {
	public readonly adapter = 'redis' as const;
	public readonly keyvSerializes = true;

	private constructor(
		public readonly client: RedisClientType,
		private readonly url: string
	) {}

	public static async open(url: string, context: BackendOpenContext): Promise<RedisBackend> {
		let connected = false;
		const client = createClient({
			url,
			// While disconnected, commands fail at once instead of waiting in a queue: an outage is an error callers see.
			disableOfflineQueue: true,
			socket: {
				connectTimeout: 5000,
				// A server that never answered is a configuration error to report at once; one that went away is an
				// outage to ride out by reconnecting.
				reconnectStrategy: (retries: number, cause: Error) => (connected ? Math.min(100 * 2 ** retries, 2000) : cause)
			}
		}) as RedisClientType;
		// Each namespace's @keyv/redis store subscribes to the shared client's events.
		client.setMaxListeners(100);
		let lastErrorLog = 0;
		client.on('error', (error: Error) => {
			// The client retries on its own; one line every 10 s is enough for the operator.
			if (Date.now() - lastErrorLog < 10_000) return;
			lastErrorLog = Date.now();
			context.logger.warn(`Redis (${describeRedisUrl(url)}) error: ${error.message}`);
		});
		try {
			await client.connect();
			connected = true;
		} catch (error) {
			if (client.isOpen) client.destroy();
			throw new Error(`Cannot connect to Redis at ${describeRedisUrl(url)}: ${(error as Error).message}`);
		}
		return new RedisBackend(client, url);
	}

	public key(namespace: string, key: string): string {
		return `${namespace}${SEPARATOR}${key}`;
	}

	public createStore(): KeyvStoreAdapter {
		return new RedisStore(this.client, { throwOnErrors: true, throwOnConnectError: true, useUnlink: true, keyPrefixSeparator: SEPARATOR });
	}

	public async read(namespace: string, key: string): Promise<RawEntry | undefined> {
		const raw = await this.client.get(this.key(namespace, key));
		return raw === null ? undefined : { raw, entry: decodeEntry(raw) };
	}

	public async putMany(namespace: string, entries: Array<[string, StoredEntry]>): Promise<void> {
		for (let start = 0; start < entries.length; start += ENTRY_BATCH) {
			const multi = this.client.multi();
			for (const [key, entry] of entries.slice(start, start + ENTRY_BATCH)) {
				// An absolute expiry carries over exactly; one already past is not written at all.
				if (typeof entry.expires === 'number' && entry.expires <= Date.now()) continue;
				if (typeof entry.expires === 'number') multi.set(this.key(namespace, key), encodeEntry(entry), { PXAT: entry.expires });
				else multi.set(this.key(namespace, key), encodeEntry(entry));
			}
			await multi.exec();
		}
	}

	public async compareAndSet(namespace: string, key: string, expectedRaw: unknown, next: StoredEntry | undefined): Promise<boolean> {
		const ttl = typeof next?.expires === 'number' ? String(Math.max(1, next.expires - Date.now())) : '';
		const result = await this.client.eval(COMPARE_AND_SET, {
			keys: [this.key(namespace, key)],
			arguments: [expectedRaw === undefined ? '0' : '1', expectedRaw === undefined ? '' : String(expectedRaw), next === undefined ? '' : encodeEntry(next), ttl]
		});
		return result === 1;
	}

	/** Keys of one namespace, in batches, as SCAN finds them. */
	public async *scanKeys(namespace: string, keyPrefix = ''): AsyncGenerator<string[]> {
		// No TYPE filter: the prefix already selects our keys, and filtering by type makes the server's walk slower.
		for await (const keys of this.client.scanIterator({ MATCH: `${namespace}${SEPARATOR}${escapeGlob(keyPrefix)}*`, COUNT: SCAN_COUNT })) {
			if (keys.length > 0) yield keys;
		}
	}

	public entryBatches(namespace: string): AsyncGenerator<Array<[string, StoredEntry]>> {
		return this.prefixBatches(namespace, '');
	}

	/**
	 * SCAN MATCH on the key pattern: the server compares the keys, only the matching ones travel. The walk still visits
	 * the whole keyspace on the server (Redis keeps no key order), in steps of SCAN_COUNT.
	 */
	public async *prefixBatches(namespace: string, prefix: string): AsyncGenerator<Array<[string, StoredEntry]>> {
		const prefixLength = namespace.length + SEPARATOR.length;
		for await (const keys of this.scanKeys(namespace, prefix)) {
			for (let start = 0; start < keys.length; start += ENTRY_BATCH) {
				const slice = keys.slice(start, start + ENTRY_BATCH);
				const values = await this.client.mGet(slice);
				const now = Date.now();
				const batch: Array<[string, StoredEntry]> = [];
				values.forEach((raw, index) => {
					if (raw === null) return;
					const entry = decodeEntry(raw);
					if (!isExpired(entry, now)) batch.push([slice[index]!.slice(prefixLength), entry]);
				});
				if (batch.length > 0) yield batch;
			}
		}
	}

	/**
	 * Every namespaced key, grouped by namespace, from one walk of the keyspace: a SCAN MATCH per namespace would walk
	 * the whole keyspace once for each namespace.
	 */
	public async keysByNamespace(): Promise<Map<string, string[]>> {
		const found = new Map<string, string[]>();
		for await (const keys of this.client.scanIterator({ MATCH: `*${SEPARATOR}*`, COUNT: SCAN_COUNT, TYPE: 'string' })) {
			for (const key of keys) {
				const namespace = key.slice(0, key.indexOf(SEPARATOR));
				if (!/^[A-Za-z0-9_-]{1,64}$/.test(namespace)) continue;
				let list = found.get(namespace);
				if (!list) found.set(namespace, (list = []));
				list.push(key);
			}
		}
		return found;
	}

	public async namespaces(): Promise<string[]> {
		return [...(await this.keysByNamespace()).keys()].sort();
	}

	public async counts(): Promise<Record<string, number>> {
		return Object.fromEntries([...(await this.keysByNamespace())].map(([namespace, keys]) => [namespace, keys.length]));
	}

	public async sizeBytes(): Promise<number> {
		const info = await this.client.info('memory');
		return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
	}

	public async ping(): Promise<void> {
		if (!this.client.isReady) throw new Error(`Redis at ${describeRedisUrl(this.url)} is not connected`);
		await this.client.ping();
	}

	public async acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
		// SET NX PX: one holder until it expires; a holder that crashed frees it by expiry, not by a release.
		return (await this.client.set(`${LEASE_PREFIX}${name}`, holder, { NX: true, PX: Math.max(1, Math.round(ttlMs)) })) === 'OK';
	}

	public readDataGeneration(): Promise<string | null> {
		return this.client.get(DATA_GENERATION_KEY);
	}

	public async writeDataGeneration(generation: string): Promise<void> {
		await this.client.set(DATA_GENERATION_KEY, generation);
	}

	/** Exports each namespace as JSON lines with the time each key has left to live, streamed a batch at a time. */
	public async writeBackup(folder: string, declared: string[]): Promise<Record<string, number>> {
		const keysByNamespace = await this.keysByNamespace();
		for (const namespace of declared) if (!keysByNamespace.has(namespace)) keysByNamespace.set(namespace, []);
		const counts: Record<string, number> = {};
		for (const namespace of [...keysByNamespace.keys()].sort()) {
			counts[namespace] = 0;
			const lines = this.backupLines(namespace, keysByNamespace.get(namespace)!, () => counts[namespace]!++);
			await writeFileAtomic(join(folder, `${namespace}.jsonl`), lines);
		}
		return counts;
	}

	/** Backup lines of `keys`, one chunk of text per MGET; `onLine` counts them. */
	private async *backupLines(namespace: string, keys: string[], onLine: () => void): AsyncGenerator<string> {
		for (let start = 0; start < keys.length; start += ENTRY_BATCH) {
			const slice = keys.slice(start, start + ENTRY_BATCH);
			const values = await this.client.mGet(slice);
			const now = Date.now();
			let chunk = '';
			slice.forEach((key, index) => {
				const value = values[index];
				// Deleted since the walk found it.
				if (value === null || value === undefined) return;
				// The expiry is inside every value Keyv wrote, so no PTTL round trip per key is needed.
				const expires = expiresOf(value);
				if (expires !== null && expires <= now) return;
				const line: BackupLine = { key: key.slice(namespace.length + SEPARATOR.length), value, ttl: expires === null ? null : expires - now };
				chunk += `${JSON.stringify(line)}\n`;
				onLine();
			});
			if (chunk.length > 0) yield chunk;
		}
	}

	public async checkBackup(backup: BackupInfo): Promise<void> {
		for (const name of Object.keys(backup.files)) {
			if (!name.endsWith('.jsonl')) throw new Error(`Backup ${backup.id}: ${name} is not a Redis namespace export`);
			assertNamespaceName(name.slice(0, -'.jsonl'.length));
			let lineNumber = 0;
			for await (const line of readBackupLines(join(backup.path, name))) {
				lineNumber++;
				if (typeof line.key !== 'string' || typeof line.value !== 'string') {
					throw new Error(`Backup ${backup.id}: line ${lineNumber} of ${name} is not a key export`);
				}
			}
		}
	}

	public async restoreBackup(backup: BackupInfo): Promise<void> {
		const restored = new Set<string>();
		for (const name of Object.keys(backup.files)) {
			const namespace = name.slice(0, -'.jsonl'.length);
			await this.clearNamespace(namespace);
			let batch: BackupLine[] = [];
			const flush = async () => {
				const multi = this.client.multi();
				for (const line of batch) {
					if (line.ttl === null) multi.set(this.key(namespace, line.key), line.value);
					else multi.set(this.key(namespace, line.key), line.value, { PX: line.ttl });
				}
				await multi.exec();
				batch = [];
			};
			for await (const line of readBackupLines(join(backup.path, name))) {
				batch.push(line);
				if (batch.length >= ENTRY_BATCH) await flush();
			}
			if (batch.length > 0) await flush();
			restored.add(namespace);
		}
		for (const namespace of await this.namespaces()) if (!restored.has(namespace)) await this.clearNamespace(namespace);
	}

	public async clearNamespace(namespace: string): Promise<void> {
		for await (const keys of this.scanKeys(namespace)) await this.client.unlink(keys);
	}

	public async close(): Promise<void> {
		// Every acknowledged write was already confirmed by the server; close waits for replies still in flight.
		if (this.client.isOpen) await this.client.close();
	}
}

/** The absolute expiry a Keyv-serialized value carries, or null (no expiry, or a value Keyv did not write). */
function expiresOf(raw: string): number | null {
	// Most values never expire; parsing only those that mention an expiry keeps a backup of large namespaces fast.
	if (!raw.includes('"expires"')) return null;
	try {
		const expires = decodeEntry(raw)?.expires;
		return typeof expires === 'number' ? expires : null;
	} catch {
		return null;
	}
}

async function* readBackupLines(path: string): AsyncGenerator<BackupLine> {
	const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
	for await (const line of lines) {
		if (line.length > 0) yield JSON.parse(line) as BackupLine;
	}
}

/** @keyv/redis, except that clearing a namespace reports failures instead of swallowing them. */
class RedisStore extends KeyvRedis<string> {
	public constructor(
		private readonly redis: RedisClientType,
		options: ConstructorParameters<typeof KeyvRedis>[1]
	) {
		super(redis, options);
	}

	public override async clear(): Promise<void> {
		const namespace = this.namespace ?? 'keyv';
		for await (const keys of this.redis.scanIterator({ MATCH: `${namespace}${SEPARATOR}*`, COUNT: SCAN_COUNT, TYPE: 'string' })) {
			if (keys.length > 0) await this.redis.unlink(keys);
		}
	}
}
