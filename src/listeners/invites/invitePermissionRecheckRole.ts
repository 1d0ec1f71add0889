import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';
import type { Role } from 'discord.js';
import { recheckInvitePermission } from '../../lib/invites/permissions.js';

/** One of the bot's roles changed: invites that could not be read may be readable now. */
@ApplyOptions<Listener.Options>({ event: Events.GuildRoleUpdate })
export class InvitePermissionRecheckRoleListener extends Listener<typeof Events.GuildRoleUpdate> {
	public override async run(_previous: Role, role: Role): Promise<void> {
		if (role.guild.members.me?.roles.cache.has(role.id)) await recheckInvitePermission(this.container.invites, role.guild);
	}
}
