import type { KeyvStoreAdapter } from 'keyv';
import type { AdapterName, BackupInfo, StorageLogger, StoredEntry } from './types.js';

/** What a backend holds for one key: the raw stored form (compared for compare-and-set) and its decoded entry. */
export interface RawEntry {
	raw: unknown;
	entry: StoredEntry;
}

/**
 * One backend (file, sqlite, redis) behind the Storage contract. The shared parts (locking, update retries,
 * backup folders and manifests, recovery decisions, status) live in storage.ts; a backend only moves bytes.
 */
export interface Backend {
	readonly adapter: AdapterName;
	/** Whether the store holds entries as JSON text (encodeEntry) rather than as objects. */
	readonly keyvSerializes: boolean;
	/** A Keyv store; Keyv assigns its `namespace`, which selects the backend partition it works on. */
	createStore(): KeyvStoreAdapter;
	read(namespace: string, key: string): Promise<RawEntry | undefined>;
	/** Writes `next` (or deletes when undefined) only if the key still holds `expectedRaw`; false when it changed. */
	compareAndSet(namespace: string, key: string, expectedRaw: unknown, next: StoredEntry | undefined): Promise<boolean>;
	/** Writes many entries as they are (bulk import, migration): one batch, not one round trip per key. */
	putMany(namespace: string, entries: Array<[string, StoredEntry]>): Promise<void>;
	/** Live entries of a namespace in batches as the backend reads them, so a large namespace is never one array. */
	entryBatches(namespace: string): AsyncIterable<Array<[string, StoredEntry]>>;
	/** Live entries whose key starts with `prefix`, in batches, read without walking the rest of the namespace where the backend can. */
	prefixBatches(namespace: string, prefix: string): AsyncIterable<Array<[string, StoredEntry]>>;
	namespaces(): Promise<string[]>;
	/** Records per namespace, for every namespace that holds any. */
	counts(): Promise<Record<string, number>>;
	sizeBytes(): Promise<number>;
	/** Throws when the backend cannot serve requests (e.g. Redis unreachable). */
	ping(): Promise<void>;
	/**
	 * Writes a consistent copy of every namespace it holds into `folder`, plus the `declared` ones it holds nothing of
	 * (as empty); returns records per namespace.
	 */
	writeBackup(folder: string, declared: string[]): Promise<Record<string, number>>;
	/** Parses every file of a verified backup; throws naming what is unreadable. */
	checkBackup(backup: BackupInfo): Promise<void>;
	/** Replaces the live data with the backup's. */
	restoreBackup(backup: BackupInfo): Promise<void>;
	/**
	 * Takes the named lease for `ttlMs` unless another holder has it; backends shared by several processes (redis)
	 * implement it, the others serve one process and every lease is theirs.
	 */
	acquireLease?(name: string, holder: string, ttlMs: number): Promise<boolean>;
	/**
	 * A value that changes whenever the data is replaced wholesale (a restore, an import), kept outside the namespaces
	 * so that a restore cannot roll it back. Backends several processes share (sqlite, redis) keep it, so each process
	 * can tell that what it loaded into memory is out of date; the file adapter is held by one process alone.
	 */
	readDataGeneration?(): Promise<string | null>;
	writeDataGeneration?(generation: string): Promise<void>;
	/** Flushes every acknowledged write and releases files and connections. */
	close(): Promise<void>;
}

export interface BackendOpenContext {
	logger: StorageLogger;
	/** Backups newest first whose checksums verify, for repairing damage found while opening. */
	validBackups(): Promise<BackupInfo[]>;
	/** Records recoveries so that status() can show them. */
	recordEvent(level: 'info' | 'warn' | 'error', message: string): void;
}

const NAMESPACE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Namespace names become file names and key prefixes, so only a safe alphabet is accepted. */
export function assertNamespaceName(name: string): void {
	if (typeof name !== 'string' || !NAMESPACE_NAME.test(name)) {
		throw new TypeError(`Invalid namespace name "${String(name)}": use 1-64 letters, digits, "_" or "-"`);
	}
}

/**
 * How sqlite and redis hold an entry: plain JSON of `{ value, expires }`. Our Keyv instances use the same pair as their
 * serializer, so what Keyv writes and what `update` writes are one format. (Keyv's default serializer walks values in
 * JavaScript and parses with a reviver, several times slower, for Buffer support that bot data does not need.)
 */
export const encodeEntry = (entry: StoredEntry): string => JSON.stringify(entry);
export const decodeEntry = (raw: string): StoredEntry => JSON.parse(raw) as StoredEntry;

/** Entries per batch of `entryBatches`: large enough for few round trips, small enough to hold little at once. */
export const ENTRY_BATCH = 1000;

export function isExpired(entry: StoredEntry, now = Date.now()): boolean {
	return typeof entry.expires === 'number' && entry.expires <= now;
}
