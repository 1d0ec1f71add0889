import { open, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE, TEMP_MARKER, fsyncDirectory, writeFileAtomic } from '../durable-fs.js';
import { FIRST_RETRY_MS, MAX_RETRY_MS, StorageFailingError } from '../failing.js';
import { groupOf, groupOfPrefix } from '../grouped.js';
import { StorageClosedError } from '../storage.js';
import { SnapshotFormatError, parseSnapshot, readSnapshotFile, snapshotChunks } from './snapshot.js';

/**
 * One namespace of the file adapter: `<name>.json` (a human-readable snapshot, one entry per line) plus
 * `<name>.journal` (one JSON line per change since that snapshot). A change is acknowledged once its journal line
 * is on disk; changes that arrive while a line is being flushed share the next flush, so concurrent writers pay
 * one fsync between them. When the journal outgrows the snapshot it is folded into a new snapshot, which keeps
 * replay short and the cost of a write independent of how much data the namespace holds.
 *
 * Values are held in memory as their JSON text, not as objects: a fraction of the memory for namespaces with a record
 * per member, snapshots written without serializing again, and every read handing out a fresh copy that a caller
 * cannot use to change the stored value behind the journal's back.
 */

/** A change as the journal holds it; a set carries its value as JSON text, which is also how it is held in memory. */
type JournalOperation = { op: 'set'; key: string; text: string } | { op: 'delete'; key: string } | { op: 'clear' };

interface PendingLine {
	operation: JournalOperation;
	line: string;
	resolve: () => void;
	reject: (error: unknown) => void;
}

/** Small journals are left alone: folding them costs more than replaying them. */
const MIN_COMPACTION_BYTES = 1024 * 1024;
/** The scratch write that tells whether a failed disk takes writes again: about one batch of journal lines. */
const PROBE_BYTES = 16 * 1024;

export { StorageFailingError } from '../failing.js';

/**
 * A batch of several lines is written behind a header naming how many follow: a batch cut short (a short write, a
 * crash, a failed sync whose cut-back failed too) is then recognised at load as not acknowledged and left out as a
 * whole, even when some of its lines are complete. A single line needs no header: without its newline it is torn.
 */
const BATCH_HEADER = /^\{"op":"batch","lines":(\d+)\}$/;

export class PartitionDamage extends Error {
	public constructor(
		public readonly file: 'snapshot' | 'journal',
		public readonly path: string,
		reason: string,
		/** For a damaged journal: the operations read before the damage. */
		public readonly readableOperations: JournalOperation[] = []
	) {
		super(reason);
	}
}

export class FilePartition {
	public readonly snapshotPath: string;
	public readonly journalPath: string;

	/** What is durable: the only state readers see. */
	private entries = new Map<string, string>();
	/** Grouped namespaces (grouped.ts): the keys of each group, or null until a group is first read. */
	private groups: Map<string, Set<string>> | null = null;
	/**
	 * Changes queued or being written, newest per key (null: deleted), so that compare-and-set and delete decide on the
	 * state the queued changes lead to; they move into `entries` once their journal line is on disk.
	 */
	private pending = new Map<string, string | null>();
	/** A clear is queued: keys absent from `pending` count as deleted. */
	private pendingClear = false;
	private journal: FileHandle | null = null;
	/** Bytes of the journal that hold acknowledged lines; anything after this offset is torn and is cut off. */
	private journalBytes = 0;
	private snapshotBytes = 0;
	private queue: PendingLine[] = [];
	private writer: Promise<void> | null = null;
	/** Set by an I/O error: writes are refused until the disk takes writes again (see `assertHealthy`). */
	private failure: { cause: Error; retryAt: number; delayMs: number } | null = null;
	/** After close nothing is written: a late write would reopen the journal behind a stopped process's back. */
	private closed = false;
	/**
	 * A batch fully written whose sync failed and whose cut-back failed too: its lines may be replayed, so it is
	 * neither acknowledged nor refused until a later cut-back succeeds (then it is refused) or the partition closes.
	 */
	private undecided: PendingLine[] = [];
	/** Retries the cut-back of a held-back batch when no write comes to do it, so its writers get an answer. */
	private settleTimer: NodeJS.Timeout | null = null;

