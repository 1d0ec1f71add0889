import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';
import type { Guild } from 'discord.js';

/** The bot was added to a guild: take a baseline of its invites. */
@ApplyOptions<Listener.Options>({ event: Events.GuildCreate })
export class InviteTrackingGuildCreateListener extends Listener<typeof Events.GuildCreate> {
	public override async run(guild: Guild): Promise<void> {
		await this.container.invites.refresh(guild.id);
	}
}
