import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import KeyvRedis, { createClient, type RedisClientType } from '@keyv/redis';
import type { KeyvStoreAdapter } from 'keyv';
import {
	ENTRY_BATCH,
	assertNamespaceName,
	decodeEntry,
	encodeEntry,
	isExpired,
	type Backend,
	type BackendOpenContext,
	type RawEntry
} from '../backend.js';
import { writeFileAtomic } from '../durable-fs.js';
import type { BackupDirectory } from '../backups.js';
import { GROUPED_NAMESPACES, groupOfPrefix } from '../grouped.js';
import { groupedNamespaceList, REBUILD_GROUPS_LUA, RedisGroupIndex } from './group-index.js';
import type { BackupInfo, StoredEntry } from '../types.js';

/** @keyv/redis joins a namespace and a key with this separator; our own commands address the same keys. */
const SEPARATOR = '::';
/** REDIS_PREFIX's default; versions before it wrote `<namespace>::<key>` and their meta keys under this one. */
export const DEFAULT_REDIS_PREFIX = 'supreme:';
/** Meta keys (no SEPARATOR, so never mistaken for a namespace: not listed, not backed up), after the prefix. */
const LEASE_KEY = 'lease:';
const DATA_GENERATION_KEY = 'data-generation';
/** Keys SCAN looks at per round trip: a whole-keyspace walk per namespace wants few, large steps. */
const SCAN_COUNT = 5000;
const NAMESPACE_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** Says a restore is under way (which backup, which staging keys); refreshed while it stages, so a dead one expires. */
const RESTORE_MARKER = 'restore-in-progress';
const RESTORE_MARKER_TTL_MS = 10_000;
/** Staging keys of a restore: `<prefix>restore-staging:<token>:<namespace>::<key>` (never parsed as a namespace). */
const RESTORE_STAGING = 'restore-staging:';
/** A backup's copy: lease `<prefix>backup-snapshot:<token>`, keys `<prefix>backup-snapshot:<token>:<namespace>::<key>`. */
const BACKUP_SNAPSHOT = 'backup-snapshot:';
const BACKUP_SNAPSHOT_TTL_MS = 6 * 3_600_000;

/**
 * Copies every key of our namespaces (`<prefix><namespace>::<key>`) to `<snapshot prefix><namespace>::<key>` in one
 * atomic step: the point in time a backup shows. ARGV: prefix, snapshot prefix.
 */
const COPY_NAMESPACES = `
local prefix, snapshot = ARGV[1], ARGV[2]
local cursor, copied = '0', 0
repeat
	local step = redis.call('SCAN', cursor, 'MATCH', prefix .. '*', 'COUNT', 1000)
	cursor = step[1]
	for _, key in ipairs(step[2]) do
		local rest = string.sub(key, #prefix + 1)
		local namespace = string.match(rest, '^([%w_%-]+)::')
		if namespace and #namespace <= 64 then
			local value = redis.call('GET', key)
			if value then
				redis.call('SET', snapshot .. rest, value)
				copied = copied + 1
			end
		end
	end
until cursor == '0'
return copied`;

/**
 * The one step of a restore, atomic like every script: if this restore still holds the marker, every key of our
 * namespaces is deleted, every staging key renamed to its live name, the data generation changed and the marker
 * removed. Staging keys have a ":" before their namespace, so the namespace pattern never matches them.
 * KEYS: marker, data generation. ARGV: marker value, prefix, staging prefix, new generation, grouped namespaces.
 */
