import { mkdir } from 'node:fs/promises';
import type { ILogger } from '@sapphire/framework';
import { redactUrl, type Config, type ConfigWithoutToken } from '../config.js';
import { openStorage, type BackendStorage, type Storage, type StorageLogger, type StorageOptions } from '../storage-adapters/index.js';
import { describeError } from './secrets.js';

/** The namespaces of the core features; they show in status and backups even while empty. */
export const CORE_NAMESPACES = [
	'invites',
	'join-history',
	'settings',
	'invite-config',
	'invite-snapshot',
	'invite-milestones',
	'giveaways',
	'giveaway-config',
	'giveaway-entries',
	'autorole-pending',
	'screening-holds',
	'welcome-cards',
	'welcome-messages'
] as const;

type StorageConfig = Config | ConfigWithoutToken;

/** A startup step failed in a way the operator can fix; its message is one line, fit to print as is. */
export class StartupError extends Error {
	public override readonly name = 'StartupError';
}

export function storageOptionsFrom(config: StorageConfig, namespaces: readonly string[] = CORE_NAMESPACES): StorageOptions {
	return {
		adapter: config.storageAdapter,
		dataDir: config.dataDir,
		sqlitePath: config.sqlitePath,
		redisUrl: config.redisUrl,
		redisPrefix: config.redisPrefix,
		backupDir: config.backupDir,
		backupKeep: config.backupKeep,
		namespaces: [...namespaces]
	};
}

/** Where the data lives, for log lines: a directory, a database file or a Redis URL without its password. */
export function storageLocation(config: StorageConfig): string {
	switch (config.storageAdapter) {
		case 'file':
			return config.dataDir;
		case 'sqlite':
			return config.sqlitePath;
		case 'redis':
			return redactUrl(config.redisUrl);
	}
}

/** Forwards the storage layer's reports to the bot's logger and remembers them, so status events are not logged twice. */
export class StorageLogAdapter implements StorageLogger {
	readonly #logger: ILogger;
	readonly #logged = new Set<string>();

	public constructor(logger: ILogger) {
		this.#logger = logger;
	}

	public info(message: string): void {
		this.#write('info', message);
	}

	public warn(message: string): void {
		this.#write('warn', message);
	}

	public error(message: string): void {
		this.#write('error', message);
	}

	public hasLogged(message: string): boolean {
		return this.#logged.has(message);
	}

	#write(level: 'info' | 'warn' | 'error', message: string): void {
		this.#logged.add(message);
		this.#logger[level](`Storage: ${message}`);
	}
}

/** The storage this process opened and has not closed yet: what a shutdown must flush. */
let openedStorage: Storage | null = null;

/**
 * Prepares the data directory and opens the configured backend, logging what operators look for.
 * Failures become a StartupError with one line naming the backend.
 */
export async function openBotStorage(
	config: StorageConfig,
	logger: ILogger,
	storageLogger = new StorageLogAdapter(logger),
	namespaces: readonly string[] = CORE_NAMESPACES
): Promise<BackendStorage> {
	try {
		// Private like everything the storage writes inside it (an existing folder keeps the mode its owner chose).
		await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
	} catch (error) {
		throw new StartupError(`Data directory ${config.dataDir} cannot be created: ${describeError(error)}`);
	}
	logger.info(`Data directory ready: ${config.dataDir}`);

	let storage: BackendStorage;
	try {
		storage = await openStorage(storageOptionsFrom(config, namespaces), storageLogger);
		openedStorage = storage;
	} catch (error) {
		throw new StartupError(`Storage could not be opened (${config.storageAdapter} at ${storageLocation(config)}): ${describeError(error)}`);
	}
	logger.info(`Storage adapter opened: ${storage.adapter} (${storageLocation(config)})`);
	return storage;
}

/** Shards start seconds apart and respawn minutes later: one startup backup stands for the whole fleet this long. */
export const STARTUP_BACKUP_LEASE_MS = 10 * 60_000;

/**
 * The startup backup and the record counts; problems here are logged, the bot keeps its data and starts.
 * `sharded`: one of several processes on one Redis, where only the shard holding the lease makes the backup.
 */
export async function reportStorageAtStartup(
	storage: Storage,
	logger: ILogger,
	storageLogger?: StorageLogAdapter,
	{ sharded = false } = {}
): Promise<void> {
	try {
		if (sharded && !(await storage.acquireLease('startup-backup', STARTUP_BACKUP_LEASE_MS))) {
			logger.info('Startup backup skipped: another shard made it');
		} else {
			const backup = await storage.backup('startup');
			logger.info(backup.unchanged ? `Startup backup skipped: nothing changed since backup ${backup.id}` : `Startup backup made: ${backup.id}`);
		}
	} catch (error) {
		logger.error(`Startup backup failed: ${describeError(error)}`);
	}

	try {
		const status = await storage.status();
		const counts = Object.entries(status.counts).map(([namespace, count]) => `${namespace}=${count}`);
		logger.info(`Records loaded: ${counts.length > 0 ? counts.join(', ') : 'none'}`);
		for (const event of status.events) {
			if (storageLogger?.hasLogged(event.message)) continue;
			// Recoveries are what an operator must notice: never below warn.
			logger[event.level === 'error' ? 'error' : 'warn'](`Storage: ${event.message}`);
		}
		if (!status.healthy) logger.warn(`Storage is unhealthy: ${status.problem ?? 'no reason given'}`);
	} catch (error) {
		logger.error(`Storage status unavailable: ${describeError(error)}`);
	}
}

/**
 * Closes the storage opened by openBotStorage; false when none is open. A storage still opening is not waited
 * for: it has acknowledged no write yet, and an open that never ends (an unreachable server) must not block exit.
 */
export async function closeBotStorage(): Promise<boolean> {
	const storage = openedStorage;
	openedStorage = null;
	if (!storage) return false;
	await storage.close();
	return true;
}
