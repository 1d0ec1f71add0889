import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultDeserialize } from '@keyv/serialize';
import type { KeyvStoreAdapter, StoredData } from 'keyv';
import { ENTRY_BATCH, assertNamespaceName, isExpired, type Backend, type BackendOpenContext, type RawEntry } from '../backend.js';
import { PRIVATE_DIR_MODE, TEMP_MARKER, fsyncDirectory, writeFileAtomic } from '../durable-fs.js';
import type { BackupInfo, StoredEntry } from '../types.js';
import { DataDirLock } from './lock.js';
import { classifyFile } from './ownership.js';
import { FilePartition, PartitionDamage } from './partition.js';
import { parseSnapshot, snapshotChunks } from './snapshot.js';
import { settled } from '../settled.js';

const DATA_FILE = /^([A-Za-z0-9_-]{1,64})\.(json|journal)$/;

/** Written before a restore touches a namespace and removed once all of them are replaced; see restoreBackup. */
const RESTORE_INTENT = '.restore-in-progress';

interface RestoreIntent {
	backup: string;
	/** The backup folder, whose `<namespace>.json` files are the restored state. */
	path: string;
	namespaces: string[];
}

/**
 * Puts the files of DATA_DIR in the state of the intent's backup: each of its namespaces gets the backup's snapshot and
 * an empty journal, every other namespace an empty snapshot and journal. Repeating it gives the same result, which is
 * what makes a restore interrupted at any point safe to finish.
 */
async function applyRestore(directory: string, intent: RestoreIntent): Promise<void> {
	const restored = new Set(intent.namespaces);
	const copies = new Map<string, Buffer>();
	for (const namespace of restored) {
		assertNamespaceName(namespace);
		const copy = await readFile(join(intent.path, `${namespace}.json`));
		parseSnapshot(copy, `${intent.backup}/${namespace}.json`);
		copies.set(namespace, copy);
	}
	const present = new Set((await readdir(directory)).map((name) => DATA_FILE.exec(name)?.[1]).filter((name): name is string => Boolean(name)));
	for (const namespace of [...new Set([...restored, ...present])].sort()) {
		await writeFileAtomic(join(directory, `${namespace}.json`), copies.get(namespace) ?? '{}\n');
		await truncateFile(join(directory, `${namespace}.journal`));
	}
}

async function truncateFile(path: string): Promise<void> {
	let handle;
	try {
		handle = await open(path, 'r+');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
		throw error;
	}
	try {
		await handle.truncate(0);
		await handle.datasync();
	} finally {
		await handle.close();
	}
}

/** A restore cut short (a crash, a full disk) is finished before the data is read; without its backup the bot stops. */
async function finishInterruptedRestore(directory: string, context: BackendOpenContext): Promise<void> {
	const path = join(directory, RESTORE_INTENT);
	let intent: RestoreIntent;
	try {
		intent = JSON.parse(await readFile(path, 'utf8')) as RestoreIntent;
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
		throw new Error(`${path} (a restore that did not finish) is unreadable: ${(error as Error).message}`, { cause: error });
	}
	try {
		await applyRestore(directory, intent);
	} catch (error) {
		throw new Error(
			`A restore of backup ${intent.backup} did not finish and cannot be finished now (${(error as Error).message}); the data in ${directory} is partly restored. Fix the cause, or restore another backup with the data CLI after deleting ${path}`,
			{ cause: error }
		);
	}
	await rm(path, { force: true });
	await fsyncDirectory(directory);
	const message = `Finished the restore of backup ${intent.backup} that was interrupted (the bot stopped during it)`;
	context.logger.warn(message);
	context.recordEvent('warn', message);
}

/** Our Keyv instances hand the store entry objects; a Keyv with its default serializer hands it JSON strings. */
function decode(raw: unknown): StoredEntry {
	return (typeof raw === 'string' ? defaultDeserialize(raw) : raw) as StoredEntry;
}

/** The file adapter: one snapshot + journal pair per namespace in DATA_DIR, all data held in memory. */
export class FileBackend implements Backend {
	public readonly adapter = 'file' as const;
	public readonly keyvSerializes = false;

	private readonly partitions = new Map<string, FilePartition>();
	/** Namespaces whose file in DATA_DIR is not ours: never read, never written over (see ownership.ts). */
	private readonly foreign = new Map<string, string>();

	private constructor(
		public readonly directory: string,
		private readonly lock: DataDirLock | null
	) {}

