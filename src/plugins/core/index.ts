import { container, Plugin, preLogin, type SapphireClient } from '@sapphire/framework';
import '../../lib/container.js';
import { startFeatures } from '../../lib/features.js';
import { openBotStorage, reportStorageAtStartup, StorageLogAdapter } from '../../lib/storage.js';

/** Opens storage before the pieces load and before login, so every piece can rely on container.storage. */
export class CorePlugin extends Plugin {
	public static override async [preLogin](this: SapphireClient): Promise<void> {
		const { config, logger } = container;
		const storageLogger = new StorageLogAdapter(logger);
		container.storage = await openBotStorage(config, logger, storageLogger);
		await reportStorageAtStartup(container.storage, logger, storageLogger);
		await startFeatures(this);
	}
}
