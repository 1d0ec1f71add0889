import { PermissionFlagsBits, type Guild, type Invite } from 'discord.js';

export const MISSING_MANAGE_GUILD = 'the bot lacks the Manage Server permission, which Discord requires to read invite uses';

/**
 * Why the bot cannot read this guild's invite uses, judged from its cached permissions, so no request is made that
 * Discord would refuse: 10,000 refused requests in 10 minutes get the bot's IP banned for a while (discord-api-docs,
 * developers/topics/rate-limits.mdx, Invalid Request Limit). Discord sends role and member updates, which keep the
 * cache current; the tracker asks again after those (listeners/invites/invitePermissionRecheck*).
 */
export function inviteReadProblem(guild: Guild): string | null {
	const { me } = guild.members;
	return me && !me.permissions.has(PermissionFlagsBits.ManageGuild) ? MISSING_MANAGE_GUILD : null;
}

/**
 * With View Audit Log but not Manage Server, Discord lists invites without their metadata (developers/resources/guild.mdx,
 * Get Guild Invites) and discord.js reads `uses` as null: that is the missing permission, never 0 uses.
 */
export function usesMissing(invites: Iterable<Pick<Invite, 'uses'>>): boolean {
	for (const invite of invites) if (invite.uses === null) return true;
	return false;
}

/** After a change to the bot's roles: a guild whose invites could not be read gets a fresh baseline once they can be. */
export async function recheckInvitePermission(
	tracker: { unavailable: Map<string, string>; refresh(guildId: string): Promise<void> },
	guild: Guild
): Promise<void> {
	if (tracker.unavailable.has(guild.id) && inviteReadProblem(guild) === null) await tracker.refresh(guild.id);
}
