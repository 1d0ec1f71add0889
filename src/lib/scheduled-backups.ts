import type { ILogger } from '@sapphire/framework';
import { StorageClosedError, type Storage } from '../storage-adapters/index.js';
import { describeError } from './secrets.js';

/**
 * BACKUP_INTERVAL: a backup every interval. With several shards on one Redis each shard ticks, and the one that takes
 * the lease backs up; the lease runs out a little before the next tick, so the fleet makes one backup per interval
 * and another shard takes over when the last holder is gone.
 */
export class BackupSchedule {
	#timer: NodeJS.Timeout | null = null;
	#running = false;

	public constructor(
		private readonly storage: Storage,
		private readonly intervalMs: number,
		private readonly logger: ILogger,
		private readonly options: { sharded: boolean }
	) {}

	public start(): void {
		if (this.#timer) return;
		// unref: a pending backup tick never keeps a stopping bot alive.
		this.#timer = setInterval(() => void this.tick(), this.intervalMs).unref();
	}

	public stop(): void {
		if (this.#timer) clearInterval(this.#timer);
		this.#timer = null;
	}

	/** One scheduled backup, unless another shard holds this interval's lease; resolves to the backup id or null. */
	public async tick(): Promise<string | null> {
		if (this.#running) return null;
		this.#running = true;
		try {
			if (this.options.sharded && !(await this.storage.acquireLease('scheduled-backup', this.intervalMs * 0.9))) return null;
			const backup = await this.storage.backup('scheduled');
			this.logger.info(`Scheduled backup made: ${backup.id}`);
			return backup.id;
		} catch (error) {
			// Closed: the bot is stopping, and its last state was flushed by the close.
			if (!(error instanceof StorageClosedError)) this.logger.error(`Scheduled backup failed: ${describeError(error)}`);
			return null;
		} finally {
			this.#running = false;
		}
	}
}