	public constructor(
		directory: string,
		public readonly name: string,
		/** A read-only view (the data CLI beside a running bot): loads without repairing, refuses every write. */
		private readonly readOnly = false,
		/** Why writes are refused, when it is not a read-only view: the file of this name is not ours. */
		private readonly foreignFile?: string
	) {
		this.snapshotPath = join(directory, `${name}.json`);
		this.journalPath = join(directory, `${name}.journal`);
	}

	public get size(): number {
		return this.entries.size;
	}

	public get diskBytes(): number {
		return this.snapshotBytes + this.journalBytes;
	}

	/** Reads the snapshot, then replays the journal; throws PartitionDamage naming the unreadable file. */
	public async load(): Promise<void> {
		this.entries = await this.readSnapshot(this.snapshotPath);
		this.groups = null;
		const operations = await this.readJournal();
		for (const operation of operations) this.apply(operation);
	}

	/** Loads what can be read around damage: a snapshot from elsewhere (a backup) and the readable journal lines. */
	public async loadRecovered(snapshot: Buffer | null, journalOperations: JournalOperation[]): Promise<void> {
		this.entries = snapshot === null ? new Map() : parseSnapshot(snapshot, 'backup copy');
		this.groups = null;
		for (const operation of journalOperations) this.apply(operation);
		if (this.readOnly) return;
		// Writing a fresh snapshot and an empty journal leaves no damaged file in the live data directory.
		await this.writeSnapshot(snapshotChunks(this.entries));
		await this.resetJournal();
	}

