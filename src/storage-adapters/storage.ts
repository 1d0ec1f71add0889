import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Keyv, KeyvHooks, type Deserialize, type KeyvOptions, type KeyvStoreAdapter, type Serialize } from 'keyv';
import { assertNamespaceName, decodeEntry, encodeEntry, isExpired, type Backend } from './backend.js';
import { BackupDirectory, holdsOurData } from './backups.js';
import { KeyLock } from './key-lock.js';
import type { BackupCheck, BackupInfo, Storage, StorageEvent, StorageLogger, StorageStatus, StoredEntry, UpdateFn } from './types.js';

/** After this many lost compare-and-set races in a row, update gives up instead of spinning. */
const MAX_UPDATE_ATTEMPTS = 1000;
const MAX_EVENTS = 50;
/** Imports write this many keys at once: enough to share commits and round trips, few enough to report progress. */
const IMPORT_CHUNK = 1000;

/** Thrown by a storage that was closed: the bot is stopping, and timers that fire meanwhile have nothing to do. */
export class StorageClosedError extends Error {
	public override readonly name = 'StorageClosedError';
	public constructor() {
		super('Storage is closed');
	}
}

/** Appends to the recent-events list that status() shows, keeping only the newest. */
export function recordStorageEvent(events: StorageEvent[], level: StorageEvent['level'], message: string): void {
	events.push({ at: new Date().toISOString(), level, message });
	if (events.length > MAX_EVENTS) events.splice(0, events.length - MAX_EVENTS);
}

/** The Storage contract over any backend: the parts that are the same for file, sqlite and redis. */
export class BackendStorage implements Storage {
	private readonly keyvs = new Map<string, Keyv>();
	private readonly locks = new KeyLock();
	private readonly declared: Set<string>;
	private backupInProgress: Promise<unknown> = Promise.resolve();
	private closed = false;
	private lastWriteAt: Date | null = null;
	/** The data generation this process last saw (undefined: not read yet); see dataReplacedElsewhere. */
	private seenGeneration: string | null | undefined;

	public constructor(
		private readonly backend: Backend,
		private readonly backups: BackupDirectory,
		private readonly logger: StorageLogger,
		private readonly events: StorageEvent[],
		declaredNamespaces: string[],
		/** Opened with `readOnly` (the data CLI's read-only commands): backups, restores and writes are refused. */
		public readonly readOnly = false
	) {
		for (const name of declaredNamespaces) assertNamespaceName(name);
		this.declared = new Set(declaredNamespaces);
	}

	public get adapter() {
		return this.backend.adapter;
	}

	public namespace<T = unknown>(name: string): Keyv<T> {
		this.assertOpen();
		let keyv = this.keyvs.get(name);
		if (!keyv) {
			assertNamespaceName(name);
			const serialization: Pick<KeyvOptions, 'serialize' | 'deserialize'> = this.backend.keyvSerializes
				? {
						serialize: ((data: StoredEntry) => encodeEntry(data)) as Serialize,
						deserialize: ((raw: string) => decodeEntry(raw)) as Deserialize
					}
				: { serialize: undefined, deserialize: undefined };
			// useKeyPrefix off: the store partitions by namespace itself. throwOnErrors: a backend failure must reach the
			// caller, never read as "no data".
			keyv = new Keyv({ store: this.backend.createStore(), namespace: name, useKeyPrefix: false, throwOnErrors: true, ...serialization });
			// Errors are thrown to the caller; without a listener the emitter would report them a second time.
			keyv.on('error', () => undefined);
			const noteWrite = () => {
				this.lastWriteAt = new Date();
			};
			keyv.hooks.addHandler(KeyvHooks.POST_SET, noteWrite);
			keyv.hooks.addHandler(KeyvHooks.POST_DELETE, noteWrite);
			keyv.on('clear', noteWrite);
			this.keyvs.set(name, keyv);
		}
		return keyv as Keyv<T>;
	}