	public partition(namespace: string): FilePartition {
		let partition = this.partitions.get(namespace);
		if (!partition) {
			assertNamespaceName(namespace);
			// Every namespace with files of ours was loaded at open, so one created here starts empty; one whose file is
			// foreign refuses writes, which would replace that file.
			const foreign = this.foreign.get(namespace);
			partition = new FilePartition(this.directory, namespace, this.readOnly || foreign !== undefined, foreign);
			this.partitions.set(namespace, partition);
		}
		return partition;
	}

	public createStore(): KeyvStoreAdapter {
		return new FileStore(this);
	}

	public read(namespace: string, key: string): Promise<RawEntry | undefined> {
		return settled(() => {
			const text = this.partition(namespace).text(key);
			return text === undefined ? undefined : { raw: text, entry: decode(JSON.parse(text)) };
		});
	}

	public async putMany(namespace: string, entries: Array<[string, StoredEntry]>): Promise<void> {
		const partition = this.partition(namespace);
		// Issued together, the writes share the journal's flushes.
		await Promise.all(entries.map(([key, entry]) => partition.set(key, entry)));
	}

	public async compareAndSet(namespace: string, key: string, expectedRaw: unknown, next: StoredEntry | undefined): Promise<boolean> {
		const partition = this.partition(namespace);
		if (partition.text(key) !== expectedRaw) return false;
		if (next === undefined) await partition.delete(key);
		else await partition.set(key, next);
		return true;
	}

	public entryBatches(namespace: string): AsyncGenerator<Array<[string, StoredEntry]>> {
		return this.textBatches(this.partition(namespace).freeze());
	}

	/** The keys are in memory: a prefix costs one pass over them, without copying or parsing the others. */
	public prefixBatches(namespace: string, prefix: string): AsyncGenerator<Array<[string, StoredEntry]>> {
		return this.textBatches(this.partition(namespace).withPrefix(prefix));
	}

	public namespaces(): Promise<string[]> {
		return settled(() => [...this.partitions.keys()].sort());
	}

	public counts(): Promise<Record<string, number>> {
		return settled(() => Object.fromEntries([...this.partitions].map(([namespace, partition]) => [namespace, partition.size])));
	}

	public sizeBytes(): Promise<number> {
		return settled(() => {
			let total = 0;
			for (const partition of this.partitions.values()) total += partition.diskBytes;
			return total;
		});
	}

	/** Nothing to reach (the data is in memory), but a namespace whose disk failed says so until the disk takes writes again. */
	public async ping(): Promise<void> {
		for (const partition of this.partitions.values()) await partition.assertHealthy();
	}

	public async writeBackup(folder: string, declared: string[]): Promise<Record<string, number>> {
		// Capture every namespace before the first await, so the backup is one consistent moment across namespaces.
		const namespaces = [...new Set([...this.partitions.keys(), ...declared])].sort();
		const captured = namespaces.map((namespace) => {
			const partition = this.partition(namespace);
			return { namespace, entries: partition.freeze(), count: partition.size };
		});
		for (const { namespace, entries } of captured) await writeFileAtomic(join(folder, `${namespace}.json`), snapshotChunks(entries));
		await fsyncDirectory(folder);
		return Object.fromEntries(captured.map(({ namespace, count }) => [namespace, count]));
	}

	public async checkBackup(backup: BackupInfo): Promise<void> {
		for (const name of Object.keys(backup.files)) {
			const namespace = DATA_FILE.exec(name)?.[1];
			if (!namespace || !name.endsWith('.json')) throw new Error(`Backup ${backup.id}: ${name} is not a file adapter namespace`);
			parseSnapshot(await readFile(join(backup.path, name)), `${backup.id}/${name}`);
		}
	}

	/**
	 * Replaces every namespace with the backup's copy, atomically across a crash: an intent file naming the backup is
	 * written first, and a process that finds it at open finishes the restore before it reads anything (so an old journal
	 * can never be replayed over restored data, nor can half the namespaces be restored). A restore that fails here
	 * leaves the intent in place and refuses writes until a restart finishes it.
	 */
	public async restoreBackup(backup: BackupInfo): Promise<void> {
		for (const partition of this.partitions.values()) {
			await partition.flush();
			await partition.assertHealthy();
		}
		const intent: RestoreIntent = {
			backup: backup.id,
			path: backup.path,
			namespaces: Object.keys(backup.files).map((name) => name.slice(0, -'.json'.length))
		};
		try {
			await writeFileAtomic(join(this.directory, RESTORE_INTENT), `${JSON.stringify(intent)}\n`);
			await applyRestore(this.directory, intent);
			for (const namespace of new Set([...this.partitions.keys(), ...intent.namespaces])) await this.partition(namespace).load();
			await rm(join(this.directory, RESTORE_INTENT), { force: true });
			await fsyncDirectory(this.directory);
		} catch (error) {
			const cause = new Error(`the restore of backup ${backup.id} did not finish (${(error as Error).message}); restart the bot to finish it`, {
				cause: error
			});
			for (const partition of this.partitions.values()) partition.refuseWrites(cause);
			throw error;
		}
	}

