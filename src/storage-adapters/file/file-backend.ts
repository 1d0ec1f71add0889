import { EventEmitter } from 'node:events';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultDeserialize } from '@keyv/serialize';
import type { KeyvStoreAdapter, StoredData } from 'keyv';
import { ENTRY_BATCH, assertNamespaceName, isExpired, type Backend, type BackendOpenContext, type RawEntry } from '../backend.js';
import { PRIVATE_DIR_MODE, TEMP_MARKER, fsyncDirectory, writeFileAtomic } from '../durable-fs.js';
import type { BackupInfo, StoredEntry } from '../types.js';
import { DataDirLock } from './lock.js';
import { FilePartition, PartitionDamage } from './partition.js';
import { parseSnapshot, snapshotChunks } from './snapshot.js';

const DATA_FILE = /^([A-Za-z0-9_-]{1,64})\.(json|journal)$/;

/** Our Keyv instances hand the store entry objects; a Keyv with its default serializer hands it JSON strings. */
function decode(raw: unknown): StoredEntry {
	return (typeof raw === 'string' ? defaultDeserialize(raw) : raw) as StoredEntry;
}

/** The file adapter: one snapshot + journal pair per namespace in DATA_DIR, all data held in memory. */
export class FileBackend implements Backend {
	public readonly adapter = 'file' as const;
	public readonly keyvSerializes = false;
	private readonly partitions = new Map<string, FilePartition>();

	private constructor(
		public readonly directory: string,
		private readonly lock: DataDirLock | null
	) {}

	/**
	 * Opens DATA_DIR holding its lock (see lock.ts). `readOnly` takes no lock and repairs nothing: a view of the data
	 * for the data CLI's read-only commands while the bot runs.
	 */
	public static async open(directory: string, context: BackendOpenContext, { readOnly = false } = {}): Promise<FileBackend> {
		await mkdir(directory, { recursive: true, mode: PRIVATE_DIR_MODE });
		const lock = readOnly ? null : await DataDirLock.acquire(directory);
		const backend = new FileBackend(directory, lock);
		try {
			const names = await readdir(directory);
			for (const name of names.filter((candidate) => candidate.includes(TEMP_MARKER) && !readOnly)) {
				// Leftovers of a write that crashed before its rename; the real file is intact.
				await rm(join(directory, name), { force: true });
				context.logger.info(`Removed an unfinished temporary file: ${name}`);
			}
			const namespaces = new Set(names.map((name) => DATA_FILE.exec(name)?.[1]).filter((name): name is string => Boolean(name)));
			for (const namespace of [...namespaces].sort()) await backend.loadPartition(namespace, context);
		} catch (error) {
			await lock?.release();
			throw error;
		}
		return backend;
	}

	public get readOnly(): boolean {
		return this.lock === null;
	}

	public partition(namespace: string): FilePartition {
		let partition = this.partitions.get(namespace);
		if (!partition) {
			assertNamespaceName(namespace);
			// Every namespace with files was loaded at open, so one created here starts empty.
			partition = new FilePartition(this.directory, namespace, this.readOnly);
			this.partitions.set(namespace, partition);
		}
		return partition;
	}

	public createStore(): KeyvStoreAdapter {
		return new FileStore(this);
	}

	public async read(namespace: string, key: string): Promise<RawEntry | undefined> {
		const text = this.partition(namespace).text(key);
		return text === undefined ? undefined : { raw: text, entry: decode(JSON.parse(text)) };
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

	public async namespaces(): Promise<string[]> {
		return [...this.partitions.keys()].sort();
	}

	public async counts(): Promise<Record<string, number>> {
		return Object.fromEntries([...this.partitions].map(([namespace, partition]) => [namespace, partition.size]));
	}

	public async sizeBytes(): Promise<number> {
		let total = 0;
		for (const partition of this.partitions.values()) total += partition.diskBytes;
		return total;
	}

	public async ping(): Promise<void> {
		// Nothing to reach: the data is in memory and the directory was opened.
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

	public async restoreBackup(backup: BackupInfo): Promise<void> {
		const restored = new Set<string>();
		for (const name of Object.keys(backup.files)) {
			const namespace = name.slice(0, -'.json'.length);
			await this.partition(namespace).replaceWith(await readFile(join(backup.path, name)));
			restored.add(namespace);
		}
		// The backup is the whole state: namespaces it does not hold were empty when it was made.
		for (const [namespace, partition] of this.partitions) {
			if (!restored.has(namespace) && partition.size > 0) await partition.replaceWith(Buffer.from('{}\n'));
		}
	}

	public async close(): Promise<void> {
		try {
			for (const partition of this.partitions.values()) await partition.close();
		} finally {
			await this.lock?.release();
		}
	}

	private async loadPartition(namespace: string, context: BackendOpenContext): Promise<void> {
		const partition = new FilePartition(this.directory, namespace, this.readOnly);
		this.partitions.set(namespace, partition);
		try {
			await partition.load();
			return;
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
		context.recordEvent('warn', `${damage.path} is damaged (${damage.message}); this read-only view shows its readable part, the bot repairs it when it opens the data`);
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

	public async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
		return this.partition.get(key) as StoredData<Value> | undefined;
	}

	public async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
		const partition = this.partition;
		return keys.map((key) => partition.get(key) as StoredData<Value | undefined>);
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
