import cliProgress from 'cli-progress';
import { ConfigError, loadConfig, type ConfigWithoutToken } from '../config.js';
import { loadDotEnv } from '../lib/env-file.js';
import { describeError } from '../lib/secrets.js';
import { storageLocation, storageOptionsFrom } from '../lib/storage.js';
import {
	DataDirLockedError,
	describeHolder,
	openStorage,
	readLockHolder,
	type BackendStorage,
	type StorageLogger,
	type StorageOptions
} from '../storage-adapters/index.js';

/** Exit codes scripts can rely on (documented in README.md, "Data CLI"). */
export const EXIT = {
	ok: 0,
	/** Anything unexpected; the message says what. */
	failure: 1,
	/** Wrong usage or configuration, or a target that is not empty: nothing was changed. */
	usage: 2,
	/** A check failed: a damaged backup (verify) or a copy that differs from its source (migrate, import). */
	verifyFailed: 3,
	/** The backup id or file named does not exist. */
	notFound: 4,
	/** A running bot holds the file adapter's DATA_DIR; stop it first. */
	locked: 5,
	/** The storage cannot be opened (e.g. Redis unreachable). */
	unavailable: 6
} as const;

export class CliError extends Error {
	public constructor(
		public readonly exitCode: number,
		message: string
	) {
		super(message);
	}
}

export interface CliOptions {
	quiet?: boolean;
}

/** Messages for people go to stderr; stdout carries only results (ids, JSON), so scripts can capture it. */
export function note(message: string): void {
	process.stderr.write(`${message}\n`);
}

export function readCliConfig(): ConfigWithoutToken {
	try {
		loadDotEnv(process.cwd());
		return loadConfig(process.env, process.cwd(), { requireToken: false });
	} catch (error) {
		throw new CliError(EXIT.usage, error instanceof ConfigError ? error.message : `Invalid configuration: ${describeError(error)}`);
	}
}

const cliLogger: StorageLogger = {
	info: (message) => note(`storage: ${message}`),
	warn: (message) => note(`storage warning: ${message}`),
	error: (message) => note(`storage error: ${message}`)
};

export interface OpenedStorage {
	storage: BackendStorage;
	/** Set when a running bot holds the data directory and this is a read-only view. */
	sharedWith: string | null;
}

/**
 * Opens the configured storage. Read-only commands get a read-only view that writes nothing (no lock, no repair, no
 * file created), noting a running bot; on the file adapter a running bot holds DATA_DIR and commands that write are
 * refused (exit 5) naming the process.
 */
export async function openCliStorage(
	config: ConfigWithoutToken,
	{ write }: { write: boolean },
	overrides: Partial<StorageOptions> = {}
): Promise<OpenedStorage> {
	const options = { ...storageOptionsFrom(config), ...overrides };
	try {
		if (!write) {
			const holder = options.adapter === 'file' ? await readLockHolder(options.dataDir) : null;
			const storage = await openStorage({ ...options, readOnly: true }, cliLogger);
			if (holder) note(`Note: ${describeHolder(holder)} is running on ${options.dataDir}; this is a read-only view of what it has written.`);
			return { storage, sharedWith: holder ? describeHolder(holder) : null };
		}
		return { storage: await openStorage(options, cliLogger), sharedWith: null };
	} catch (error) {
		if (error instanceof DataDirLockedError) {
			throw new CliError(
				EXIT.locked,
				`${error.directory} is in use by ${describeHolder(error.holder)}. Stop the bot first, or use /backup-data and /restore-data in Discord.`
			);
		}
		throw new CliError(
			EXIT.unavailable,
			`Storage could not be opened (${options.adapter} at ${storageLocation({ ...config, storageAdapter: options.adapter, dataDir: options.dataDir, sqlitePath: options.sqlitePath, redisUrl: options.redisUrl })}): ${describeError(error)}`
		);
	}
}

/** Runs `work` with the storage open and always closes it (flushing every write). */
export async function withStorage<T>(config: ConfigWithoutToken, mode: { write: boolean }, work: (opened: OpenedStorage) => Promise<T>): Promise<T> {
	const opened = await openCliStorage(config, mode);
	try {
		return await work(opened);
	} finally {
		await opened.storage.close();
	}
}

export interface Progress {
	increment(by?: number): void;
	update(value: number): void;
	stop(): void;
}

const silent: Progress = { increment: () => undefined, update: () => undefined, stop: () => undefined };

/** A progress bar on stderr when it is a terminal; nothing otherwise (scripts, CI, --quiet). */
export function progress(options: CliOptions, label: string, total: number): Progress {
	if (options.quiet || !process.stderr.isTTY || total <= 0) return silent;
	const bar = new cliProgress.SingleBar(
		{
			format: `${label.padEnd(22)} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left`,
			stream: process.stderr,
			hideCursor: true,
			clearOnComplete: false
		},
		cliProgress.Presets.shades_classic
	);
	bar.start(total, 0);
	return { increment: (by = 1) => bar.increment(by), update: (value) => bar.update(value), stop: () => bar.stop() };
}

export function sum(counts: Record<string, number>): number {
	return Object.values(counts).reduce((total, count) => total + count, 0);
}
