import { ApplyOptions } from '@sapphire/decorators';
import { Events, Listener } from '@sapphire/framework';
import type { Invite } from 'discord.js';

@ApplyOptions<Listener.Options>({ event: Events.InviteCreate })
export class InviteTrackingInviteCreateListener extends Listener<typeof Events.InviteCreate> {
	public override run(invite: Invite): void {
		if (!invite.guild) return;
		this.container.invites.noteInviteCreated(invite.guild.id, {
			code: invite.code,
			inviterId: invite.inviterId,
			uses: invite.uses ?? 0,
			maxUses: invite.maxUses ?? 0,
			expiresAt: invite.expiresTimestamp ?? null,
			channelId: invite.channelId
		});
	}
}