	public async close(): Promise<void> {
		try {
			for (const partition of this.partitions.values()) await partition.close();
		} finally {
			await this.lock?.release();
		}
	}

	/** Files in DATA_DIR that are not ours, with what they look like: reported, never touched. */
	public get foreignFiles(): Array<{ file: string; looksLike: string }> {
		return [...this.foreign].map(([namespace, looksLike]) => ({ file: `${namespace}.json`, looksLike }));
	}

	// eslint-disable-next-line @typescript-eslint/require-await -- the contract is an AsyncGenerator; the rows come synchronously
	private async *textBatches(texts: Iterable<[string, string]>): AsyncGenerator<Array<[string, StoredEntry]>> {
		const now = Date.now();
		let batch: Array<[string, StoredEntry]> = [];
		for (const [key, text] of texts) {
			const entry = decode(JSON.parse(text));
			if (isExpired(entry, now)) continue;
			batch.push([key, entry]);
			if (batch.length === ENTRY_BATCH) {
				yield batch;
				batch = [];
			}
		}
		if (batch.length > 0) yield batch;
	}

	/**
	 * Whether `<namespace>.json` is ours to load. Files that say nothing themselves (empty, zeros, garbage) are ours
	 * when a journal or a backup of ours vouches for them, and then go to the damage path; a plain `{}` with neither
	 * holds nothing to load.
	 */
	private async isOurs(namespace: string, hasJournal: boolean, context: BackendOpenContext): Promise<boolean> {
		const path = join(this.directory, `${namespace}.json`);
		let ownership: Awaited<ReturnType<typeof classifyFile>>;
		try {
			ownership = await classifyFile(path);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return hasJournal;
			throw error;
		}
		if (ownership.kind === 'ours') return true;
		if (ownership.kind === 'empty') return hasJournal;
		if (ownership.kind === 'unknown') {
			if (hasJournal) return true;
			const backedUp = (await context.validBackups()).some((backup) => backup.adapter === 'file' && `${namespace}.json` in backup.files);
			if (backedUp) return true;
		}
		const looksLike =
			ownership.kind === 'foreign' ? ownership.looksLike : 'unreadable content this bot did not write (no journal or backup of it)';
		this.foreign.set(namespace, looksLike);
		context.recordEvent('warn', `${path} is not a file of this bot: it looks like ${looksLike}. It is left as it is, not read and not exported`);
		return false;
	}

	private async loadPartition(namespace: string, context: BackendOpenContext): Promise<void> {
		const partition = new FilePartition(this.directory, namespace, this.readOnly);
		this.partitions.set(namespace, partition);
		try {
			await partition.load();
		} catch (error) {
			if (!(error instanceof PartitionDamage)) throw error;
			if (this.readOnly) return this.viewDamaged(partition, error, context);
			await this.recover(partition, error, context);
		}
	}

	/** Read-only: shows what is readable and says so; the repair is left to the process that holds the directory. */
	private async viewDamaged(partition: FilePartition, damage: PartitionDamage, context: BackendOpenContext): Promise<void> {
		const snapshot = damage.file === 'journal' ? await readFile(partition.snapshotPath).catch(() => null) : null;
		await partition.loadRecovered(snapshot, damage.readableOperations);
		context.recordEvent(
			'warn',
			`${damage.path} is damaged (${damage.message}); this read-only view shows its readable part, the bot repairs it when it opens the data`
		);
	}