	public update<T>(namespace: string, key: string, fn: UpdateFn<T>): Promise<T | undefined> {
		this.assertWritable();
		assertNamespaceName(namespace);
		// The in-process lock stops this process's updates of one key from racing each other; the backend's
		// compare-and-set catches everything else (plain sets, other processes) and the update is retried.
		return this.locks.run(`${namespace}\u0000${key}`, async () => {
			for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
				const current = await this.backend.read(namespace, key);
				const live = current && !isExpired(current.entry) ? current.entry : undefined;
				const next = await fn(live?.value as T | undefined);
				const written = await this.backend.compareAndSet(
					namespace,
					key,
					current?.raw,
					next === undefined ? undefined : { value: next, expires: live?.expires }
				);
				if (written) {
					this.lastWriteAt = new Date();
					return next;
				}
			}
			throw new Error(`update of ${namespace}/${key} lost ${MAX_UPDATE_ATTEMPTS} races in a row; giving up`);
		});
	}

	/** A bare Keyv store on this backend, for code that builds its own Keyv instances (and Keyv's compliance suite). */
	public createStore(): KeyvStoreAdapter {
		return this.backend.createStore();
	}

	public async entries<T = unknown>(namespace: string): Promise<Array<[string, T]>> {
		return (await this.exportEntries(namespace)).map(([key, entry]) => [key, entry.value as T]);
	}

	public async *iterate<T = unknown>(namespace: string): AsyncGenerator<[string, T]> {
		this.assertOpen();
		assertNamespaceName(namespace);
		for await (const batch of this.backend.entryBatches(namespace)) {
			for (const [key, entry] of batch) yield [key, entry.value as T];
		}
	}

	public async *iteratePrefix<T = unknown>(namespace: string, prefix: string): AsyncGenerator<[string, T]> {
		this.assertOpen();
		assertNamespaceName(namespace);
		for await (const batch of this.backend.prefixBatches(namespace, prefix)) {
			for (const [key, entry] of batch) yield [key, entry.value as T];
		}
	}

	public async namespaces(): Promise<string[]> {
		const names = new Set([...this.declared, ...(await this.backend.namespaces())]);
		return [...names].sort();
	}

	/** Declares a namespace after opening (plugins), so that it is listed and backed up even while empty. */
	public declare(name: string): void {
		assertNamespaceName(name);
		this.declared.add(name);
	}

	public backup(reason: string): Promise<BackupInfo> {
		this.assertWritable();
		// One backup at a time: two at once would race on retention and on the folder sequence.
		const run = this.backupInProgress.then(async () => {
			const folder = await this.backups.create(reason);
			const counts = await this.backend.writeBackup(folder.path, [...this.declared]);
			return this.backups.seal(folder, { adapter: this.backend.adapter, reason, counts }, { unlessUnchanged: reason === 'startup' });
		});
		this.backupInProgress = run.catch(() => undefined);
		return run;
	}

	/**
	 * True when this process may do the named once-per-fleet job (the startup backup, a scheduled backup) for `ttlMs`:
	 * on redis, shards and hosts share the server and one of them gets it; file and sqlite serve one process.
	 */
	public async acquireLease(name: string, ttlMs: number): Promise<boolean> {
		this.assertOpen();
		if (!this.backend.acquireLease) return true;
		return this.backend.acquireLease(name, `${hostname()}:${process.pid}`, ttlMs);
	}

	public listBackups(): Promise<BackupInfo[]> {
		return this.backups.list();
	}

	public async restore(id: string): Promise<{ before: BackupInfo; restored: BackupInfo }> {
		this.assertWritable();
		const backup = await this.backups.get(id);
		if (!holdsOurData(backup)) {
			throw new Error(
				`Backup ${id} keeps Supreme-BOT2's original files, not this bot's data; import them with: npm run data -- import-legacy ${backup.path}`
			);
		}
		if (backup.adapter !== this.backend.adapter) {
			throw new Error(
				`Backup ${id} was made by the ${backup.adapter} adapter; this bot uses ${this.backend.adapter} (move data between backends with the data CLI's migrate)`
			);
		}
		// Everything is checked before live data is touched, and the current state is saved first; the safety backup's
		// retention must not remove the backup being restored.
		const before = await this.backups.whilePinned(id, async () => {
			await this.backups.verify(backup);
			await this.backend.checkBackup(backup);
			const safety = await this.backup(`before-restore-${id.slice(0, 20)}`);
			await this.backend.restoreBackup(backup);
			return safety;
		});
		await this.markDataReplaced();
		this.lastWriteAt = new Date();
		this.recordEvent('warn', `Restored backup ${id}; the state before it is backup ${before.id}`);
		this.logger.warn(`Restored backup ${id}; the state before it is backup ${before.id}`);
		return { before, restored: backup };
	}

	/** Checks one backup or all of them without touching live data: every file's checksum, then a parse of every file. */
	public async verifyBackups(id?: string): Promise<BackupCheck[]> {
		const targets = id === undefined ? await this.backups.list() : [await this.backups.get(id)];
		const checks: BackupCheck[] = [];
		for (const backup of targets) {
			try {
				await this.backups.verify(backup);
				// Parsing needs the backup's own adapter; another adapter's backup (left by a migration) gets the checksums only.
				if (backup.adapter === this.backend.adapter && holdsOurData(backup)) await this.backend.checkBackup(backup);
				checks.push({ id: backup.id, ok: true });
			} catch (error) {
				checks.push({ id: backup.id, ok: false, problem: (error as Error).message });
			}
		}
		return checks;
	}

	/** Every live entry of a namespace with its absolute expiry time, as stored: what migrations and exports copy. */
	public async exportEntries(namespace: string): Promise<Array<[string, StoredEntry]>> {
		this.assertOpen();
		assertNamespaceName(namespace);
		const entries: Array<[string, StoredEntry]> = [];
		for await (const batch of this.backend.entryBatches(namespace)) entries.push(...batch);
		return entries;
	}

	/** Writes entries exactly (value and absolute expiry), replacing keys that exist; `onProgress` gets the count written so far. */
	public async importEntries(namespace: string, entries: Array<[string, StoredEntry]>, onProgress?: (written: number) => void): Promise<void> {
		this.assertWritable();
		assertNamespaceName(namespace);
		for (let start = 0; start < entries.length; start += IMPORT_CHUNK) {
			const chunk = entries
				.slice(start, start + IMPORT_CHUNK)
				.map(([key, entry]): [string, StoredEntry] => [
					key,
					typeof entry.expires === 'number' ? { value: entry.value, expires: entry.expires } : { value: entry.value }
				]);
			await this.backend.putMany(namespace, chunk);
			this.lastWriteAt = new Date();
			onProgress?.(start + chunk.length);
		}
		await this.markDataReplaced();
	}

	/**
	 * True when, since the last call, another process (a shard, the data CLI) replaced the data by a restore or an
	 * import: what this process holds in memory is out of date. The first call only takes note of the current state.
	 * Always false on the file adapter, whose data directory one process holds alone.
	 */
	public async dataReplacedElsewhere(): Promise<boolean> {
		this.assertOpen();
		const current = (await this.backend.readDataGeneration?.()) ?? null;
		const previous = this.seenGeneration;
		this.seenGeneration = current;
		return previous !== undefined && current !== previous;
	}

	/** Deletes every key of a namespace (an import that replaces the data). */
	public async clearNamespace(namespace: string): Promise<void> {
		this.assertWritable();
		await this.namespace(namespace).clear();
	}

	public async health(): Promise<{ healthy: boolean; problem?: string }> {
		try {
			await this.backend.ping();
			return { healthy: true };
		} catch (error) {
			return { healthy: false, problem: (error as Error).message };
		}
	}

	public async status(): Promise<StorageStatus> {
		let problem: string | undefined;
		try {
			await this.backend.ping();
		} catch (error) {
			problem = (error as Error).message;
		}
		const [newest] = problem ? [] : await this.backups.list();
		const held = problem ? {} : await this.backend.counts();
		const names = problem ? [] : [...new Set([...this.declared, ...Object.keys(held)])].sort();
		const counts = Object.fromEntries(names.map((name) => [name, held[name] ?? 0]));
		return {
			adapter: this.backend.adapter,
			healthy: problem === undefined,
			...(problem === undefined ? {} : { problem }),
			counts,
			sizeBytes: problem ? 0 : await this.backend.sizeBytes(),
			lastWriteAt: this.lastWriteAt?.toISOString() ?? null,
			lastBackup: newest ? { id: newest.id, createdAt: newest.createdAt } : null,
			events: [...this.events]
		};
	}

	public async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		await this.backupInProgress;
		await this.backend.close();
	}

	public recordEvent(level: StorageEvent['level'], message: string): void {
		recordStorageEvent(this.events, level, message);
	}

	private async markDataReplaced(): Promise<void> {
		if (!this.backend.writeDataGeneration) return;
		// Unique even for two replacements in one millisecond: only equality is ever compared.
		const generation = `${new Date().toISOString()} ${hostname()}:${process.pid} ${randomUUID()}`;
		await this.backend.writeDataGeneration(generation);
		// A replacement made here is reloaded here (/restore-data); only other processes' replacements are news.
		this.seenGeneration = generation;
	}

	private assertOpen(): void {
		if (this.closed) throw new StorageClosedError();
	}

	private assertWritable(): void {
		this.assertOpen();
		if (this.readOnly) throw new Error('Storage was opened read-only (a read-only data command): nothing may be written');
	}
}
