import { hostname } from 'node:os';
import { open, readFile, rm, stat, utimes } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PRIVATE_FILE_MODE } from '../durable-fs.js';

/**
 * The file adapter keeps every namespace in memory and appends to journals: a second process writing the same
 * DATA_DIR would lose writes. The process that opens the directory holds `DATA_DIR/.lock` (pid, host, start
 * time, command) until it closes it; a lock whose holder is gone is taken over.
 */
export const LOCK_FILE = '.lock';

/** The holder refreshes the lock's mtime this often, so a process on another host can tell a live lock from a dead one. */
const HEARTBEAT_MS = 10_000;
/** A lock from another host not refreshed for this long belongs to a process that is gone. */
const STALE_AFTER_MS = 3 * HEARTBEAT_MS;

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
		super(`${directory} is in use by ${describeHolder(holder)}; stop that process first (only one process may open a file-adapter data directory)`);
	}
}

export function describeHolder(holder: LockHolder): string {
	const where = holder.hostname === hostname() ? '' : ` on host ${holder.hostname}`;
	return `process ${holder.pid}${where} (\`${holder.command}\`, since ${holder.startedAt})`;
}

/** Directories this process holds, so a second open in the same process is refused too. */
const heldHere = new Set<string>();

/** The current holder of a directory's lock, or null when nobody (alive) holds it. */
export async function readLockHolder(directory: string): Promise<LockHolder | null> {
	const path = join(directory, LOCK_FILE);
	let text: string;
	let modifiedAt: number;
	try {
		[text, modifiedAt] = await Promise.all([readFile(path, 'utf8'), stat(path).then((info) => info.mtimeMs)]);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
		throw error;
	}
	let holder: LockHolder;
	try {
		holder = JSON.parse(text) as LockHolder;
		if (typeof holder.pid !== 'number') return null;
	} catch {
		// A lock file cut short by a crash while it was written: nobody can hold it.
		return null;
	}
	return isAlive(holder, modifiedAt, resolve(directory)) ? holder : null;
}

function isAlive(holder: LockHolder, modifiedAt: number, directory: string): boolean {
	if (holder.hostname !== hostname()) return Date.now() - modifiedAt < STALE_AFTER_MS;
	// Our own pid in a lock we do not hold is a previous life of this pid (a container restarts as pid 1 again).
	if (holder.pid === process.pid) return heldHere.has(directory);
	try {
		process.kill(holder.pid, 0);
		return true;
	} catch (error) {
		// EPERM: the process exists but belongs to another user.
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** The lock this process holds on one directory; `release` deletes it. */
export class DataDirLock {
	private readonly heartbeat: NodeJS.Timeout;

	private constructor(
		private readonly directory: string,
		private readonly path: string
	) {
		this.heartbeat = setInterval(() => {
			const now = new Date();
			utimes(this.path, now, now).catch(() => undefined);
		}, HEARTBEAT_MS);
		// The heartbeat must never keep a finished process alive.
		this.heartbeat.unref();
	}

	/** Takes the lock, taking over a stale one; throws DataDirLockedError naming a live holder. */
	public static async acquire(directory: string): Promise<DataDirLock> {
		const resolved = resolve(directory);
		const path = join(resolved, LOCK_FILE);
		const holder: LockHolder = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), command: commandLine() };
		for (let attempt = 0; attempt < 5; attempt++) {
			try {
				// 'wx' fails if the file exists: two processes racing for a free directory cannot both win.
				const handle = await open(path, 'wx', PRIVATE_FILE_MODE);
				try {
					await handle.writeFile(`${JSON.stringify(holder)}\n`);
					await handle.sync();
				} finally {
					await handle.close();
				}
				heldHere.add(resolved);
				return new DataDirLock(resolved, path);
			} catch (error) {
				if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			}
			const current = await readLockHolder(resolved);
			if (current) throw new DataDirLockedError(resolved, current);
			// Stale: its holder is gone. Remove it and race for the free directory again.
			await rm(path, { force: true });
		}
		throw new Error(`Could not take the lock ${path}; another process keeps replacing it`);
	}

	public async release(): Promise<void> {
		clearInterval(this.heartbeat);
		if (!heldHere.delete(this.directory)) return;
		await rm(this.path, { force: true });
	}
}

function commandLine(): string {
	const script = process.argv[1] ? process.argv.slice(1).join(' ') : '';
	return `node ${script}`.trim().slice(0, 200);
}
