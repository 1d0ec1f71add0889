import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';
import type { GuildMember } from 'discord.js';
import { TrackingStoppedError } from '../../lib/invites/stream.js';
import { describeError } from '../../lib/secrets.js';

@ApplyOptions<Listener.Options>({ event: Events.GuildMemberAdd })
export class InviteTrackingMemberAddListener extends Listener<typeof Events.GuildMemberAdd> {
	public override async run(member: GuildMember): Promise<void> {
		const { greetings } = this.container;
		greetings.joinReceived(member.guild.id, member.id);
		let record;
		try {
			record = await this.container.invites.join({
				guildId: member.guild.id,
				memberId: member.id,
				bot: member.user.bot,
				accountCreatedAt: member.user.createdTimestamp,
				hasAvatar: member.user.avatar !== null,
				joinedAt: member.joinedTimestamp ?? undefined
			});
		} catch (error) {
			// Shutdown has begun: the next start finds this join in the member list.
			greetings.joinSettled(member.guild.id, member.id, false);
			if (error instanceof TrackingStoppedError) return void this.container.logger.info(error.message);
			// An outage only delays the join (it waits for the storage); anything else loses it, and the operator must
			// learn which join is missing, not only that a listener failed.
			this.container.logger.error(`Join of member ${member.id} in guild ${member.guild.id} was not recorded: ${describeError(error)}`);
			return;
		}
		// Features that mention the inviter (welcome messages) listen for this instead of guessing again. A member who left
		// before the join was recorded is not welcomed (nor said goodbye to: src/lib/welcome/order.ts).
		if (greetings.joinSettled(member.guild.id, member.id, record !== undefined) && record)
			this.container.client.emit('inviteTrackedJoin', member, record);
	}
}
