import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';
import type { GuildMember, PartialGuildMember } from 'discord.js';
import { TrackingStoppedError } from '../../lib/invites/stream.js';

@ApplyOptions<Listener.Options>({ event: Events.GuildMemberRemove })
export class InviteTrackingMemberRemoveListener extends Listener<typeof Events.GuildMemberRemove> {
	public override async run(member: GuildMember | PartialGuildMember): Promise<void> {
		await this.container.invites.leave(member.guild.id, member.id).catch((error: unknown) => {
			// Shutdown has begun: the next start finds this leave in the member list.
			if (error instanceof TrackingStoppedError) this.container.logger.info(error.message);
			else throw error;
		});
	}
}
