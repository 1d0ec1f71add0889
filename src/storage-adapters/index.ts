import type { Backend, BackendOpenContext } from './backend.js';
import { BackupDirectory, holdsOurData } from './backups.js';
import { FileBackend } from './file/file-backend.js';
import { RedisBackend } from './redis/redis-backend.js';
import { SqliteBackend } from './sqlite/sqlite-backend.js';
import { BackendStorage, recordStorageEvent } from './storage.js';
import type { BackupInfo, StorageEvent, StorageLogger, StorageOptions } from './types.js';

export type * from './types.js';
export { BackendStorage, StorageClosedError } from './storage.js';
export { BackupError, LEGACY_IMPORT_REASON, holdsOurData } from './backups.js';
export { describeRedisUrl } from './redis/redis-backend.js';
export { DataDirLockedError, LOCK_FILE, describeHolder, readLockHolder, type LockHolder } from './file/lock.js';

/** Errors of a backend that cannot be reached (the Redis client while disconnected, a failing disk): an outage, not a bug. */
const OUTAGE_ERRORS = new Set([
	'ClientOfflineError',
	'ClientClosedError',
	'ConnectionTimeoutError',
	'SocketClosedUnexpectedlyError',
	'ReconnectStrategyError',
	// A local disk that refuses writes until it recovers (full, read-only, I/O errors): unavailable, not a bug.
	'StorageFailingError'
]);

/** True when `error` (or its cause) says the storage backend is unreachable right now. */
export function isStorageOutage(error: unknown): boolean {
	for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
		if (OUTAGE_ERRORS.has(current.name) || OUTAGE_ERRORS.has(current.constructor.name)) return true;
		if (/^Redis at .* is not connected$/.test(current.message)) return true;
	}
	return false;
}

/** An unsealed backup folder on shared storage this old is no other process's backup under way. */
const UNSEALED_GRACE_MS = 60 * 60_000;

const silentLogger: StorageLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Opens the configured backend, repairs damaged data from the newest valid backup, and returns the Storage contract. */
export async function openStorage(options: StorageOptions, logger: StorageLogger = silentLogger): Promise<BackendStorage> {
	const backups = new BackupDirectory(options.backupDir, options.backupKeep);
	const events: StorageEvent[] = [];
	const context: BackendOpenContext = {
		logger,
		recordEvent: (level, message) => recordStorageEvent(events, level, message),
		validBackups: async () => {
			const valid: BackupInfo[] = [];
			for (const backup of await backups.list()) {
				if (!holdsOurData(backup)) continue;
				try {
					await backups.verify(backup);
					valid.push(backup);
				} catch (error) {
					logger.warn(`Skipping backup ${backup.id} for recovery: ${(error as Error).message}`);
				}
			}
			return valid;
		}
	};
	const backend = await openBackend(options, context, backups);
	// The file adapter's directory is this process's alone (its lock is held); shared backends leave a fresh folder be.
	if (!options.readOnly)
		await backups.removeUnsealed((message) => logger.warn(message), { olderThanMs: options.adapter === 'file' ? 0 : UNSEALED_GRACE_MS });
	return new BackendStorage(backend, backups, logger, events, options.namespaces ?? [], options.readOnly === true);
}

async function openBackend(options: StorageOptions, context: BackendOpenContext, backups: BackupDirectory): Promise<Backend> {
	switch (options.adapter) {
		case 'file':
			return FileBackend.open(options.dataDir, context, { readOnly: options.readOnly === true });
		case 'sqlite':
			return SqliteBackend.open(options.sqlitePath, context, { readOnly: options.readOnly === true });
		case 'redis': {
			const backend = await RedisBackend.open(options.redisUrl, context, options.redisPrefix, { readOnly: options.readOnly === true });
			try {
				await backend.adoptUnprefixedKeys(options.namespaces ?? [], backups, context, { readOnly: options.readOnly === true });
				if (options.readOnly !== true) await backend.buildGroupIndexes(context);
			} catch (error) {
				await backend.close();
				throw error;
			}
			return backend;
		}
	}
}
