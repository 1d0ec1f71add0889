import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';
import type { GuildMember, PartialGuildMember } from 'discord.js';
import { recheckInvitePermission } from '../../lib/invites/permissions.js';

/** The bot's own roles changed: invites that could not be read may be readable now. */
@ApplyOptions<Listener.Options>({ event: Events.GuildMemberUpdate })
export class InvitePermissionRecheckMemberListener extends Listener<typeof Events.GuildMemberUpdate> {
	public override async run(_previous: GuildMember | PartialGuildMember, member: GuildMember): Promise<void> {
		if (member.id === member.client.user.id) await recheckInvitePermission(this.container.invites, member.guild);
	}
}
