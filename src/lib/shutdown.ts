import { container, type ILogger, type SapphireClient } from '@sapphire/framework';
import { describeError } from './secrets.js';
import { closeBotStorage } from './storage.js';

/**
 * The services the bot starts (the health endpoint, scheduled backups, the replaced-data watch, invite tracking,
 * giveaway endings, delayed auto-roles), in the order they started. Shutdown stops them, newest first, before storage closes, so
 * no timer fires into a closed storage; a stop that returns a promise (invite tracking writes what it has queued) is
 * waited for. Each service registers where it is started (plugins/core, features.ts).
 */
export class RunningServices {
	private readonly services: Array<{ name: string; stop: () => void | Promise<void> }> = [];

	public add(name: string, stop: () => void | Promise<void>): void {
		this.services.push({ name, stop });
	}

	public async stopAll(logger?: ILogger): Promise<void> {
		for (const service of this.services.splice(0).reverse()) {
			try {
				await service.stop();
			} catch (error) {
				logger?.warn(`Stopping ${service.name} failed: ${describeError(error)}`);
			}
		}
	}
}

/**
 * The one shutdown order: stop the services (the health endpoint, started first, last), leave Discord, then flush and
 * close storage (every acknowledged write is on disk, or in Redis, afterwards).
 */
export async function stopBot(client: SapphireClient): Promise<void> {
	try {
		await container.services?.stopAll(container.logger);
		await client.destroy();
	} finally {
		await closeBotStorage();
	}
}

/** SIGINT/SIGTERM stop the bot cleanly (exit 0); a second signal exits at once (exit 1). */
export function installShutdownHandlers(client: SapphireClient, logger: ILogger): void {
	let stopping = false;
	const onSignal = (signal: NodeJS.Signals) => {
		if (stopping) {
			logger.warn(`${signal} received again: exiting without waiting for storage to close`);
			process.exit(1);
		}
		stopping = true;
		logger.info(`${signal} received: closing storage and shutting down`);
		stopBot(client).then(
			() => {
				logger.info('Shutdown complete');
				process.exit(0);
			},
			(error: unknown) => {
				logger.error(`Shutdown failed: ${describeError(error)}`);
				process.exit(1);
			}
		);
	};
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);
	// A shard of start:sharded whose manager died (even by SIGKILL) must not stay connected as an orphan.
	if (process.send !== undefined) process.once('disconnect', () => onSignal('SIGTERM'));
}
