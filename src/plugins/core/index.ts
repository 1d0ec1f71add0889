import { container, Plugin, preLogin, type SapphireClient } from '@sapphire/framework';
import { Status } from 'discord.js';
import '../../lib/container.js';
import { HealthServer } from '../../lib/data/health.js';
import { DataReplacedWatch } from '../../lib/data/replaced-watch.js';
import { startFeatures } from '../../lib/features.js';
import { LegacyImportAtStart } from '../../lib/legacy/startup.js';
import { BackupSchedule } from '../../lib/scheduled-backups.js';
import { describeError } from '../../lib/secrets.js';
import { RunningServices } from '../../lib/shutdown.js';
import { openBotStorage, reportStorageAtStartup, StartupError, StorageLogAdapter } from '../../lib/storage.js';
import { declareNamespaces, pluginRegistry } from '../registry.js';

/** Opens storage before the pieces load and before login, so every piece can rely on container.storage. */
export class CorePlugin extends Plugin {
	public static override async [preLogin](this: SapphireClient): Promise<void> {
		const { config, logger } = container;
		// Everything started from here on registers its stop, so shutdown (or a failed start) stops it, newest first.
		container.services = new RunningServices();
		// First, so a container host sees 503 (not a refused connection) while the bot is still starting.
		if (config.healthPort !== null) {
			// Under `npm run start:sharded` every shard is its own process: shard N listens on HEALTH_PORT + N.
			const healthPort = config.healthPort + (Number(process.env.SHARDS) || 0);
			const health = new HealthServer(
				{
					// Per shard: the manager's own status stays Ready after the first login, even while shards reconnect.
					gatewayConnected: () => this.ws.shards.size > 0 && this.ws.shards.every((shard) => shard.status === Status.Ready),
					guilds: () => this.guilds.cache.size,
					storage: () => container.storage
				},
				{ port: healthPort, host: config.healthHost, token: config.healthToken }
			);
			await health.start().catch((error: unknown) => {
				throw new StartupError(
					`Health endpoint cannot listen on ${config.healthHost} port ${healthPort} (HEALTH_HOST, HEALTH_PORT): ${describeError(error)}`
				);
			});
			container.services.add('the health endpoint', () => health.stop());
			logger.info(
				`Health endpoint listening on ${config.healthHost} port ${healthPort} (/healthz, /status${config.healthToken === null ? '' : '; bearer token required'})`
			);
		}
		const storageLogger = new StorageLogAdapter(logger);
		// Supreme-BOT2's files in DATA_DIR are backed up and moved aside before storage opens, converted once it is open.
		// Under start:sharded only shard 0 does it, so two processes never move the same files.
		const legacy = (Number(process.env.SHARDS) || 0) === 0 ? await LegacyImportAtStart.prepare(config, logger) : null;
		// The plugins' namespaces too: opening moves their keys of an earlier version under REDIS_PREFIX with the core's.
		const storage = await openBotStorage(config, logger, storageLogger, pluginRegistry.namespaces());
		container.storage = storage;
		await legacy?.apply(storage);
		// The core's and the plugins' namespaces, before the startup backup: listed and backed up even while empty.
		declareNamespaces(container.storage);
		// Under `npm run start:sharded` each shard is a process of its own (client.shard is set): fleet-wide jobs take a lease.
		const sharded = this.shard !== null;
		await reportStorageAtStartup(container.storage, logger, storageLogger, { sharded });
		if (config.backupIntervalMs !== null) {
			const schedule = new BackupSchedule(container.storage, config.backupIntervalMs, logger, { sharded });
			schedule.start();
			container.services.add('scheduled backups', () => schedule.stop());
		}
		// Before the features load the data, so a restore or import by another shard or the data CLI is never missed.
		const watch = new DataReplacedWatch(container.storage, logger);
		await watch.start();
		container.services.add('the replaced-data watch', () => watch.stop());
		await startFeatures(this);
	}
}
