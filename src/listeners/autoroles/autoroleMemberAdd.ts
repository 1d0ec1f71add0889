import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';
import type { GuildMember } from 'discord.js';
import { describeError } from '../../lib/secrets.js';

@ApplyOptions<Listener.Options>({ event: Events.GuildMemberAdd })
export class AutoroleMemberAddListener extends Listener<typeof Events.GuildMemberAdd> {
	public override async run(member: GuildMember): Promise<void> {
		await this.container.autoroles
			.memberJoined(member)
			.catch((error) => this.container.logger.error(`Auto-roles of ${member.id} in guild ${member.guild.id} failed: ${describeError(error)}`));
	}
}
