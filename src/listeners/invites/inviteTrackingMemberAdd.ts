import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';
import type { GuildMember } from 'discord.js';

@ApplyOptions<Listener.Options>({ event: Events.GuildMemberAdd })
export class InviteTrackingMemberAddListener extends Listener<typeof Events.GuildMemberAdd> {
	public override async run(member: GuildMember): Promise<void> {
		const record = await this.container.invites.join({
			guildId: member.guild.id,
			memberId: member.id,
			bot: member.user.bot,
			accountCreatedAt: member.user.createdTimestamp,
			joinedAt: member.joinedTimestamp ?? undefined
		});
		// Features that mention the inviter (welcome messages) listen for this instead of guessing again.
		if (record) this.container.client.emit('inviteTrackedJoin', member, record);
	}
}
