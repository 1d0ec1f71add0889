import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';

/**
 * A shard that could not resume starts a new session (READY again): Discord does not replay what happened while it
 * was gone, so its guilds take a new baseline, reconciling the joins and leaves missed. The first READY is the
 * ready listener's.
 */
@ApplyOptions<Listener.Options>({ event: Events.ShardReady })
export class InviteTrackingShardReadyListener extends Listener<typeof Events.ShardReady> {
	public override async run(shardId: number): Promise<void> {
		const { client, invites, logger } = this.container;
		if (!client.isReady()) return;
		const guildIds = client.guilds.cache.filter((guild) => guild.shardId === shardId).map((guild) => guild.id);
		logger.info(`Shard ${shardId} started a new session: new invite baselines for ${guildIds.length} guilds`);
		for (const guildId of guildIds)
			await invites.refresh(guildId).catch((error: Error) => logger.warn(`Invite baseline of guild ${guildId} failed: ${error.message}`));
	}
}