const SWAP_IN_RESTORE = `${REBUILD_GROUPS_LUA}
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
local prefix, staging = ARGV[2], ARGV[3]
-- each(pattern, fn) comes with REBUILD_GROUPS_LUA.
-- REDIS_PREFIX and the staging token have no glob characters, so they serve as SCAN patterns as they are.
each(prefix .. '*', function(key)
	local namespace = string.match(string.sub(key, #prefix + 1), '^([%w_%-]+)::')
	if namespace and #namespace <= 64 then redis.call('UNLINK', key) end
end)
local moved = 0
each(staging .. '*', function(key)
	if redis.call('EXISTS', key) == 1 then
		redis.call('RENAME', key, prefix .. string.sub(key, #staging + 1))
		moved = moved + 1
	end
end)
-- The group sets of grouped namespaces (see group-index.ts) describe the old data: rebuilt from the new, in this same step.
rebuild_groups(prefix, ARGV[5])
redis.call('SET', KEYS[2], ARGV[4])
redis.call('DEL', KEYS[1])
return moved`;

const REFRESH_IF_HELD = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

const RELEASE_IF_HELD = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`;

/** Deletes KEYS[2..] unless a restore marker (KEYS[1]) is live: staging keys of a running restore are never removed. */
const UNLINK_UNLESS_RESTORING = `
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local removed = 0
for index = 2, #KEYS do removed = removed + redis.call('UNLINK', KEYS[index]) end
return removed`;

/**
 * Where our keys live: `<prefix><namespace>::<key>` for data, `<prefix><name>` for meta keys. The prefix ends with ":"
 * and namespaces have none, so a key under another prefix (or a meta key) never parses as one of our namespaces.
 */
export class RedisKeyspace {
	public constructor(public readonly prefix: string) {}

	public data(namespace: string, key: string): string {
		return `${this.prefix}${namespace}${SEPARATOR}${key}`;
	}

	/** SCAN MATCH pattern for a namespace's keys, or only those starting with `keyPrefix`. */
	public namespacePattern(namespace: string, keyPrefix = ''): string {
		return `${escapeGlob(this.prefix)}${namespace}${SEPARATOR}${escapeGlob(keyPrefix)}*`;
	}

	public meta(name: string): string {
		return `${this.prefix}${name}`;
	}

	/** The namespace of one of our data keys; null for anything else (meta keys, another prefix's keys). */
	public namespaceOf(key: string): string | null {
		if (!key.startsWith(this.prefix)) return null;
		const end = key.indexOf(SEPARATOR, this.prefix.length);
		const namespace = key.slice(this.prefix.length, end);
		return end !== -1 && NAMESPACE_NAME.test(namespace) ? namespace : null;
	}

	/** The key inside its namespace. */
	public keyOf(namespace: string, key: string): string {
		return key.slice(this.prefix.length + namespace.length + SEPARATOR.length);
	}
}

/**
 * Moves keys written before REDIS_PREFIX under it, one RENAME per key in one script per batch (atomic: each key exists
 * under exactly one name at every moment). A key whose new name is taken already is left where it is and reported.
 */
const MOVE_KEYS = `
local conflicts = {}
for index = 1, #KEYS, 2 do
	if redis.call('EXISTS', KEYS[index]) == 1 then
		if redis.call('EXISTS', KEYS[index + 1]) == 1 then
			table.insert(conflicts, KEYS[index])
		else
			redis.call('RENAME', KEYS[index], KEYS[index + 1])
		end
	end