	public async readJournal(): Promise<JournalOperation[]> {
		let text: string;
		try {
			text = await readFile(this.journalPath, 'utf8');
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
			throw error;
		}
		const lines = text.split('\n');
		let tail = lines.pop() ?? '';
		const operations: JournalOperation[] = [];
		/** The journal's bytes up to the last complete line or batch: what a writable open keeps. */
		let keptBytes = 0;
		let offset = 0;
		for (let index = 0; index < lines.length; index++) {
			const header = BATCH_HEADER.exec(lines[index]!);
			const count = header ? Number(header[1]) : 1;
			const group = header ? lines.slice(index + 1, index + 1 + count) : [lines[index]!];
			const groupBytes = [...(header ? [lines[index]!] : []), ...group].reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);
			if (group.length < count) {
				// A batch cut short: never acknowledged, so none of it is replayed (it is cut off with the tail).
				tail = [...lines.slice(index), tail].join('\n');
				break;
			}
			const parsed: JournalOperation[] = [];
			for (const [position, line] of group.entries()) {
				const operation = parseJournalLine(line);
				if (!operation) {
					const lineNumber = index + (header ? 2 : 1) + position;
					throw new PartitionDamage(
						'journal',
						this.journalPath,
						`line ${lineNumber} of ${this.journalPath} is not a journal entry`,
						operations
					);
				}
				parsed.push(operation);
			}
			operations.push(...parsed);
			offset += groupBytes;
			keptBytes = offset;
			index += header ? count : 0;
		}
		// A crash mid-append leaves the start of one line (or batch) without its end: that write was never acknowledged.
		// Anything else after the last newline (zeros, garbage) is damage, not an interrupted append.
		if (tail.length > 0 && !(tail.startsWith('{"op":') && !tail.includes('\0'))) {
			throw new PartitionDamage('journal', this.journalPath, `${this.journalPath} ends with bytes that are not a journal entry`, operations);
		}
		this.journalBytes = keptBytes;
		if (Buffer.byteLength(text) > keptBytes && !this.readOnly) {
			const handle = await open(this.journalPath, 'r+');
			try {
				await handle.truncate(keptBytes);
				await handle.datasync();
			} finally {
				await handle.close();
			}
		}
		return operations;
	}

	/** A fresh copy of the value, or undefined. */
	public get(key: string): unknown {
		const text = this.entries.get(key);
		return text === undefined ? undefined : JSON.parse(text);
	}

	/** The value's JSON text once the queued changes are written: equal texts mean equal values (compare-and-set compares these). */
	public text(key: string): string | undefined {
		const pending = this.pending.get(key);
		if (pending !== undefined) return pending ?? undefined;
		return this.pendingClear ? undefined : this.entries.get(key);
	}

	/** The I/O error that stopped writes, while writes are stopped. */
	public get failingCause(): Error | null {
		return this.failure?.cause ?? null;
	}

	public set(key: string, value: unknown): Promise<void> {
		// Serialized first: a value JSON cannot represent is refused before anything changes.
		let text: string | undefined;
		try {
			text = JSON.stringify(value);
		} catch (error) {
			return Promise.reject(error);
		}
		if (text === undefined) return Promise.reject(new TypeError(`The value for "${key}" cannot be stored as JSON`));
		return this.record({ op: 'set', key, text });
	}

	public delete(key: string): Promise<boolean> {
		if (this.text(key) === undefined) return Promise.resolve(false);
		return this.record({ op: 'delete', key }).then(() => true);
	}

	public clear(): Promise<void> {
		return this.record({ op: 'clear' });
	}

	/**
	 * The current state, frozen: a shallow copy is enough because a change replaces a value, never edits it. Taken
	 * synchronously, it is one consistent moment; `snapshotChunks` turns it into file text piece by piece.
	 */
	public freeze(): ReadonlyMap<string, string> {
		return new Map(this.entries);
	}

	/** The entries whose key starts with `prefix`, as JSON texts, from one synchronous pass (one consistent moment, no copy of the rest). */
	public withPrefix(prefix: string): Array<[string, string]> {
		const found: Array<[string, string]> = [];
		const group = groupOfPrefix(this.name, prefix);
		if (group !== null) {
			// One group of a grouped namespace (one giveaway's entries): its keys are listed, the rest is not looked at.
			for (const key of this.groupIndex().get(group) ?? []) found.push([key, this.entries.get(key)!]);
			return found;
		}
		for (const [key, text] of this.entries) if (key.startsWith(prefix)) found.push([key, text]);
		return found;
	}

	/** Waits until every change made so far is on disk. */
	public async flush(): Promise<void> {
		while (this.writer) await this.writer;
	}

	/**
	 * A clean stop folds the journal into the snapshot, so a stopped bot leaves one readable file per namespace. A
	 * partition whose disk is failing keeps its journal: every acknowledged line in it is intact.
	 */
	public async close(): Promise<void> {
		this.closed = true;
		if (this.settleTimer) clearTimeout(this.settleTimer);
		this.settleTimer = null;
		await this.flush();
		this.settleUndecided(
			(cause) =>
				new StorageFailingError(
					new Error(
						`${cause.message}; not known whether this change reached the disk: its journal line was written but could be neither synced nor cut back, so it may appear after a restart`,
						{ cause }
					)
				)
		);
		try {
			if (this.journalBytes > 0 && !this.readOnly && !this.failure) await this.compact();
		} finally {
			await this.journal?.close();
			this.journal = null;
		}
	}

	/** Refuses every write with `cause` until the process restarts (a restore that did not finish). */
	public refuseWrites(cause: Error): void {
		this.failure = { cause, retryAt: Number.POSITIVE_INFINITY, delayMs: MAX_RETRY_MS };
	}

	/**
	 * Throws while the partition is failing. Once the retry time has come, the journal is cut back to its acknowledged
	 * bytes (in case that failed before) and the next write is tried; a new failure doubles the wait.
	 */
	public async assertHealthy(): Promise<void> {
		if (!this.failure) return;
		if (Date.now() < this.failure.retryAt) throw new StorageFailingError(this.failure.cause);
		try {
			await this.probeDisk();
			const journal = await this.openJournal();
			if ((await journal.stat()).size !== this.journalBytes) {
				await journal.truncate(this.journalBytes);
				await journal.datasync();
			}
		} catch (error) {
			throw this.fail(error as Error);
		}
		// The journal holds only acknowledged bytes now: a held-back batch is provably not on disk, so it is refused.
		const { cause } = this.failure;
		this.settleUndecided(() => new StorageFailingError(cause));
		this.failure = null;
	}

	/** The keys of each group of a grouped namespace, built at the first group read and kept in step by apply(). */
	private groupIndex(): Map<string, Set<string>> {
		if (this.groups) return this.groups;
		this.groups = new Map();
		for (const key of this.entries.keys()) this.addToGroup(key);
		return this.groups;
	}

	private addToGroup(key: string): void {
		const found = groupOf(this.name, key);
		if (!found || !this.groups) return;
		let keys = this.groups.get(found.group);
		if (!keys) this.groups.set(found.group, (keys = new Set()));
		keys.add(key);
	}

	private apply(operation: JournalOperation): void {
		if (operation.op === 'set') {
			this.entries.set(operation.key, operation.text);
			this.addToGroup(operation.key);
		} else if (operation.op === 'delete') {
			this.entries.delete(operation.key);
			const found = groupOf(this.name, operation.key);
			if (found) this.groups?.get(found.group)?.delete(operation.key);
		} else {
			this.entries.clear();
			this.groups = null;
		}
	}

	/**
	 * Queues the change and resolves once it is durable; only then do readers see it. A change that fails is never
	 * applied, and neither is any change queued behind it (they are refused with the same cause).
	 */
	private record(operation: JournalOperation): Promise<void> {
		if (this.readOnly) return Promise.reject(this.readOnlyError());
		if (this.closed) return Promise.reject(new StorageClosedError());
		if (this.failure && Date.now() < this.failure.retryAt) return Promise.reject(new StorageFailingError(this.failure.cause));
		const line = journalLine(operation);
		if (operation.op === 'clear') {
			this.pending.clear();
			this.pendingClear = true;
		} else this.pending.set(operation.key, operation.op === 'set' ? operation.text : null);
		return new Promise<void>((resolve, reject) => {
			this.queue.push({ operation, line, resolve, reject });
			this.writer ??= this.drain();
		});
	}

	private async drain(): Promise<void> {
		try {
			while (this.queue.length > 0) {
				const batch = this.queue.splice(0);
				try {
					await this.assertHealthy();
					if (this.journalBytes > Math.max(MIN_COMPACTION_BYTES, this.snapshotBytes)) await this.compact();
					await this.append(batchBytes(batch));
				} catch (error) {
					// This batch will not be replayed (it was cut back, or is recognisably cut short) unless append says it
					// may be; nothing queued behind it may be written after it, so those are refused too.
					const failure = error instanceof StorageFailingError ? error : this.fail(error as Error);
					const held = error instanceof UnsettledAppendError;
					if (held) {
						this.undecided.push(...batch);
						this.scheduleSettle();
					}
					const refused = [...(held ? [] : batch), ...this.queue.splice(0)];
					this.pending.clear();
					this.pendingClear = false;
					for (const pending of refused) pending.reject(failure);
					continue;
				}
				for (const pending of batch) this.apply(pending.operation);
				this.forgetPending(batch);
				for (const pending of batch) pending.resolve();
			}
		} finally {
			this.writer = null;
		}
	}

	/** Drops pending entries whose newest change is now durable; a later queued change of the same key stays pending. */
	private forgetPending(written: PendingLine[]): void {
		if (this.queue.length === 0) {
			this.pending.clear();
			this.pendingClear = false;
			return;
		}
		const stillQueued = new Set<string>();
		let clearQueued = false;
		for (const pending of this.queue) {
			if (pending.operation.op === 'clear') clearQueued = true;
			else stillQueued.add(pending.operation.key);
		}
		for (const pending of written)
			if (pending.operation.op !== 'clear' && !stillQueued.has(pending.operation.key)) this.pending.delete(pending.operation.key);
		this.pendingClear = clearQueued;
	}

	/**
	 * Appends `bytes` and makes them durable, or leaves the journal as it was: a short write is continued, and a write
	 * or sync that fails is cut back to the last acknowledged byte, so no torn or unacknowledged line stays to be replayed.
	 * When the whole batch was written, its sync failed and the cut-back failed too, the batch may be replayed at the
	 * next start: UnsettledAppendError says so (its writes are held back, not refused; see `undecided`).
	 */
	private async append(bytes: Buffer): Promise<void> {
		const journal = await this.openJournal();
		let written = 0;
		try {
			while (written < bytes.length) {
				const { bytesWritten } = await journal.write(bytes, written, bytes.length - written);
				if (bytesWritten <= 0) throw new Error(`wrote 0 of ${bytes.length - written} bytes to ${this.journalPath}`);
				written += bytesWritten;
			}
			await journal.datasync();
		} catch (error) {
			const cutBack = await this.cutBack(journal, error as Error);
			// Cut short, the batch misses its last line's newline, which the load recognises (see BATCH_HEADER).
			if (cutBack !== null && written === bytes.length) throw new UnsettledAppendError(cutBack);
			throw cutBack ?? error;
		}
		this.journalBytes += bytes.length;
	}

	/**
	 * Truncates the journal to its acknowledged bytes after a failed append; returns null when that worked, else the
	 * error saying it did not (the journal is reopened, and the cut tried again, on recovery).
	 */
	private async cutBack(journal: FileHandle, cause: Error): Promise<Error | null> {
		try {
			await journal.truncate(this.journalBytes);
			await journal.datasync();
			return null;
		} catch (error) {
			// The journal's tail is unacknowledged and must not be appended after: reopen it (and retry the cut) on recovery.
			this.journal = null;
			await journal.close().catch(() => undefined);
			return new Error(
				`${cause.message}; cutting ${this.journalPath} back to ${this.journalBytes} bytes failed too: ${(error as Error).message}`,
				{
					cause
				}
			);
		}
	}

	/** At the retry time, tries the cut-back (through the writer, never beside it) until the held-back batch is answered. */
	private scheduleSettle(): void {
		if (this.settleTimer || this.closed || this.undecided.length === 0 || !this.failure) return;
		this.settleTimer = setTimeout(
			() => {
				this.settleTimer = null;
				if (this.closed) return;
				if (this.writer) {
					this.scheduleSettle();
					return;
				}
				this.writer = this.assertHealthy()
					.catch(() => undefined)
					.finally(() => {
						this.writer = this.queue.length > 0 ? this.drain() : null;
						this.scheduleSettle();
					});
			},
			Math.max(0, this.failure.retryAt - Date.now())
		);
		this.settleTimer.unref();
	}

	/** Answers the held-back batch (see `undecided`) with the error `reason` makes of the failure's cause. */
	private settleUndecided(reason: (cause: Error) => Error): void {
		if (this.undecided.length === 0) return;
		const error = reason(this.failure?.cause ?? new Error('the disk failed'));
		for (const pending of this.undecided.splice(0)) pending.reject(error);
	}

	/** Writes and syncs a scratch file (removed again): proof that the disk takes writes before the journal is trusted to it. */
	private async probeDisk(): Promise<void> {
		const path = `${this.journalPath}${TEMP_MARKER}probe-${process.pid}`;
		try {
			const handle = await open(path, 'w', PRIVATE_FILE_MODE);
			try {
				const probe = Buffer.alloc(PROBE_BYTES, 0x20);
				let written = 0;
				while (written < probe.length) written += (await handle.write(probe, written)).bytesWritten;
				await handle.datasync();
			} finally {
				await handle.close();
			}
		} finally {
			await rm(path, { force: true });
		}
	}

	/** Enters the failed state: writes are refused with the cause until the retry time. */
	private fail(cause: Error): StorageFailingError {
		const delayMs = this.failure ? Math.min(MAX_RETRY_MS, this.failure.delayMs * 2) : FIRST_RETRY_MS;
		this.failure = { cause, retryAt: Date.now() + delayMs, delayMs };
		return new StorageFailingError(cause);
	}

	private readOnlyError(): Error {
		if (this.foreignFile)
			return new Error(
				`${this.snapshotPath} is not a file of this bot (${this.foreignFile}); the "${this.name}" namespace refuses writes until it is moved away`
			);
		return new Error(`The "${this.name}" namespace was opened read-only (another process holds the data directory)`);
	}

	private async compact(): Promise<void> {
		await this.writeSnapshot(snapshotChunks(this.freeze()));
		await this.resetJournal();
	}

	private async writeSnapshot(contents: Uint8Array | Iterable<string>): Promise<void> {
		this.snapshotBytes = await writeFileAtomic(this.snapshotPath, contents);
	}

	private async resetJournal(): Promise<void> {
		const journal = await this.openJournal();
		await journal.truncate(0);
		await journal.datasync();
		this.journalBytes = 0;
	}

	private async openJournal(): Promise<FileHandle> {
		if (this.journal) return this.journal;
		const existed = await stat(this.journalPath).then(
			() => true,
			() => false
		);
		this.journal = await open(this.journalPath, 'a', PRIVATE_FILE_MODE);
		// A new file's directory entry must be durable too, or an acknowledged first write could vanish.
		if (!existed) await fsyncDirectory(this.journalPath.slice(0, this.journalPath.lastIndexOf('/')) || '/');
		return this.journal;
	}

	private async readSnapshot(path: string): Promise<Map<string, string>> {
		let snapshot: Awaited<ReturnType<typeof readSnapshotFile>>;
		try {
			snapshot = await readSnapshotFile(path);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
			if (error instanceof SnapshotFormatError) throw new PartitionDamage('snapshot', path, error.message);
			throw error;
		}
		this.snapshotBytes = snapshot.bytes;
		return snapshot.entries;
	}

	/** Moves a damaged file out of the way under a name that says so; it is kept for a person to inspect. */
	public static async setAside(path: string): Promise<string | null> {
		const aside = `${path}.damaged-${new Date().toISOString().replace(/[-:.]/g, '')}`;
		try {
			await rename(path, aside);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
			throw error;
		}
		return aside;
	}
}

