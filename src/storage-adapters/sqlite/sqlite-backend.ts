import { EventEmitter } from 'node:events';
import { chmodSync, existsSync } from 'node:fs';
import { copyFile, mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { KeyvStoreAdapter, StoredData } from 'keyv';
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
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, fsyncDirectory } from '../durable-fs.js';
import { StorageClosedError } from '../storage.js';
import type { BackupInfo, StoredEntry } from '../types.js';
import { FailingState, StorageFailingError } from '../failing.js';
import { settled } from '../settled.js';

/**
 * Our own Keyv store on better-sqlite3 rather than @keyv/sqlite: the synchronous driver lets a compare-and-set run
 * inside one transaction, lets writes issued together share one commit (one fsync), gives us SQLite's VACUUM INTO
 * for consistent backups, and clears a namespace by exact match (@keyv/sqlite clears with an unescaped LIKE).
 */

const BACKUP_FILE = 'bot.sqlite';

function liveEntries(rows: Array<{ key: string; value: string }>): Array<[string, StoredEntry]> {
	const now = Date.now();
	const live: Array<[string, StoredEntry]> = [];
	for (const row of rows) {
		const entry = decodeEntry(row.value);
		if (!isExpired(entry, now)) live.push([row.key, entry]);
	}
	return live;
}
const SCHEMA = `CREATE TABLE IF NOT EXISTS entries (
	namespace TEXT NOT NULL,
	key TEXT NOT NULL,
	value TEXT NOT NULL,
	expires INTEGER,
	PRIMARY KEY (namespace, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID`;

interface QueuedWrite {
	work: () => unknown;
	resolve: (result: any) => void;
	reject: (error: unknown) => void;
}

/**
 * SQLite's verdicts of a disk that does not take writes: an I/O error, a full disk, a read-only file or directory, a
 * file it may not open. The storage then refuses writes until a trial write succeeds (see FailingState).
 */
function isDiskFailure(error: unknown): boolean {
	return error instanceof Database.SqliteError && /^SQLITE_(IOERR|FULL|READONLY|CANTOPEN|PERM)/.test(error.code);
}

/**
 * A commit whose WAL frames were written but not synced: they carry a valid commit record, so they may be replayed when
 * the database is next opened. Its writes are answered as not known, never as refused.
 */
function isUnsettledCommit(error: unknown): boolean {
	return error instanceof Database.SqliteError && /^SQLITE_IOERR_(FSYNC|DIR_FSYNC)/.test(error.code);
}

/** Proof that a database file is damaged: only then is it set aside and replaced from a backup. */
class SqliteDamage extends Error {}

/** SQLite's own verdicts of damage; anything else (busy, locked, permissions, a full disk, no file handles) is not damage. */
function isDamage(error: unknown): boolean {
	return error instanceof SqliteDamage || (error instanceof Database.SqliteError && /^SQLITE_(CORRUPT|NOTADB)/.test(error.code));
}

function openDatabase(path: string, options: Database.Options = {}): Database.Database {
	const db = new Database(path, options);
	try {
		if (!options.readonly) {
			db.pragma('journal_mode = WAL');
			// FULL: a commit is on disk before it is acknowledged, not only in the OS cache.
			db.pragma('synchronous = FULL');
			db.pragma('busy_timeout = 5000');
			db.exec(SCHEMA);
			// SQLite creates files with the process umask (often world-readable); ours are private like the file adapter's.
			for (const file of [path, `${path}-wal`, `${path}-shm`]) {
				if (existsSync(file)) chmodSync(file, PRIVATE_FILE_MODE);
			}
		}
		const check = db.pragma('quick_check', { simple: true });
		if (check !== 'ok') throw new SqliteDamage(`integrity check failed: ${String(check)}`);
		return db;
	} catch (error) {
		db.close();
		throw error;
	}
}

export class SqliteBackend implements Backend {
	public readonly adapter = 'sqlite' as const;
	public readonly keyvSerializes = true;

	private readonly queue: QueuedWrite[] = [];
	private commitScheduled = false;
	/** Set by close: later writes are refused with StorageClosedError, not a driver error. */
	private closed = false;
	/** Set by an I/O error: writes are refused with `storage is failing: <cause>` until a trial write succeeds. */
	private readonly failing = new FailingState();
	private readonly statements;

