import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';
import { inviteUrl } from '../../lib/discord-access.js';

/** Logged once the gateway is ready and the slash commands are registered: the bot answers from here on. */
@ApplyOptions<Listener.Options>({ event: Events.ApplicationCommandRegistriesRegistered, once: true })
export class ReadyListener extends Listener<typeof Events.ApplicationCommandRegistriesRegistered> {
	public override run(): void {
		const { client, logger } = this.container;
		const guilds = client.guilds.cache.size;
		// Under start:sharded each shard process prints its own ready line, naming its shard.
		const shard = client.shard ? ` (shard ${client.shard.ids.join(',')} of ${client.shard.count})` : '';
		logger.info(
			`Supreme Bot ready: logged in as ${client.user?.tag ?? 'unknown user'} in ${guilds} ${guilds === 1 ? 'guild' : 'guilds'}${shard}`
		);
		// A new bot is in no server yet: the one link that adds it with the permissions it needs.
		if (guilds === 0 && client.application) logger.info(`Invite the bot to a server: ${inviteUrl(client.application.id)}`);
	}
}
