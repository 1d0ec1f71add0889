import type { ILogger } from '@sapphire/framework';
import { isStorageOutage, StorageClosedError, type Storage } from '../../storage-adapters/index.js';
import { describeError } from '../secrets.js';
import { reloadFeatureData } from './reload.js';

/** How often a process asks whether another one replaced the shared data. */
const CHECK_INTERVAL_MS = 10_000;

/**
 * On storage several processes share (sqlite, redis), another shard's /restore-data or the data CLI's restore and
 * import replace the data under this process's in-memory state (invite counts, timers): the features are reloaded as
 * /restore-data reloads them in its own process.
 */
export class DataReplacedWatch {
	#timer: NodeJS.Timeout | null = null;
	#checking = false;

	public constructor(
		private readonly storage: Storage,
		private readonly logger: ILogger
	) {}

	/** Takes note of the current data before the features load it, then checks every CHECK_INTERVAL_MS. */
	public async start(): Promise<void> {
		await this.storage.dataReplacedElsewhere();
		// unref: a pending check never keeps a stopping bot alive.
		this.#timer ??= setInterval(() => void this.check(), CHECK_INTERVAL_MS).unref();
	}

	public stop(): void {
		if (this.#timer) clearInterval(this.#timer);
		this.#timer = null;
	}

	public async check(): Promise<void> {
		if (this.#checking) return;
		this.#checking = true;
		try {
			if (!(await this.storage.dataReplacedElsewhere())) return;
			this.logger.warn('The stored data was replaced by another process (a restore or an import); reloading it');
			for (const result of await reloadFeatureData()) {
				if (result.error) this.logger.error(`Reloading ${result.feature} after the data was replaced failed: ${result.error}`);
			}
		} catch (error) {
			// An outage is logged by the storage itself, and the next check asks again; closed means the bot is stopping.
			if (!isStorageOutage(error) && !(error instanceof StorageClosedError))
				this.logger.warn(`Could not check whether the stored data was replaced: ${describeError(error)}`);
		} finally {
			this.#checking = false;
		}
	}
}
