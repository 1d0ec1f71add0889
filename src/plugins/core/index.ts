import { container, Plugin, preLogin, type SapphireClient } from '@sapphire/framework';
import '../../lib/container.js';
import { DiscordInviteSource } from '../../lib/invites/discord-source.js';
import { syncRankRoles } from '../../lib/invites/rank-roles.js';
import { InviteTracker } from '../../lib/invites/tracker.js';
import { openBotStorage, reportStorageAtStartup, StorageLogAdapter } from '../../lib/storage.js';

/** Opens storage before the pieces load and before login, so every piece can rely on container.storage. */
export class CorePlugin extends Plugin {
	public static override async [preLogin](this: SapphireClient): Promise<void> {
		const { config, logger } = container;
		const storageLogger = new StorageLogAdapter(logger);
		container.storage = await openBotStorage(config, logger, storageLogger);
		await reportStorageAtStartup(container.storage, logger, storageLogger);
		container.invites = await InviteTracker.load(container.storage, new DiscordInviteSource(this), logger);
		container.invites.onTotalChanged = (guildId, inviterId, total, config) => {
			syncRankRoles(this, guildId, inviterId, total, config).catch((error: Error) => logger.warn(`Rank roles of ${inviterId} in guild ${guildId} not updated: ${error.message}`));
		};
	}
}
