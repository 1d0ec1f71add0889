import { ApplyOptions } from '@sapphire/decorators';
import { Listener } from '@sapphire/framework';
import type { GuildMember } from 'discord.js';
import type { MemberRecord } from '../../lib/invites/records.js';
import { describeError } from '../../lib/secrets.js';

/** Welcomes a member once the invite tracker has attributed the join, so {inviter} is known. */
@ApplyOptions<Listener.Options>({ event: 'inviteTrackedJoin' })
export class WelcomeTrackedJoinListener extends Listener {
	public override async run(member: GuildMember, record: MemberRecord): Promise<void> {
		const sending = this.container.welcome
			.welcome(member, record.joins.at(-1) ?? null)
			.catch((error) => this.container.logger.error(`Welcome of ${member.id} in guild ${member.guild.id} failed: ${describeError(error)}`));
		// A goodbye of this member waits for it.
		this.container.greetings.welcoming(member.guild.id, member.id, sending);
		await sending;
	}
}
