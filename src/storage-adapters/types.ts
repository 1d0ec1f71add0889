import type { Keyv } from 'keyv';

export type AdapterName = 'file' | 'sqlite' | 'redis';

/** What Keyv hands a store when serialization is off: the value and its absolute expiry time (ms since epoch). */
export interface StoredEntry<T = unknown> {
	value: T;
	expires?: number | undefined;
}

/** Receives the current value (undefined when absent) and returns the new one; returning undefined deletes the key. */
export type UpdateFn<T> = (current: T | undefined) => T | undefined | Promise<T | undefined>;

export interface BackupManifest {
	id: string;
	adapter: AdapterName;
	reason: string;
	/**
	 * Order of creation, one more than the newest backup's: what "newest" and retention go by, so a clock stepped back
	 * cannot reorder backups. Absent in backups made before it existed (they count as older than any with one).
	 */
	sequence?: number;
	createdAt: string;
	/** Records per namespace at the moment of the backup. */
	counts: Record<string, number>;
	/** sha256 of every file in the backup folder except the manifest itself. */
	files: Record<string, string>;
	/** sha256 over the sorted `name:hash` lines of `files`: one value to compare. */
	checksum: string;
}

export interface BackupInfo extends BackupManifest {
	path: string;
	sizeBytes: number;
	/** Set when a startup backup was not made because nothing changed since this one (the newest). */
	unchanged?: boolean;
}

export interface StorageEvent {
	at: string;
	level: 'info' | 'warn' | 'error';
	message: string;
}

export interface StorageStatus {
	adapter: AdapterName;
	healthy: boolean;
	/** Why the storage is unhealthy, when it is. */
	problem?: string;
	counts: Record<string, number>;
	sizeBytes: number;
	lastWriteAt: string | null;
	lastBackup: { id: string; createdAt: string } | null;
	/** Recoveries and errors since the storage was opened, newest last. */
	events: StorageEvent[];
}

export interface Storage {
	readonly adapter: AdapterName;
	/** A Keyv instance for one namespace; the same instance on every call. Errors reach the caller. */
	namespace<T = unknown>(name: string): Keyv<T>;
	/** Atomic read-modify-write of one key. Resolves with the value written (undefined when deleted). */
	update<T>(namespace: string, key: string, fn: UpdateFn<T>): Promise<T | undefined>;
	/** Every live entry of a namespace, in one array: for namespaces that stay small (settings, giveaways). */
	entries<T = unknown>(namespace: string): Promise<Array<[string, T]>>;
	/** Every live entry of a namespace, read in batches: for namespaces that grow with the members (join history). */
	iterate<T = unknown>(namespace: string): AsyncIterable<[string, T]>;
	/**
	 * The live entries whose key starts with `prefix` (e.g. one giveaway's entries), without reading the rest of the
	 * namespace: file filters the keys in memory, sqlite reads a key range, redis lets the server match the keys.
	 */
	iteratePrefix<T = unknown>(namespace: string, prefix: string): AsyncIterable<[string, T]>;
	/** Namespaces that hold data or were declared. */
	namespaces(): Promise<string[]>;
	backup(reason: string): Promise<BackupInfo>;
	listBackups(): Promise<BackupInfo[]>;
	/** True when this process may do a once-per-fleet job (e.g. a scheduled backup) for `ttlMs`; on redis one process gets it. */
	acquireLease(name: string, ttlMs: number): Promise<boolean>;
	restore(id: string): Promise<{ before: BackupInfo; restored: BackupInfo }>;
	status(): Promise<StorageStatus>;
	/** Cheap: whether the backend answers right now (a ping), without counting anything. */
	health(): Promise<{ healthy: boolean; problem?: string }>;
	/** True when another process restored or imported data since the last call: in-memory state must be reloaded. */
	dataReplacedElsewhere(): Promise<boolean>;
	close(): Promise<void>;
}

export interface StorageOptions {
	adapter: AdapterName;
	dataDir: string;
	sqlitePath: string;
	redisUrl: string;
	/** Every Redis key the storage writes starts with it (REDIS_PREFIX); default `supreme:`. */
	redisPrefix?: string;
	backupDir: string;
	backupKeep: number;
	/** Namespaces the bot and its plugins declared; they appear in status and backups even while empty. */
	namespaces?: string[];
	/**
	 * Open without writing anything: no lock, no repair, no file created, every write refused. For the data CLI's
	 * read-only commands (status, backups, verify, export) on the file and sqlite adapters (redis ignores it).
	 */
	readOnly?: boolean;
}

/** The result of checking one backup: checksums of every file, then a parse of every file. */
export interface BackupCheck {
	id: string;
	ok: boolean;
	problem?: string;
}

/** Where the storage layer reports what an operator must know (recoveries, backups). */
export interface StorageLogger {
	info(message: string): void;
	warn(message: string): void;
	error(message: string): void;
}