end
return conflicts`;

/**
 * Compare-and-set in one server-side step: the write happens only if the key still holds the value the caller read,
 * which makes `update` atomic across every process and host sharing the Redis server. A key of a grouped namespace
 * also names its group's set (KEYS[2]) and its member there (ARGV[5]), changed in the same step.
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
	if KEYS[2] then redis.call('SREM', KEYS[2], ARGV[5]) end
	return 1
elseif ARGV[4] == '' then
	redis.call('SET', KEYS[1], ARGV[3])
else
	redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
end
if KEYS[2] then redis.call('SADD', KEYS[2], ARGV[5]) end
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

	private readonly keys: RedisKeyspace;
	/** One set per group of a grouped namespace (one giveaway's entries): see group-index.ts. */
	private readonly groups: RedisGroupIndex;

	private constructor(
		public readonly client: RedisClientType,
		private readonly url: string,
		prefix: string
	) {
		this.keys = new RedisKeyspace(prefix);
		this.groups = new RedisGroupIndex(client, prefix, (namespace, key) => this.keys.data(namespace, key));
	}

	public key(namespace: string, key: string): string {
		return this.keys.data(namespace, key);
	}

	public createStore(): KeyvStoreAdapter {
		return new RedisStore(this.client, this.keys.prefix, this.groups, {
			throwOnErrors: true,
			throwOnConnectError: true,
			useUnlink: true,
			keyPrefixSeparator: SEPARATOR
		});
	}

	/**
	 * Versions before REDIS_PREFIX wrote `<namespace>::<key>` at the top of the database. Keys of our declared
	 * namespaces in that form are moved under the prefix once, after a backup of them as they were; any other key
	 * (another app's `sessions::abc`) is not ours and stays untouched. Read-only opens only report them.
	 */
	public async adoptUnprefixedKeys(
		namespaces: readonly string[],
		backups: BackupDirectory,
		context: BackendOpenContext,
		{ readOnly = false } = {}
	): Promise<void> {
		const legacy = new RedisKeyspace('');
		const found = await this.keysByNamespace(legacy, namespaces);
		const total = [...found.values()].reduce((sum, keys) => sum + keys.length, 0);
		if (total === 0) return;
		if (readOnly) {
			context.logger.warn(
				`${total} keys of an earlier version (<namespace>::<key>) are not under the prefix "${this.keys.prefix}" yet; the bot moves them when it starts`
			);
			return;
		}
		const folder = await backups.create('before-redis-prefix');
		const counts = await this.exportKeys(folder.path, found, legacy);
		const backup = await backups.seal(folder, { adapter: this.adapter, reason: 'before-redis-prefix', counts });
		const moves: Array<[string, string]> = [];
		for (const [namespace, keys] of found) for (const key of keys) moves.push([key, this.keys.data(namespace, legacy.keyOf(namespace, key))]);
		// The data generation and leases of an earlier version lived under the default prefix.
		const legacyMeta = new RedisKeyspace(DEFAULT_REDIS_PREFIX);
		if (this.keys.prefix !== DEFAULT_REDIS_PREFIX) {
			moves.push([legacyMeta.meta(DATA_GENERATION_KEY), this.keys.meta(DATA_GENERATION_KEY)]);
			for await (const leases of this.client.scanIterator({ MATCH: legacyMeta.meta(`${LEASE_KEY}*`), COUNT: SCAN_COUNT })) {
				for (const lease of leases) moves.push([lease, this.keys.meta(lease.slice(DEFAULT_REDIS_PREFIX.length))]);
			}
		}
		const conflicts: string[] = [];
		for (let start = 0; start < moves.length; start += ENTRY_BATCH) {
			const batch = moves.slice(start, start + ENTRY_BATCH);
			conflicts.push(...((await this.client.eval(MOVE_KEYS, { keys: batch.flat() })) as string[]));
		}
		// Keys moved in behind the group sets' back: they are indexed again (buildGroupIndexes) before any group is read.
		if ([...found.keys()].some((namespace) => GROUPED_NAMESPACES.has(namespace))) await this.groups.invalidate();
		const message = `Moved ${moves.length - conflicts.length} keys of an earlier version under the Redis prefix "${this.keys.prefix}" (backup ${backup.id} holds them as they were)`;
		context.logger.info(message);
		context.recordEvent('info', message);
		if (conflicts.length > 0) {
			const warning = `${conflicts.length} keys of an earlier version were left where they are because their name under "${this.keys.prefix}" is taken (e.g. ${conflicts.slice(0, 3).join(', ')}); backup ${backup.id} holds them`;
			context.logger.warn(warning);
			context.recordEvent('warn', warning);
		}
	}

	/**
	 * Indexes the grouped namespaces' keys written before the group sets existed (or moved in from an earlier version),
	 * once; until then group reads walk the keyspace as before.
	 */
	public async buildGroupIndexes(context: BackendOpenContext): Promise<void> {
		await this.groups.build((namespace, keys) => {
			if (keys > 0) context.logger.info(`Redis: indexed ${keys} keys of ${namespace} by group, for reads of one group at a time`);
		});
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
				const slot = this.groups.slot(namespace, key);
				if (slot) multi.sAdd(slot.indexKey, slot.member);
			}
			await multi.exec();
		}
	}

	public async compareAndSet(namespace: string, key: string, expectedRaw: unknown, next: StoredEntry | undefined): Promise<boolean> {
		const ttl = typeof next?.expires === 'number' ? String(Math.max(1, next.expires - Date.now())) : '';
		const slot = this.groups.slot(namespace, key);
		const result = await this.client.eval(COMPARE_AND_SET, {
			keys: [this.key(namespace, key), ...(slot ? [slot.indexKey] : [])],
			arguments: [
				expectedRaw === undefined ? '0' : '1',
				expectedRaw === undefined ? '' : String(expectedRaw),
				next === undefined ? '' : encodeEntry(next),
				ttl,
				slot?.member ?? ''
			]
		});
		return result === 1;
	}

	/** Keys of one namespace, in batches, as SCAN finds them. */
	public async *scanKeys(namespace: string, keyPrefix = ''): AsyncGenerator<string[]> {
		// No TYPE filter: the prefix already selects our keys, and filtering by type makes the server's walk slower.
		for await (const keys of this.client.scanIterator({ MATCH: this.keys.namespacePattern(namespace, keyPrefix), COUNT: SCAN_COUNT })) {
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
		const group = groupOfPrefix(namespace, prefix);
		if (group !== null && (await this.groups.isComplete(namespace))) {
			// One group of a grouped namespace: its set names its keys, so nothing else is walked.
			for await (const members of this.groups.members(namespace, group)) {
				const now = Date.now();
				const batch: Array<[string, StoredEntry]> = [];
				for (const [member, raw] of members) {
					const entry = decodeEntry(raw);
					if (!isExpired(entry, now)) batch.push([`${prefix}${member}`, entry]);
				}
				if (batch.length > 0) yield batch;
			}
			return;
		}
		const prefixLength = this.keys.data(namespace, '').length;
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
	 * Every key of our namespaces, grouped by namespace, from one walk of the keyspace (a SCAN MATCH per namespace would
	 * walk it once for each): the namespaces under the prefix, or only `only` (the unprefixed keys of earlier versions,
	 * where anything else is another app's).
	 */
	public async keysByNamespace(keyspace = this.keys, only?: readonly string[]): Promise<Map<string, string[]>> {
		const found = new Map<string, string[]>();
		const wanted = only ? new Set(only) : null;
		for await (const keys of this.client.scanIterator({ MATCH: `${keyspace.prefix}*${SEPARATOR}*`, COUNT: SCAN_COUNT, TYPE: 'string' })) {
			for (const key of keys) {
				const namespace = keyspace.namespaceOf(key);
				if (namespace === null || (wanted && !wanted.has(namespace))) continue;
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
		return (await this.client.set(this.keys.meta(`${LEASE_KEY}${name}`), holder, { NX: true, PX: Math.max(1, Math.round(ttlMs)) })) === 'OK';
	}

	public readDataGeneration(): Promise<string | null> {
		return this.client.get(this.keys.meta(DATA_GENERATION_KEY));
	}

	public async writeDataGeneration(generation: string): Promise<void> {
		await this.client.set(this.keys.meta(DATA_GENERATION_KEY), generation);
	}

	/** Exports each namespace as JSON lines with the time each key has left to live, streamed a batch at a time. */
	/**
	 * A point-in-time backup: one script copies every key of our namespaces into snapshot keys at a single instant, and
	 * the files are written from that copy while writes go on. The copy costs memory the size of the data, for the
	 * length of the backup; its lease key lets another process remove the copy of a backup that died.
	 */
	public async writeBackup(folder: string, declared: string[]): Promise<Record<string, number>> {
		const lease = this.keys.meta(`${BACKUP_SNAPSHOT}${randomUUID()}`);
		const snapshot = new RedisKeyspace(`${lease}:`);
		await this.client.set(lease, JSON.stringify({ startedAt: new Date().toISOString(), host: hostname(), pid: process.pid }), {
			PX: BACKUP_SNAPSHOT_TTL_MS
		});
		try {
			await this.client.eval(COPY_NAMESPACES, { arguments: [this.keys.prefix, snapshot.prefix] });
			const keysByNamespace = await this.keysByNamespace(snapshot);
			for (const namespace of declared) if (!keysByNamespace.has(namespace)) keysByNamespace.set(namespace, []);
			return await this.exportKeys(folder, keysByNamespace, snapshot);
		} finally {
			await this.unlinkMatching(`${lease}*`);
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

	/**
	 * Writes the backup into staging keys, then swaps them in with one script: live data is never emptied before the new
	 * data is complete, and other processes see the old data or the new, never a mix. A marker (refreshed while staging)
	 * says a restore is under way; a process that finds staging keys without a live marker removes them (see open).
	 */
	public async restoreBackup(backup: BackupInfo): Promise<void> {
		const token = randomUUID();
		const staging = new RedisKeyspace(this.keys.meta(`${RESTORE_STAGING}${token}:`));
		const marker = JSON.stringify({ backup: backup.id, token, startedAt: new Date().toISOString(), host: hostname(), pid: process.pid });
		if ((await this.client.set(this.keys.meta(RESTORE_MARKER), marker, { NX: true, PX: RESTORE_MARKER_TTL_MS })) !== 'OK') {
			throw new Error(
				`Another restore is in progress on this Redis database (${await this.client.get(this.keys.meta(RESTORE_MARKER))}); try again once it is done`
			);
		}
		try {
			// What an interrupted restore left is named in the log of the process that cleans it up.
			await this.client.set(staging.prefix.slice(0, -1), marker);
			for (const name of Object.keys(backup.files)) {
				const namespace = name.slice(0, -'.jsonl'.length);
				let batch: BackupLine[] = [];
				const flush = async () => {
					await this.keepRestoreMarker(marker);
					const multi = this.client.multi();
					for (const line of batch) {
						if (line.ttl === null) multi.set(staging.data(namespace, line.key), line.value);
						else multi.set(staging.data(namespace, line.key), line.value, { PX: Math.max(1, line.ttl) });
					}
					await multi.exec();
					batch = [];
				};
				for await (const line of readBackupLines(join(backup.path, name))) {
					batch.push(line);
					if (batch.length >= ENTRY_BATCH) await flush();
				}
				if (batch.length > 0) await flush();
			}
			const swapped = await this.client.eval(SWAP_IN_RESTORE, {
				keys: [this.keys.meta(RESTORE_MARKER), this.keys.meta(DATA_GENERATION_KEY)],
				arguments: [marker, this.keys.prefix, staging.prefix, `restore ${backup.id} ${randomUUID()}`, groupedNamespaceList()]
			});
			if (swapped === -1) throw new Error('the restore took longer than its marker lasts and another process took over; nothing was changed');
		} finally {
			// After a swap only the info key is left; after a failure, the staged copy too. Live data was not touched.
			await this.client.eval(RELEASE_IF_HELD, { keys: [this.keys.meta(RESTORE_MARKER)], arguments: [marker] }).catch(() => undefined);
			await this.removeStaging(staging.prefix.slice(0, -1)).catch(() => undefined);
		}
	}

	public async close(): Promise<void> {
		// Every acknowledged write was already confirmed by the server; close waits for replies still in flight.
		if (this.client.isOpen) await this.client.close();
	}

	/**
	 * What an acknowledged write survives depends on the server's persistence settings, not on the bot (Redis 7.0 has
	 * no WAITAOF): the log says what is promised with the settings found, as a warning unless it is every write on disk.
	 */
	private async reportDurability(context: BackendOpenContext): Promise<void> {
		const server = describeRedisUrl(this.url);
		let settings: Record<string, string>;
		try {
			settings = (await this.client.configGet(['appendonly', 'appendfsync', 'save'])) as Record<string, string>;
		} catch (error) {
			context.logger.warn(
				`Redis at ${server} does not show its persistence settings (CONFIG GET: ${(error as Error).message}); an acknowledged write survives a crash of Redis only if it runs with appendonly yes (appendfsync always: also a power loss)`
			);
			return;
		}
		const promise = durabilityPromise(settings);
		context.logger[promise.safe ? 'info' : 'warn'](`Redis at ${server} runs with ${promise.settings}: ${promise.text}`);
	}

	private async unlinkMatching(pattern: string): Promise<number> {
		let removed = 0;
		for await (const keys of this.client.scanIterator({ MATCH: pattern, COUNT: SCAN_COUNT }))
			if (keys.length > 0) removed += await this.client.unlink(keys);
		return removed;
	}

	/** What a read-only open leaves alone: staging keys of a restore and snapshot copies of a backup, named with their count. */
	private async reportLeftovers(context: BackendOpenContext): Promise<void> {
		for (const [what, pattern] of [
			['staging keys of a restore', `${this.keys.meta(RESTORE_STAGING)}*`],
			['snapshot keys of a backup', `${this.keys.meta(BACKUP_SNAPSHOT)}*`]
		] as const) {
			let count = 0;
			for await (const keys of this.client.scanIterator({ MATCH: pattern, COUNT: SCAN_COUNT })) count += keys.length;
			if (count > 0)
				context.logger.warn(
					`${count} ${what} are in this Redis database (a restore or backup under way, or one that did not finish); the bot removes unfinished ones when it starts`
				);
		}
	}

	/** Snapshot copies of backups whose process died (lease expired, or a process of this host that is gone). */
	private async removeAbandonedSnapshots(context: BackendOpenContext): Promise<void> {
		const base = this.keys.meta(BACKUP_SNAPSHOT);
		const abandoned = new Set<string>();
		for await (const keys of this.client.scanIterator({ MATCH: `${base}*`, COUNT: SCAN_COUNT })) {
			for (const key of keys) {
				const end = key.indexOf(':', base.length);
				abandoned.add(end === -1 ? key : key.slice(0, end));
			}
		}
		for (const lease of abandoned) {
			const holder = await this.client.get(lease);
			if (holder !== null && !holderIsGone(holder)) continue;
			const removed = await this.unlinkMatching(`${lease}*`);
			context.logger.info(`Removed the snapshot copy of a backup that did not finish (${removed} keys)`);
		}
	}

	/** Writes `<namespace>.jsonl` for each namespace's keys; returns the lines written per namespace. */
	private async exportKeys(folder: string, keysByNamespace: Map<string, string[]>, keyspace = this.keys): Promise<Record<string, number>> {
		const counts: Record<string, number> = {};
		for (const namespace of [...keysByNamespace.keys()].sort()) {
			counts[namespace] = 0;
			const lines = this.backupLines(keyspace, namespace, keysByNamespace.get(namespace)!, () => counts[namespace]!++);
			await writeFileAtomic(join(folder, `${namespace}.jsonl`), lines);
		}
		return counts;
	}

	/** Backup lines of `keys`, one chunk of text per MGET; `onLine` counts them. */
	private async *backupLines(keyspace: RedisKeyspace, namespace: string, keys: string[], onLine: () => void): AsyncGenerator<string> {
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
				const line: BackupLine = { key: keyspace.keyOf(namespace, key), value, ttl: expires === null ? null : expires - now };
				chunk += `${JSON.stringify(line)}\n`;
				onLine();
			});
			if (chunk.length > 0) yield chunk;
		}
	}

	private async keepRestoreMarker(marker: string): Promise<void> {
		const held = await this.client.eval(REFRESH_IF_HELD, {
			keys: [this.keys.meta(RESTORE_MARKER)],
			arguments: [marker, String(RESTORE_MARKER_TTL_MS)]
		});
		if (held !== 1) throw new Error('the restore marker expired while the backup was being staged; nothing was changed');
	}

	/** Keys starting with `stagingPrefix`, removed only while no restore marker is live. */
	private async removeStaging(stagingPrefix: string): Promise<number> {
		let removed = 0;
		for await (const keys of this.client.scanIterator({ MATCH: `${stagingPrefix}*`, COUNT: SCAN_COUNT })) {
			if (keys.length === 0) continue;
			const result = (await this.client.eval(UNLINK_UNLESS_RESTORING, { keys: [this.keys.meta(RESTORE_MARKER), ...keys] })) as number;
			if (result === -1) return removed;
			removed += result;
		}
		return removed;
	}

	/**
	 * A restore whose process died before the swap left staging keys (live data was not touched). Once no restore
	 * marker is live (it expires RESTORE_MARKER_TTL_MS after the last refresh), they are removed and the operator told.
	 */
	private async rollBackInterruptedRestore(context: BackendOpenContext): Promise<void> {
		const markerKey = this.keys.meta(RESTORE_MARKER);
		let waited = false;
		for (let marker = await this.client.get(markerKey); marker !== null; marker = await this.client.get(markerKey)) {
			// A marker left by a process of this host that is gone needs no waiting for.
			if (holderIsGone(marker)) {
				await this.client.eval(RELEASE_IF_HELD, { keys: [markerKey], arguments: [marker] });
				continue;
			}
			if (!waited) context.logger.warn(`Waiting for the restore in progress on this Redis database to finish: ${marker}`);
			waited = true;
			await new Promise((resolve) => setTimeout(resolve, 200));
		}
		const stagingPrefix = this.keys.meta(RESTORE_STAGING);
		const interrupted: string[] = [];
		for await (const keys of this.client.scanIterator({ MATCH: `${stagingPrefix}*`, COUNT: SCAN_COUNT })) {
			for (const key of keys) if (!key.includes(SEPARATOR)) interrupted.push((await this.client.get(key)) ?? key);
		}
		const removed = await this.removeStaging(stagingPrefix);
		if (removed === 0) return;
		const message = `A restore was interrupted before it switched the data over (${interrupted.join('; ') || 'no details'}); the data is as it was before it. ${removed} staged keys were removed; run the restore again`;
		context.logger.warn(message);
		context.recordEvent('warn', message);
	}

	public static async open(
		url: string,
		context: BackendOpenContext,
		prefix = DEFAULT_REDIS_PREFIX,
		{ readOnly = false } = {}
	): Promise<RedisBackend> {
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
		const backend = new RedisBackend(client, url, prefix);
		try {
			await backend.reportDurability(context);
			// A read-only view (the data CLI's status, backups, verify, export) changes no key: it only says what is left over.
			if (readOnly) await backend.reportLeftovers(context);
			else {
				await backend.rollBackInterruptedRestore(context);
				await backend.removeAbandonedSnapshots(context);
			}
		} catch (error) {
			client.destroy();
			throw error;
		}
		return backend;
	}
}

/** What an acknowledged write survives with these persistence settings (README, "Redis durability"). */
export function durabilityPromise(settings: Record<string, string>): { settings: string; text: string; safe: boolean } {
	if (settings.appendonly === 'yes') {
		const fsync = settings.appendfsync ?? 'everysec';
		const text =
			fsync === 'always'
				? 'every acknowledged write is on disk before Redis answers, and survives a crash of Redis or of its machine'
				: fsync === 'everysec'
					? // Redis holds back writing the AOF while a background fsync is slow (a busy disk), up to 2 s, and answers meanwhile.
						'up to about 2 seconds of acknowledged writes can be lost if Redis crashes while its disk is busy, or if the machine crashes or loses power (appendfsync always closes that gap)'
					: 'an acknowledged write survives a crash of the Redis process; what the operating system had not written to disk yet (up to about 30 seconds) is lost if the machine crashes or loses power (appendfsync always closes that gap)';
		return { settings: `appendonly yes, appendfsync ${fsync}`, text, safe: fsync === 'always' };
	}
	const save = settings.save ?? '';
	return {
		settings: `appendonly no, save "${save}"`,
		text:
			save.trim() === ''
				? 'the data lives only in memory: everything is lost if the Redis server crashes or restarts without SHUTDOWN SAVE; set appendonly yes'
				: 'writes since the last snapshot (see save) are lost if the Redis server crashes; set appendonly yes',
		safe: false
	};
}

/** True when a marker or lease (JSON with host and pid) names a process of this host that no longer runs. */
function holderIsGone(marker: string): boolean {
	try {
		const { host, pid } = JSON.parse(marker) as { host?: unknown; pid?: unknown };
		if (host !== hostname() || typeof pid !== 'number' || pid === process.pid) return false;
		process.kill(pid, 0);
		return false;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'ESRCH';
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

/** @keyv/redis with our key prefix, and a namespace clear that reports failures instead of swallowing them. */
class RedisStore extends KeyvRedis<string> {
	public constructor(
		private readonly redis: RedisClientType,
		private readonly keyPrefix: string,
		private readonly groups: RedisGroupIndex,
		options: ConstructorParameters<typeof KeyvRedis>[1]
	) {
		super(redis, options);
	}

	// Keys of a grouped namespace are written with their group set in one MULTI (atomic), so the set never misses a key.
	public override async set(key: string, value: string, ttl?: number): Promise<void> {
		const slot = this.namespace === undefined ? null : this.groups.slot(this.namespace, key);
		if (!slot) return super.set(key, value, ttl);
		const multi = this.redis.multi();
		const full = this.createKeyPrefix(key, super.namespace);
		if (ttl) multi.set(full, value, { PX: ttl });
		else multi.set(full, value);
		await multi.sAdd(slot.indexKey, slot.member).exec();
	}

	public override async setMany(entries: Array<{ key: string; value: string; ttl?: number }>): Promise<void> {
		if (this.namespace === undefined || !GROUPED_NAMESPACES.has(this.namespace)) return super.setMany(entries);
		for (const { key, value, ttl } of entries) await this.set(key, value, ttl);
	}

	public override async delete(key: string): Promise<boolean> {
		return this.deleteMany([key]);
	}

	public override async deleteMany(keys: string[]): Promise<boolean> {
		if (this.namespace === undefined || !GROUPED_NAMESPACES.has(this.namespace))
			return keys.length === 1 ? super.delete(keys[0]!) : super.deleteMany(keys);
		const multi = this.redis.multi();
		for (const key of keys) {
			multi.unlink(this.createKeyPrefix(key, super.namespace));
			const slot = this.groups.slot(this.namespace, key);
			if (slot) multi.sRem(slot.indexKey, slot.member);
		}
		const results = await multi.exec();
		return results.some((result, index) => index % 2 === 0 && typeof result === 'number' && result > 0);
	}

	// Keyv assigns and reads the namespace as it named it; every key @keyv/redis builds from it starts with the prefix.
	public override get namespace(): string | undefined {
		const prefixed = super.namespace;
		return prefixed === undefined ? undefined : prefixed.slice(this.keyPrefix.length);
	}

	public override set namespace(value: string | undefined) {
		super.namespace = value === undefined ? undefined : `${this.keyPrefix}${value}`;
	}

	public override iterator<U = string>(namespace?: string): AsyncGenerator<[string, U | undefined], void, unknown> {
		return super.iterator<U>(namespace === undefined ? undefined : `${this.keyPrefix}${namespace}`);
	}

	public override async clear(): Promise<void> {
		if (this.namespace !== undefined) await this.groups.clear(this.namespace);
		const namespace = `${this.keyPrefix}${this.namespace ?? 'keyv'}`;
		for await (const keys of this.redis.scanIterator({ MATCH: `${namespace}${SEPARATOR}*`, COUNT: SCAN_COUNT, TYPE: 'string' })) {
			if (keys.length > 0) await this.redis.unlink(keys);
		}
	}
}
