import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';
import type { Invite } from 'discord.js';

/** A moderator's deletion (or an expiry) is not a last use: the tracker tells them apart by what waits in the stream. */
@ApplyOptions<Listener.Options>({ event: Events.InviteDelete })
export class InviteTrackingInviteDeleteListener extends Listener<typeof Events.InviteDelete> {
	public override async run(invite: Invite): Promise<void> {
		if (invite.guild) await this.container.invites.noteInviteDeleted(invite.guild.id, invite.code);
	}
}