	private constructor(
		private readonly db: Database.Database,
		public readonly path: string,
		private readonly readOnly = false
	) {
		this.statements = {
			get: db.prepare<[string, string], { value: string }>('SELECT value FROM entries WHERE namespace = ? AND key = ?'),
			set: db.prepare<[string, string, string, number | null]>(
				'INSERT INTO entries (namespace, key, value, expires) VALUES (?, ?, ?, ?) ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, expires = excluded.expires'
			),
			delete: db.prepare<[string, string]>('DELETE FROM entries WHERE namespace = ? AND key = ?'),
			clear: db.prepare<[string]>('DELETE FROM entries WHERE namespace = ?'),
			// Keyset pages: each page is its own short read, so writes may run between pages.
			firstPage: db.prepare<[string, number], { key: string; value: string }>(
				'SELECT key, value FROM entries WHERE namespace = ? ORDER BY key LIMIT ?'
			),
			nextPage: db.prepare<[string, string, number], { key: string; value: string }>(
				'SELECT key, value FROM entries WHERE namespace = ? AND key > ? ORDER BY key LIMIT ?'
			),
			// A prefix is a key range on the primary key: `key >= prefix`, read in key order until a key leaves the prefix.
			prefixPage: db.prepare<[string, string, number], { key: string; value: string }>(
				'SELECT key, value FROM entries WHERE namespace = ? AND key >= ? ORDER BY key LIMIT ?'
			),
			namespaces: db.prepare<[], { namespace: string }>('SELECT DISTINCT namespace FROM entries'),
			counts: db.prepare<[], { namespace: string; count: number }>('SELECT namespace, COUNT(*) AS count FROM entries GROUP BY namespace'),
			getGeneration: db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'data-generation'"),
			setGeneration: db.prepare<[string]>(
				"INSERT INTO meta (key, value) VALUES ('data-generation', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
			)
		};
	}

	public createStore(): KeyvStoreAdapter {
		return new SqliteStore(this);
	}

	public getRaw(namespace: string, key: string): string | undefined {
		return this.statements.get.get(namespace, key)?.value;
	}

	public getRawMany(namespace: string, keys: string[]): Array<string | undefined> {
		return keys.map((key) => this.getRaw(namespace, key));
	}

	public write(namespace: string, key: string, value: string, expires: number | null): Promise<void> {
		return this.enqueue(() => {
			this.statements.set.run(namespace, key, value, expires);
		});
	}

	public remove(namespace: string, key: string): Promise<boolean> {
		return this.enqueue(() => this.statements.delete.run(namespace, key).changes > 0);
	}

	public clear(namespace: string): Promise<void> {
		return this.enqueue(() => {
			this.statements.clear.run(namespace);
		});
	}

	public read(namespace: string, key: string): Promise<RawEntry | undefined> {
		return settled(() => {
			const raw = this.getRaw(namespace, key);
			return raw === undefined ? undefined : { raw, entry: decodeEntry(raw) };
		});
	}

	public putMany(namespace: string, entries: Array<[string, StoredEntry]>): Promise<void> {
		const rows = entries.map(([key, entry]) => [key, encodeEntry(entry), entry.expires ?? null] as const);
		return this.enqueue(() => {
			for (const [key, value, expires] of rows) this.statements.set.run(namespace, key, value, expires);
		});
	}

	public compareAndSet(namespace: string, key: string, expectedRaw: unknown, next: StoredEntry | undefined): Promise<boolean> {
		const value = next === undefined ? undefined : encodeEntry(next);
		return this.enqueue(() => {
			if (this.getRaw(namespace, key) !== expectedRaw) return false;
			if (value === undefined) this.statements.delete.run(namespace, key);
			else this.statements.set.run(namespace, key, value, next?.expires ?? null);
			return true;
		});
	}

	/** Raw rows of a namespace in key order, a page at a time. */
	public *rawPages(namespace: string): Generator<Array<{ key: string; value: string }>> {
		let rows = this.statements.firstPage.all(namespace, ENTRY_BATCH);
		while (rows.length > 0) {
			yield rows;
			rows = this.statements.nextPage.all(namespace, rows[rows.length - 1]!.key, ENTRY_BATCH);
		}
	}

