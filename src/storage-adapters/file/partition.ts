import { open, readFile, rename, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE, fsyncDirectory, writeFileAtomic } from '../durable-fs.js';
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
	line: string;
	resolve: () => void;
	reject: (error: unknown) => void;
}

/** Small journals are left alone: folding them costs more than replaying them. */
const MIN_COMPACTION_BYTES = 1024 * 1024;

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
	private entries = new Map<string, string>();
	private journal: FileHandle | null = null;
	private journalBytes = 0;
	private snapshotBytes = 0;
	private queue: PendingLine[] = [];
	private writer: Promise<void> | null = null;

	public constructor(
		directory: string,
		public readonly name: string,
		/** A read-only view (the data CLI beside a running bot): loads without repairing, refuses every write. */
		private readonly readOnly = false
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
		const operations = await this.readJournal();
		for (const operation of operations) this.apply(operation);
	}

	/** Loads what can be read around damage: a snapshot from elsewhere (a backup) and the readable journal lines. */
	public async loadRecovered(snapshot: Buffer | null, journalOperations: JournalOperation[]): Promise<void> {
		this.entries = snapshot === null ? new Map() : parseSnapshot(snapshot, 'backup copy');
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
		const tail = lines.pop() ?? '';
		const operations: JournalOperation[] = [];
		for (const [index, line] of lines.entries()) {
			const operation = parseJournalLine(line);
			if (!operation) {
				throw new PartitionDamage('journal', this.journalPath, `line ${index + 1} of ${this.journalPath} is not a journal entry`, operations);
			}
			operations.push(operation);
		}
		// A crash mid-append leaves the start of one line without its newline: that write was never acknowledged.
		// Anything else after the last newline (zeros, garbage) is damage, not an interrupted append.
		if (tail.length > 0 && !(tail.startsWith('{"op":') && !tail.includes('\0'))) {
			throw new PartitionDamage('journal', this.journalPath, `${this.journalPath} ends with bytes that are not a journal entry`, operations);
		}
		this.journalBytes = Buffer.byteLength(text) - Buffer.byteLength(tail);
		if (tail.length > 0 && !this.readOnly) {
			const handle = await open(this.journalPath, 'r+');
			try {
				await handle.truncate(this.journalBytes);
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

	/** The value's JSON text: equal texts mean equal values (compare-and-set compares these). */
	public text(key: string): string | undefined {
		return this.entries.get(key);
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
		if (!this.entries.has(key)) return Promise.resolve(false);
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
		for (const [key, text] of this.entries) if (key.startsWith(prefix)) found.push([key, text]);
		return found;
	}

	/** Waits until every change made so far is on disk. */
	public async flush(): Promise<void> {
		while (this.writer) await this.writer;
	}

	/** A clean stop folds the journal into the snapshot, so a stopped bot leaves one readable file per namespace. */
	public async close(): Promise<void> {
		await this.flush();
		if (this.journalBytes > 0 && !this.readOnly) await this.compact();
		await this.journal?.close();
		this.journal = null;
	}

	/** Replaces everything with `snapshot` (a restore): the new snapshot is durable before the journal is emptied. */
	public async replaceWith(snapshot: Buffer): Promise<void> {
		this.assertWritable();
		await this.flush();
		const entries = parseSnapshot(snapshot, 'backup copy');
		await this.writeSnapshot(snapshot);
		await this.resetJournal();
		this.entries = entries;
	}

	private apply(operation: JournalOperation): void {
		if (operation.op === 'set') this.entries.set(operation.key, operation.text);
		else if (operation.op === 'delete') this.entries.delete(operation.key);
		else this.entries.clear();
	}

	/** Applies the change in memory at once (so reads see it in order) and resolves when it is durable. */
	private record(operation: JournalOperation): Promise<void> {
		if (this.readOnly) return Promise.reject(this.readOnlyError());
		const line = journalLine(operation);
		this.apply(operation);
		return new Promise<void>((resolve, reject) => {
			this.queue.push({ line, resolve, reject });
			this.writer ??= this.drain();
		});
	}

	private async drain(): Promise<void> {
		try {
			while (this.queue.length > 0) {
				const batch = this.queue.splice(0);
				try {
					// The snapshot is taken now, after this batch was applied in memory; replaying the batch on top of it
					// later is harmless because every journal operation is absolute (set, delete, clear).
					if (this.journalBytes > Math.max(MIN_COMPACTION_BYTES, this.snapshotBytes)) await this.compact();
					const text = batch.map((pending) => pending.line).join('');
					const journal = await this.openJournal();
					await journal.write(text);
					await journal.datasync();
					this.journalBytes += Buffer.byteLength(text);
					for (const pending of batch) pending.resolve();
				} catch (error) {
					for (const pending of batch) pending.reject(error);
				}
			}
		} finally {
			this.writer = null;
		}
	}

	private assertWritable(): void {
		if (this.readOnly) throw this.readOnlyError();
	}

	private readOnlyError(): Error {
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

/** One journal line; a set's value goes in as the JSON text it already is. */
function journalLine(operation: JournalOperation): string {
	if (operation.op === 'set') return `{"op":"set","key":${JSON.stringify(operation.key)},"value":${operation.text}}\n`;
	return `${JSON.stringify(operation)}\n`;
}

function parseJournalLine(line: string): JournalOperation | null {
	try {
		const operation = JSON.parse(line) as { op?: unknown; key?: unknown; value?: unknown };
		if (operation?.op === 'set' && typeof operation.key === 'string' && 'value' in operation) return { op: 'set', key: operation.key, text: JSON.stringify(operation.value) };
		if (operation?.op === 'delete' && typeof operation.key === 'string') return { op: 'delete', key: operation.key };
		if (operation?.op === 'clear') return { op: 'clear' };
		return null;
	} catch {
		return null;
	}
}
