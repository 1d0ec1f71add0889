import type { ILogger, SapphireClient } from '@sapphire/framework';
import { stopHealthServer } from './data/health.js';
import { describeError } from './secrets.js';
import { closeBotStorage } from './storage.js';

/** Leaves Discord, then flushes and closes storage: every acknowledged write is on disk (or in Redis) afterwards. */
export async function stopBot(client: SapphireClient): Promise<void> {
	try {
		await client.destroy();
	} finally {
		await stopHealthServer();
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
