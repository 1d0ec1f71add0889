import type { Storage, StorageLogger, StorageOptions } from './types.js';

export type * from './types.js';

/** Opens the configured backend, recovers damaged data from backups and returns the Storage contract. */
export async function openStorage(_options: StorageOptions, _logger?: StorageLogger): Promise<Storage> {
	throw new Error('not implemented yet');
}
