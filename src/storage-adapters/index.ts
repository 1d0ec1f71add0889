import type { Backend, BackendOpenContext } from './backend.js';
import { BackupDirectory } from './backups.js';
import { FileBackend } from './file/file-backend.js';
import { RedisBackend } from './redis/redis-backend.js';
import { SqliteBackend } from './sqlite/sqlite-backend.js';
import { BackendStorage } from './storage.js';
import type { BackupInfo, StorageEvent, StorageLogger, StorageOptions } from './types.js';

export type * from './types.js';
export { BackendStorage } from './storage.js';
export { BackupError } from './backups.js';
export { describeRedisUrl } from './redis/redis-backend.js';
export { DataDirLockedError, LOCK_FILE, describeHolder, readLockHolder, type LockHolder } from './file/lock.js';

const silentLogger: StorageLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Opens the configured backend, repairs damaged data from the newest valid backup, and returns the Storage contract. */
export async function openStorage(options: StorageOptions, logger: StorageLogger = silentLogger): Promise<BackendStorage> {
	const backups = new BackupDirectory(options.backupDir, options.backupKeep);
	const events: StorageEvent[] = [];
	const context: BackendOpenContext = {
		logger,
		recordEvent: (level, message) => events.push({ at: new Date().toISOString(), level, message }),
		validBackups: async () => {
			const valid: BackupInfo[] = [];
			for (const backup of await backups.list()) {
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
	const backend = await openBackend(options, context);
	return new BackendStorage(backend, backups, logger, events, options.namespaces ?? [], options.readOnly === true && options.adapter === 'file');
}

function openBackend(options: StorageOptions, context: BackendOpenContext): Promise<Backend> {
	switch (options.adapter) {
		case 'file':
			return FileBackend.open(options.dataDir, context, { readOnly: options.readOnly === true });
		case 'sqlite':
			return SqliteBackend.open(options.sqlitePath, context);
		case 'redis':
			return RedisBackend.open(options.redisUrl, context);
	}
}
