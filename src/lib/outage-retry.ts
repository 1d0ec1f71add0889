import { setTimeout as sleep } from 'node:timers/promises';
import { isStorageOutage, type StorageLogger } from '../storage-adapters/index.js';

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 5000;

/**
 * Runs `work` again, with growing pauses, for as long as the storage is out (Redis unreachable). For what happens once
 * and cannot be asked for again (a join, a leave): it is stored when the storage is back instead of being lost.
 * Commands do not use it; they answer "storage unavailable" at once. Any other error is thrown at once.
 */
export async function retryThroughOutage<T>(what: string, work: () => Promise<T>, logger: StorageLogger, firstDelayMs = FIRST_DELAY_MS): Promise<T> {
	let waited = false;
	for (let delay = firstDelayMs; ; delay = Math.min(delay * 2, MAX_DELAY_MS)) {
		try {
			const result = await work();
			if (waited) logger.info(`${what}: stored now that the storage is back`);
			return result;
		} catch (error) {
			if (!isStorageOutage(error)) throw error;
			if (!waited) logger.warn(`${what}: waiting for the storage to come back (${(error as Error).message}); it is stored then`);
			waited = true;
			await sleep(delay);
		}
	}
}