	// eslint-disable-next-line @typescript-eslint/require-await -- the contract is an AsyncGenerator; the rows come synchronously
	public async *entryBatches(namespace: string): AsyncGenerator<Array<[string, StoredEntry]>> {
		for (const rows of this.rawPages(namespace)) {
			const batch = liveEntries(rows);
			if (batch.length > 0) yield batch;
		}
	}

	// eslint-disable-next-line @typescript-eslint/require-await -- the contract is an AsyncGenerator; the rows come synchronously
	public async *prefixBatches(namespace: string, prefix: string): AsyncGenerator<Array<[string, StoredEntry]>> {
		let rows = this.statements.prefixPage.all(namespace, prefix, ENTRY_BATCH);
		for (;;) {
			const inPrefix = rows.filter((row) => row.key.startsWith(prefix));
			const batch = liveEntries(inPrefix);
			if (batch.length > 0) yield batch;
			if (inPrefix.length < ENTRY_BATCH) return;
			rows = this.statements.nextPage.all(namespace, inPrefix[inPrefix.length - 1]!.key, ENTRY_BATCH);
		}
	}

	public namespaces(): Promise<string[]> {
		return settled(() =>
			this.statements.namespaces
				.all()
				.map((row) => row.namespace)
				.sort()
		);
	}

	public counts(): Promise<Record<string, number>> {
		return settled(() => Object.fromEntries(this.statements.counts.all().map((row) => [row.namespace, row.count])));
	}

	public async sizeBytes(): Promise<number> {
		let total = 0;
		for (const file of [this.path, `${this.path}-wal`])
			total += await stat(file).then(
				(info) => info.size,
				() => 0
			);
		return total;
	}