	/**
	 * A damaged snapshot is replaced by the newest valid backup's copy; a damaged journal keeps the lines before the
	 * damage. Damaged files are renamed aside, never deleted, and every step is logged loudly.
	 */
	private async recover(partition: FilePartition, damage: PartitionDamage, context: BackendOpenContext): Promise<void> {
		const fileName = `${partition.name}.json`;
		if (damage.file === 'journal') {
			const aside = await FilePartition.setAside(partition.journalPath);
			const snapshot = await readFile(partition.snapshotPath).catch(() => null);
			await partition.loadRecovered(snapshot, damage.readableOperations);
			const message = `${partition.journalPath} is damaged (${damage.message}); kept the ${damage.readableOperations.length} readable changes before the damage, set the file aside as ${aside}`;
			context.logger.error(message);
			context.recordEvent('error', message);
			return;
		}

		// The snapshot is damaged: a readable journal still holds the newest changes, so it is replayed on the backup.
		let journal: Awaited<ReturnType<FilePartition['readJournal']>> = [];
		try {
			journal = await partition.readJournal();
		} catch (error) {
			if (error instanceof PartitionDamage) journal = error.readableOperations;
		}
		const aside = await FilePartition.setAside(partition.snapshotPath);
		const journalAside = await FilePartition.setAside(partition.journalPath);
		for (const backup of await context.validBackups()) {
			if (backup.adapter !== 'file' || !(fileName in backup.files)) continue;
			let copy: Buffer;
			try {
				copy = await readFile(join(backup.path, fileName));
				parseSnapshot(copy, fileName);
			} catch {
				continue;
			}
			await partition.loadRecovered(copy, journal);
			const message = `${damage.path} was damaged (${damage.message}); restored ${partition.size} records of "${partition.name}" from backup ${backup.id}; the damaged file is kept as ${aside}`;
			context.logger.error(message);
			context.recordEvent('error', message);
			return;
		}
		await partition.loadRecovered(null, journal);
		const message = `${damage.path} was damaged (${damage.message}) and no backup holds "${partition.name}"; it starts with the ${partition.size} records its journal still had. The damaged file is kept as ${aside}${journalAside ? ` and its journal as ${journalAside}` : ''}`;
		context.logger.error(message);
		context.recordEvent('error', message);
	}

	/**
	 * Opens DATA_DIR holding its lock (see lock.ts). `readOnly` takes no lock and repairs nothing: a view of the data
	 * for the data CLI's read-only commands while the bot runs.
	 */
	public static async open(directory: string, context: BackendOpenContext, { readOnly = false } = {}): Promise<FileBackend> {
		if (!readOnly) await mkdir(directory, { recursive: true, mode: PRIVATE_DIR_MODE });
		const lock = readOnly ? null : await DataDirLock.acquire(directory);
		const backend = new FileBackend(directory, lock);
		try {
			if (!readOnly) await finishInterruptedRestore(directory, context);
			else if (existsSync(join(directory, RESTORE_INTENT)))
				context.recordEvent(
					'warn',
					'A restore did not finish; this read-only view shows partly restored data, the bot finishes the restore when it opens the data'
				);
			const names = await readdir(directory).catch((error: NodeJS.ErrnoException) => {
				// A read-only view of a directory that does not exist yet: no data.
				if (readOnly && error.code === 'ENOENT') return [] as string[];
				throw error;
			});
			for (const name of names.filter((candidate) => candidate.includes(TEMP_MARKER) && !readOnly)) {
				// Leftovers of a write that crashed before its rename; the real file is intact.
				await rm(join(directory, name), { force: true });
				context.logger.info(`Removed an unfinished temporary file: ${name}`);
			}
			const namespaces = new Set(names.map((name) => DATA_FILE.exec(name)?.[1]).filter((name): name is string => Boolean(name)));
			for (const namespace of [...namespaces].sort()) {
				if (await backend.isOurs(namespace, names.includes(`${namespace}.journal`), context)) await backend.loadPartition(namespace, context);
			}
		} catch (error) {
			await lock?.release();
			throw error;
		}
		return backend;
	}

	public get readOnly(): boolean {
		return this.lock === null;
	}
}

/** The Keyv store over one file-adapter namespace (chosen by the `namespace` Keyv assigns). */
class FileStore extends EventEmitter implements KeyvStoreAdapter {
	public opts = { dialect: 'file' };
	public namespace?: string | undefined;

	public constructor(private readonly backend: FileBackend) {
		super();
	}

	private get partition(): FilePartition {
		return this.backend.partition(this.namespace ?? 'keyv');
	}

	public get<Value>(key: string): Promise<StoredData<Value> | undefined> {
		return settled(() => this.partition.get(key) as StoredData<Value> | undefined);
	}

	public getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
		return settled(() => {
			const { partition } = this;
			return keys.map((key) => partition.get(key) as StoredData<Value | undefined>);
		});
	}

	public async set(key: string, value: unknown): Promise<boolean> {
		await this.partition.set(key, value);
		return true;
	}

	public async delete(key: string): Promise<boolean> {
		return this.partition.delete(key);
	}

	public async deleteMany(keys: string[]): Promise<boolean> {
		const results = await Promise.all(keys.map((key) => this.partition.delete(key)));
		return results.every(Boolean);
	}

	public async clear(): Promise<void> {
		await this.partition.clear();
	}

	public async disconnect(): Promise<void> {
		await this.partition.flush();
	}
}
