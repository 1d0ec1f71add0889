import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';
import type { GuildMember, PartialGuildMember } from 'discord.js';
import { describeError } from '../../lib/secrets.js';

@ApplyOptions<Listener.Options>({ event: Events.GuildMemberRemove })
export class GoodbyeMemberRemoveListener extends Listener<typeof Events.GuildMemberRemove> {
	public override async run(member: GuildMember | PartialGuildMember): Promise<void> {
		const { welcome, greetings, autoroles, screening, welcomeCleanup, logger } = this.container;
		await Promise.all([
			// After the member's welcome; none when they left before their join was recorded (src/lib/welcome/order.ts).
			greetings
				.leaveReceived(member.guild.id, member.id)
				.then(async (goodbye) => {
					// A welcome asked to go when its member leaves soon (raids) goes now; it has been sent by then.
					await welcomeCleanup
						.memberLeft(member.guild.id, member.id)
						.catch((error) => logger.error(`Welcome of ${member.id} in guild ${member.guild.id} not deleted: ${describeError(error)}`));
					if (goodbye) await welcome.goodbye(member);
				})
				.catch((error) => logger.error(`Goodbye of ${member.id} in guild ${member.guild.id} failed: ${describeError(error)}`)),
			autoroles
				.memberLeft(member.guild.id, member.id)
				.catch((error) => logger.error(`Delayed auto-roles of ${member.id} not cancelled: ${describeError(error)}`)),
			screening
				.memberLeft(member.guild.id, member.id)
				.catch((error) => logger.error(`Screening hold of ${member.id} not dropped: ${describeError(error)}`))
		]);
	}
}