	/** Throws while writes fail; once the retry time has come, a trial write decides (an idle bot recovers too). */
	public async ping(): Promise<void> {
		this.db.prepare('SELECT 1').get();
		if (!this.failing.cause || this.readOnly) return;
		if (this.failing.waiting) throw this.failing.refusal();
		await this.enqueue(() =>
			this.db
				.prepare("INSERT INTO meta (key, value) VALUES ('probe', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
				.run(String(Date.now()))
		);
	}

	public async writeBackup(folder: string, declared: string[]): Promise<Record<string, number>> {
		await this.flush();
		const target = join(folder, BACKUP_FILE);
		// VACUUM INTO writes one consistent, compact database: never a copy of a live file and its WAL.
		// VACUUM INTO fills an empty file it is given, keeping that file's private mode.
		await writeFile(target, '', { mode: PRIVATE_FILE_MODE });
		this.db.prepare('VACUUM INTO ?').run(target);
		await fsyncDirectory(folder);
		const copy = openDatabase(target, { readonly: true });
		try {
			const counts: Record<string, number> = Object.fromEntries(declared.map((namespace) => [namespace, 0]));
			for (const row of copy
				.prepare<[], { namespace: string; count: number }>('SELECT namespace, COUNT(*) AS count FROM entries GROUP BY namespace')
				.all()) {
				counts[row.namespace] = row.count;
			}
			return counts;
		} finally {
			copy.close();
		}
	}

	public checkBackup(backup: BackupInfo): Promise<void> {
		return settled(() => {
			if (!(BACKUP_FILE in backup.files)) throw new Error(`Backup ${backup.id} has no ${BACKUP_FILE}`);
			const copy = openDatabase(join(backup.path, BACKUP_FILE), { readonly: true, fileMustExist: true });
			try {
				copy.prepare('SELECT COUNT(*) FROM entries').get();
			} finally {
				copy.close();
			}
		});
	}

	public readDataGeneration(): Promise<string | null> {
		return settled(() => this.statements.getGeneration.get()?.value ?? null);
	}

	public writeDataGeneration(generation: string): Promise<void> {
		return this.enqueue(() => {
			this.statements.setGeneration.run(generation);
		});
	}

	public async restoreBackup(backup: BackupInfo): Promise<void> {
		await this.flush();
		this.db.prepare('ATTACH DATABASE ? AS restore_source').run(join(backup.path, BACKUP_FILE));
		try {
			this.db.transaction(() => {
				this.db.exec('DELETE FROM main.entries');
				this.db.exec(
					'INSERT INTO main.entries (namespace, key, value, expires) SELECT namespace, key, value, expires FROM restore_source.entries'
				);
			})();
		} finally {
			this.db.exec('DETACH DATABASE restore_source');
		}
	}

	public async close(): Promise<void> {
		await this.flush().catch(() => undefined);
		this.closed = true;
		if (this.db.open && this.readOnly) this.db.close();
		if (this.db.open) {
			// Fold the WAL into the main file so the database is one self-contained file while the bot is stopped; on a
			// failing disk the WAL stays as it is (every acknowledged commit in it is intact).
			if (!this.failing.cause) this.db.pragma('wal_checkpoint(TRUNCATE)');
			this.db.close();
		}
	}

	public async flush(): Promise<void> {
		if (this.queue.length > 0) await this.enqueue(() => undefined);
	}

	/** Writes issued in the same turn of the event loop share one transaction, so they share one fsync. */
	private enqueue<T>(work: () => T): Promise<T> {
		if (this.closed) return Promise.reject(new StorageClosedError());
		if (this.failing.waiting) return Promise.reject(this.failing.refusal());
		return new Promise<T>((resolve, reject) => {
			this.queue.push({ work, resolve, reject });
			if (!this.commitScheduled) {
				this.commitScheduled = true;
				setImmediate(() => this.commit());
			}
		});
	}

	private commit(): void {
		this.commitScheduled = false;
		const batch = this.queue.splice(0);
		if (this.failing.waiting) {
			for (const write of batch) write.reject(this.failing.refusal());
			return;
		}
		try {
			const results = this.db.transaction(() => batch.map((write) => write.work()))();
			this.failing.recovered();
			batch.forEach((write, index) => write.resolve(results[index]));
		} catch (error) {
			if (isDiskFailure(error)) {
				this.refuseAll(batch, error as Error);
				return;
			}
			// One failing write must not fail the others that happened to share its transaction: retry them alone.
			for (const [index, write] of batch.entries()) {
				try {
					write.resolve(this.db.transaction(write.work)());
				} catch (error_) {
					if (!isDiskFailure(error_)) {
						write.reject(error_);
						continue;
					}
					this.refuseAll(batch.slice(index), error_ as Error);
					return;
				}
			}
		}
	}

	/** Enters the failing state and answers `batch`: refused, or not known when its commit may still be replayed. */
	private refuseAll(batch: QueuedWrite[], failure: Error): void {
		// SQLite's messages ("disk I/O error") do not say which; its code does.
		const code = failure instanceof Database.SqliteError ? ` (${failure.code})` : '';
		const error = new Error(`${failure.message}${code}`, { cause: failure });
		const refusal = this.failing.fail(error);
		const answer = isUnsettledCommit(failure)
			? new StorageFailingError(
					new Error(
						`${error.message}; not known whether this change reached the disk: SQLite wrote it but could not sync it, so it may appear after a restart`,
						{ cause: error }
					)
				)
			: refusal;
		for (const write of batch) write.reject(answer);
	}

	/**
	 * Opens (or creates) the database. Only proven damage (SQLite's SQLITE_CORRUPT or SQLITE_NOTADB, a failed quick_check,
	 * an empty file) is repaired from a backup; any other error is thrown with its cause and the file is left alone.
	 * `readOnly` (the data CLI's read-only commands) writes nothing at all: a missing database reads as empty.
	 */
	public static async open(path: string, context: BackendOpenContext, { readOnly = false } = {}): Promise<SqliteBackend> {
		if (readOnly) {
			if (!existsSync(path)) {
				const empty = new Database(':memory:');
				empty.exec(SCHEMA);
				return new SqliteBackend(empty, path, true);
			}
			return new SqliteBackend(openReadOnly(path), path, true);
		}
		await mkdir(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
		try {
			await assertNotEmptyFile(path);
			return new SqliteBackend(openDatabase(path), path);
		} catch (error) {
			if (!isDamage(error)) throw new Error(`Cannot open the SQLite database ${path}: ${(error as Error).message}`, { cause: error });
			return new SqliteBackend(await recoverDatabase(path, (error as Error).message, context), path);
		}
	}
}

/** A read-only connection; a damaged file is reported (the bot repairs it when it opens the database), never touched. */
function openReadOnly(path: string): Database.Database {
	try {
		return openDatabase(path, { readonly: true, fileMustExist: true });
	} catch (error) {
		if (isDamage(error))
			throw new Error(`${path} is damaged (${(error as Error).message}); the bot repairs it from a backup when it opens the database`, {
				cause: error
			});
		throw new Error(`Cannot open the SQLite database ${path} read-only: ${(error as Error).message}`, { cause: error });
	}
}

/** SQLite treats an empty file as a new database; we never leave one, so an empty file is a truncated database. */
async function assertNotEmptyFile(path: string): Promise<void> {
	const size = await stat(path).then(
		(info) => info.size,
		() => null
	);
	const walSize = await stat(`${path}-wal`).then(
		(info) => info.size,
		() => 0
	);
	if (size === 0 && walSize === 0) throw new SqliteDamage('the database file is empty (truncated)');
}

async function recoverDatabase(path: string, reason: string, context: BackendOpenContext): Promise<Database.Database> {
	const stamp = new Date().toISOString().replace(/[-:.]/g, '');
	const aside = `${path}.damaged-${stamp}`;
	await rename(path, aside);
	for (const suffix of ['-wal', '-shm']) await rename(`${path}${suffix}`, `${aside}${suffix}`).catch(() => undefined);
	for (const backup of await context.validBackups()) {
		if (backup.adapter !== 'sqlite' || !(BACKUP_FILE in backup.files)) continue;
		try {
			await copyFile(join(backup.path, BACKUP_FILE), path);
			const db = openDatabase(path);
			const message = `${path} was damaged (${reason}); restored it from backup ${backup.id}; the damaged file is kept as ${aside}`;
			context.logger.error(message);
			context.recordEvent('error', message);
			return db;
		} catch {
			continue;
		}
	}
	const db = openDatabase(path);
	const message = `${path} was damaged (${reason}) and no valid backup exists; started an empty database. The damaged file is kept as ${aside}`;
	context.logger.error(message);
	context.recordEvent('error', message);
	return db;
}

/** The Keyv store over one namespace of the shared SQLite table. */
class SqliteStore extends EventEmitter implements KeyvStoreAdapter {
	public opts = { dialect: 'sqlite', url: 'sqlite' };
	private currentNamespace = 'keyv';

	public constructor(private readonly backend: SqliteBackend) {
		super();
	}

	public get namespace(): string {
		return this.currentNamespace;
	}

	public set namespace(value: string | undefined) {
		const namespace = value ?? 'keyv';
		assertNamespaceName(namespace);
		this.currentNamespace = namespace;
	}

	public get<Value>(key: string): Promise<StoredData<Value> | undefined> {
		return settled(() => this.backend.getRaw(this.currentNamespace, key) as StoredData<Value> | undefined);
	}

	public getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
		return settled(() => this.backend.getRawMany(this.currentNamespace, keys) as Array<StoredData<Value | undefined>>);
	}

	public async set(key: string, value: string, ttl?: number): Promise<boolean> {
		await this.backend.write(this.currentNamespace, key, value, typeof ttl === 'number' ? Date.now() + ttl : null);
		return true;
	}

	public async delete(key: string): Promise<boolean> {
		return this.backend.remove(this.currentNamespace, key);
	}

	public async deleteMany(keys: string[]): Promise<boolean> {
		const results = await Promise.all(keys.map((key) => this.backend.remove(this.currentNamespace, key)));
		return results.every(Boolean);
	}

	public async clear(): Promise<void> {
		await this.backend.clear(this.currentNamespace);
	}

	// eslint-disable-next-line @typescript-eslint/require-await -- the contract is an AsyncGenerator; the rows come synchronously
	public async *iterator<Value>(): AsyncGenerator<Array<string | Awaited<Value> | undefined>, void> {
		for (const rows of this.backend.rawPages(this.currentNamespace)) {
			for (const row of rows) yield [row.key, row.value as Awaited<Value>];
		}
	}
}
