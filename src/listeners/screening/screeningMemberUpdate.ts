import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';
import type { GuildMember, PartialGuildMember } from 'discord.js';
import { describeError } from '../../lib/secrets.js';

/** GUILD_MEMBER_UPDATE with `pending: false`: a member passed rules screening, what waited for it runs now. */
@ApplyOptions<Listener.Options>({ event: Events.GuildMemberUpdate })
export class ScreeningMemberUpdateListener extends Listener<typeof Events.GuildMemberUpdate> {
	public override async run(_previous: GuildMember | PartialGuildMember, member: GuildMember): Promise<void> {
		await this.container.screening
			.memberUpdated(member)
			.catch((error) =>
				this.container.logger.error(`Screening of ${member.id} in guild ${member.guild.id} not handled: ${describeError(error)}`)
			);
	}
}