/** A failed append whose batch may still be replayed (written in full, neither synced nor cut back). */
class UnsettledAppendError extends Error {
	public constructor(cause: Error) {
		super(cause.message, { cause });
	}
}

/** The bytes of one append: a lone line as it is, several behind a header naming their count (see BATCH_HEADER). */
function batchBytes(batch: PendingLine[]): Buffer {
	const lines = batch.map((pending) => pending.line).join('');
	return Buffer.from(batch.length === 1 ? lines : `{"op":"batch","lines":${batch.length}}\n${lines}`);
}

/** One journal line; a set's value goes in as the JSON text it already is. */
function journalLine(operation: JournalOperation): string {
	if (operation.op === 'set') return `{"op":"set","key":${JSON.stringify(operation.key)},"value":${operation.text}}\n`;
	return `${JSON.stringify(operation)}\n`;
}

function parseJournalLine(line: string): JournalOperation | null {
	try {
		const operation = JSON.parse(line) as { op?: unknown; key?: unknown; value?: unknown };
		if (operation?.op === 'set' && typeof operation.key === 'string' && 'value' in operation)
			return { op: 'set', key: operation.key, text: JSON.stringify(operation.value) };
		if (operation?.op === 'delete' && typeof operation.key === 'string') return { op: 'delete', key: operation.key };
		if (operation?.op === 'clear') return { op: 'clear' };
		return null;
	} catch {
		return null;
	}
}
