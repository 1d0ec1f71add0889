import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';
import type { Role } from 'discord.js';

/** A deleted role cannot be given: it leaves the auto-role config (logged by the service). */
@ApplyOptions<Listener.Options>({ event: Events.GuildRoleDelete })
export class AutoroleRoleDeleteListener extends Listener<typeof Events.GuildRoleDelete> {
	public override async run(role: Role): Promise<void> {
		await this.container.autoroles.roleDeleted(role.guild.id, role.id);
	}
}
