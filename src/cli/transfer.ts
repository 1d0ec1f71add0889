import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { STORAGE_ADAPTERS, redactUrl, type ConfigWithoutToken } from '../config.js';
import { CORE_NAMESPACES, storageOptionsFrom } from '../lib/storage.js';
import type { AdapterName, BackendStorage, StorageOptions, StoredEntry } from '../storage-adapters/index.js';
import { CliError, EXIT, note, openCliStorage, progress, sum, withStorage, type CliOptions } from './context.js';

/** migrate, export and import: moving every namespace's entries (values and expiry times) between backends and hosts. */

type Entries = Array<[string, StoredEntry]>;

export const EXPORT_FORMAT = 'supreme-bot-data';
export const EXPORT_VERSION = 1;

export interface ExportFile {
	format: typeof EXPORT_FORMAT;
	version: typeof EXPORT_VERSION;
	exportedAt: string;
	adapter: AdapterName;
	namespaces: Record<string, Array<{ key: string; value: unknown; expires?: number }>>;
}

function byKey(entries: Entries): Entries {
	return [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function sameEntry(a: StoredEntry, b: StoredEntry): boolean {
	return JSON.stringify(a.value) === JSON.stringify(b.value) && (a.expires ?? null) === (b.expires ?? null);
}

/** Compares two namespaces key by key; returns the first difference, or null when they are identical. */
function firstDifference(namespace: string, expected: Entries, actual: Entries): string | null {
	if (expected.length !== actual.length) return `${namespace}: ${expected.length} records in the source, ${actual.length} in the copy`;
	const copy = new Map(actual);
	for (const [key, entry] of expected) {
		const copied = copy.get(key);
		if (!copied) return `${namespace}/${key} is missing from the copy`;
		if (!sameEntry(entry, copied)) return `${namespace}/${key} differs in the copy`;
	}
	return null;
}

/** Writes every namespace into `target` and reads it back to compare with what was written. */
export async function copyInto(target: BackendStorage, data: Map<string, Entries>, options: CliOptions, verb: string): Promise<void> {
	const bar = progress(
		options,
		verb,
		[...data.values()].reduce((total, entries) => total + entries.length, 0)
	);
	let done = 0;
	for (const [namespace, entries] of data) {
		const base = done;
		await target.importEntries(namespace, entries, (written) => bar.update(base + written));
		done += entries.length;
	}
	bar.stop();
	const check = progress(options, 'Verifying the copy', data.size);
	for (const [namespace, entries] of data) {
		const difference = firstDifference(namespace, byKey(entries), byKey(await target.exportEntries(namespace)));
		check.increment();
		if (difference) {
			check.stop();
			throw new CliError(EXIT.verifyFailed, `The copy does not match: ${difference}`);
		}
	}
	check.stop();
}

export async function readAll(storage: BackendStorage, options: CliOptions): Promise<Map<string, Entries>> {
	const namespaces = await storage.namespaces();
	const bar = progress(options, 'Reading', namespaces.length);
	const data = new Map<string, Entries>();
	for (const namespace of namespaces) {
		data.set(namespace, await storage.exportEntries(namespace));
		bar.increment();
	}
	bar.stop();
	return data;
}

async function assertEmpty(storage: BackendStorage, where: string, hint: string): Promise<void> {
	const { counts } = await storage.status();
	if (sum(counts) > 0) throw new CliError(EXIT.usage, `${where} already holds ${sum(counts)} records; nothing was copied. ${hint}`);
}

export interface MigrateOptions extends CliOptions {
	to: string;
	toPath?: string;
	toUrl?: string;
	toDir?: string;
}

/** The target's location: the --to-* option, else the configured one, never the source itself. */
function targetOptions(config: ConfigWithoutToken, options: MigrateOptions): { storage: StorageOptions; settings: string[] } {
	const adapter = options.to as AdapterName;
	if (!STORAGE_ADAPTERS.includes(adapter)) throw new CliError(EXIT.usage, `--to must be one of ${STORAGE_ADAPTERS.join(', ')}`);
	const source = storageOptionsFrom(config);
	const storage: StorageOptions = {
		...source,
		adapter,
		dataDir: options.toDir ? resolve(options.toDir) : source.dataDir,
		sqlitePath: options.toPath ? resolve(options.toPath) : source.sqlitePath,
		redisUrl: options.toUrl ?? source.redisUrl
	};
	const same =
		adapter === source.adapter &&
		((adapter === 'file' && storage.dataDir === source.dataDir) ||
			(adapter === 'sqlite' && storage.sqlitePath === source.sqlitePath) ||
			(adapter === 'redis' && storage.redisUrl === source.redisUrl));
	if (same)
		throw new CliError(
			EXIT.usage,
			`The target is the configured ${adapter} storage itself; name another with ${adapter === 'file' ? '--to-dir' : adapter === 'sqlite' ? '--to-path' : '--to-url'}`
		);
	const settings = [`STORAGE_ADAPTER=${adapter}`];
	if (adapter === 'file') settings.push(`DATA_DIR=${storage.dataDir}`);
	if (adapter === 'sqlite') settings.push(`SQLITE_PATH=${storage.sqlitePath}`);
	if (adapter === 'redis') settings.push(`REDIS_URL=${redactUrl(storage.redisUrl)}`);
	return { storage, settings };
}

export async function migrateCommand(config: ConfigWithoutToken, options: MigrateOptions): Promise<number> {
	const target = targetOptions(config, options);
	// Writing mode for the source too: it takes the file adapter's lock, so the bot cannot start and write mid-copy.
	return withStorage(config, { write: true }, async ({ storage: source }) => {
		const data = await readAll(source, options);
		const { storage: destination } = await openCliStorage(
			config,
			{ write: true },
			{ ...target.storage, namespaces: [...new Set([...CORE_NAMESPACES, ...data.keys()])] }
		);
		try {
			await assertEmpty(destination, `The ${target.storage.adapter} target`, 'Migrate into an empty one.');
			await copyInto(destination, data, options, `Copying to ${target.storage.adapter}`);
		} finally {
			await destination.close();
		}
		const total = [...data.values()].reduce((count, entries) => count + entries.length, 0);
		note(
			`Copied and verified ${total} records in ${data.size} namespaces from ${config.storageAdapter} to ${target.storage.adapter}. The source was not changed.`
		);
		note('To switch the bot to the copy, stop it and set:');
		process.stdout.write(`${target.settings.join('\n')}\n`);
		return EXIT.ok;
	});
}

export async function exportCommand(config: ConfigWithoutToken, options: CliOptions & { format: string; out?: string }): Promise<number> {
	if (options.format !== 'json') throw new CliError(EXIT.usage, '--format must be json');
	return withStorage(config, { write: false }, async ({ storage }) => {
		const { file, data } = await buildExport(storage, options);
		const text = `${JSON.stringify(file)}\n`;
		if (options.out) {
			// The dump holds member ids and settings: readable by its owner only, like the data itself.
			await writeFile(options.out, text, { mode: 0o600 });
			note(
				`Exported ${sum(Object.fromEntries([...data].map(([namespace, entries]) => [namespace, entries.length])))} records in ${data.size} namespaces to ${options.out}`
			);
		} else {
			process.stdout.write(text);
		}
		return EXIT.ok;
	});
}

/** The portable dump of every namespace: the data CLI's `export`, and the dashboard's download for the owners. */
export async function buildExport(
	storage: BackendStorage,
	options: CliOptions = { quiet: true }
): Promise<{ file: ExportFile; data: Map<string, Entries> }> {
	const data = await readAll(storage, options);
	const file: ExportFile = {
		format: EXPORT_FORMAT,
		version: EXPORT_VERSION,
		exportedAt: new Date().toISOString(),
		adapter: storage.adapter,
		namespaces: {}
	};
	for (const [namespace, entries] of data) {
		file.namespaces[namespace] = byKey(entries).map(([key, entry]) =>
			typeof entry.expires === 'number' ? { key, value: entry.value, expires: entry.expires } : { key, value: entry.value }
		);
	}
	return { file, data };
}

async function readExport(path: string): Promise<Map<string, Entries>> {
	let parsed: ExportFile;
	try {
		parsed = JSON.parse(await readFile(path, 'utf8')) as ExportFile;
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new CliError(EXIT.notFound, `${path} does not exist`);
		throw new CliError(EXIT.usage, `${path} is not a JSON export (${(error as Error).message})`);
	}
	if (
		parsed?.format !== EXPORT_FORMAT ||
		parsed.version !== EXPORT_VERSION ||
		typeof parsed.namespaces !== 'object' ||
		parsed.namespaces === null
	) {
		throw new CliError(EXIT.usage, `${path} is not a ${EXPORT_FORMAT} export of version ${EXPORT_VERSION}`);
	}
	const data = new Map<string, Entries>();
	for (const [namespace, rows] of Object.entries(parsed.namespaces)) {
		if (!Array.isArray(rows) || rows.some((row) => typeof row?.key !== 'string' || !('value' in row)))
			throw new CliError(EXIT.usage, `${path}: namespace ${namespace} is not a list of { key, value } records`);
		// Entries that expired since the export are left out: the storage would not return them anyway.
		const now = Date.now();
		data.set(
			namespace,
			rows
				.filter((row) => typeof row.expires !== 'number' || row.expires > now)
				.map((row) => [row.key, typeof row.expires === 'number' ? { value: row.value, expires: row.expires } : { value: row.value }])
		);
	}
	return data;
}

export async function importCommand(config: ConfigWithoutToken, path: string, options: CliOptions & { replace?: boolean }): Promise<number> {
	const data = await readExport(path);
	return withStorage(config, { write: true }, async ({ storage }) => {
		for (const namespace of data.keys()) storage.declare(namespace);
		if (options.replace) {
			const backup = await storage.backup('before-import');
			note(`Backed up the current data first: ${backup.id}`);
			for (const namespace of await storage.namespaces()) await storage.clearNamespace(namespace);
		} else {
			await assertEmpty(storage, `The configured ${storage.adapter} storage`, 'Add --replace to replace it (a backup is made first).');
		}
		await copyInto(storage, data, options, 'Importing');
		note(`Imported and verified ${[...data.values()].reduce((count, entries) => count + entries.length, 0)} records in ${data.size} namespaces.`);
		return EXIT.ok;
	});
}
