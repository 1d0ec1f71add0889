import { chmodSync, existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { PRIVATE_FILE_MODE, writeFileAtomic } from '../durable-fs.js';

/**
 * The file adapter keeps every namespace in memory and appends to journals: a second process writing the same
 * DATA_DIR would lose writes. The process that opens the directory holds an operating-system lock on
 * `DATA_DIR/.lock.sqlite` (SQLite's exclusive locking mode, through better-sqlite3 which the bot already uses): the
 * kernel grants it to one process at a time and drops it when that process ends in any way, so there is no stale lock
 * to take over, no take-over to race, and a reused pid means nothing. `DATA_DIR/.lock` names the holder (pid, host,
 * start time, command) for the messages people read; it decides nothing.
 */
export const LOCK_FILE = '.lock';
export const OS_LOCK_FILE = '.lock.sqlite';

export interface LockHolder {
	pid: number;
	hostname: string;
	startedAt: string;
	command: string;
}

export class DataDirLockedError extends Error {
	public override readonly name = 'DataDirLockedError';
	public constructor(
		public readonly directory: string,
		public readonly holder: LockHolder
	) {
		super(
			`${directory} is in use by ${describeHolder(holder)}; stop that process first (only one process may open a file-adapter data directory)`
		);
	}
}

export function describeHolder(holder: LockHolder): string {
	if (holder.pid <= 0) return 'another process (it has not written its name yet)';
	const where = holder.hostname === hostname() ? '' : ` on host ${holder.hostname}`;
	return `process ${holder.pid}${where} (\`${holder.command}\`, since ${holder.startedAt})`;
}

/** How long a start waits for a lock that is changing hands; a holder that keeps it longer is reported. */
const ACQUIRE_WAIT_MS = 500;
/** Tries before a busy lock file counts as held by another process. */
const ACQUIRE_ATTEMPTS = 4;

const UNKNOWN_HOLDER: LockHolder = { pid: 0, hostname: '', startedAt: '', command: '' };

function isBusy(error: unknown): boolean {
	return error instanceof Database.SqliteError && /^SQLITE_(BUSY|LOCKED)/.test(error.code);
}

/** Who `.lock` says holds the directory; only meaningful while the OS lock is held. */
async function namedHolder(directory: string): Promise<LockHolder> {
	try {
		const holder = JSON.parse(await readFile(join(directory, LOCK_FILE), 'utf8')) as LockHolder;
		return typeof holder?.pid === 'number' ? holder : UNKNOWN_HOLDER;
	} catch {
		return UNKNOWN_HOLDER;
	}
}

/** The current holder of a directory's lock, or null when nobody holds it. Writes nothing (a read-only probe). */
export async function readLockHolder(directory: string): Promise<LockHolder | null> {
	const resolved = resolve(directory);
	const path = join(resolved, OS_LOCK_FILE);
	if (!existsSync(path)) return null;
	let probe: Database.Database;
	try {
		probe = new Database(path, { readonly: true, fileMustExist: true, timeout: 0 });
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'SQLITE_CANTOPEN') return null;
		throw error;
	}
	try {
		// A read needs a shared lock, which the holder's exclusive lock refuses.
		probe.prepare('SELECT count(*) FROM sqlite_master').get();
		return null;
	} catch (error) {
		if (isBusy(error)) return namedHolder(resolved);
		throw error;
	} finally {
		probe.close();
	}
}

/** The lock this process holds on one directory; `release` gives it back. */
export class DataDirLock {
	private constructor(
		private readonly path: string,
		private readonly connection: Database.Database
	) {}

	public async release(): Promise<void> {
		if (!this.connection.open) return;
		try {
			// The name goes first: once the OS lock is free, another process may write its own.
			await rm(this.path, { force: true });
		} finally {
			this.connection.close();
		}
	}

	/** Takes the lock; throws DataDirLockedError naming the holder when another process (or this one) has it. */
	public static async acquire(directory: string): Promise<DataDirLock> {
		const resolved = resolve(directory);
		const path = join(resolved, OS_LOCK_FILE);
		// Two processes starting at once both take SQLite's shared lock on the way to the exclusive one; without a short wait
		// for the other's shared lock to go, both would give up and neither would hold the directory.
		const connection = await DataDirLock.lockFile(resolved, path);
		const holder: LockHolder = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), command: commandLine() };
		try {
			await writeFileAtomic(join(resolved, LOCK_FILE), `${JSON.stringify(holder)}\n`);
		} catch (error) {
			connection.close();
			throw error;
		}
		return new DataDirLock(join(resolved, LOCK_FILE), connection);
	}

	/**
	 * Two racers can each keep a shared lock on the way to the exclusive one (exclusive locking mode holds every lock it
	 * gets), so both would wait out the other: a racer that meets a busy file closes its connection, which lets the
	 * other through, and tries again after a random pause before it names the holder.
	 */
	private static async lockFile(directory: string, path: string): Promise<Database.Database> {
		for (let attempt = 1; ; attempt++) {
			const connection = new Database(path, { timeout: ACQUIRE_WAIT_MS });
			try {
				chmodSync(path, PRIVATE_FILE_MODE);
				// No rollback journal (the file holds no data); the exclusive lock taken by the first write is kept until close.
				connection.pragma('journal_mode = OFF');
				connection.pragma('locking_mode = EXCLUSIVE');
				connection.exec('BEGIN EXCLUSIVE; COMMIT');
				return connection;
			} catch (error) {
				connection.close();
				if (!isBusy(error)) throw error;
				if (attempt >= ACQUIRE_ATTEMPTS) throw new DataDirLockedError(directory, await namedHolder(directory));
				await new Promise((resolveWait) => setTimeout(resolveWait, 20 + Math.random() * 180));
			}
		}
	}
}

function commandLine(): string {
	const script = process.argv[1] ? process.argv.slice(1).join(' ') : '';
	return `node ${script}`.trim().slice(0, 200);
}
