import { PermissionFlagsBits, type Guild } from 'discord.js';
import { z } from 'zod';
import { oauthUrls } from './oauth.js';
import type { DashboardSession } from './sessions.js';

/**
 * Manage Server as the bot sees it now (the guild owner, or a role granting Administrator or Manage Server), never
 * the OAuth2 guild list's `permissions`, which is a snapshot taken at login and may be stale.
 */
export async function canManage(guild: Guild, userId: string): Promise<boolean> {
	if (guild.ownerId === userId) return true;
	// Cached members follow GUILD_MEMBER_UPDATE and role changes; an uncached one is read from Discord.
	const member = await guild.members.fetch(userId).catch(() => null);
	return member?.permissions.has(PermissionFlagsBits.ManageGuild) ?? false;
}

/** Partial Guild objects of GET /users/@me/guilds (resources/user.mdx, Get Current User Guilds). */
const userGuilds = z.array(z.object({ id: z.string() }).loose());

/** The user's servers (OAuth2 `guilds` scope); only ids are used, the bot checks everything else itself. */
export async function fetchUserGuildIds(apiUrl: string | null, session: DashboardSession): Promise<string[]> {
	const response = await fetch(`${oauthUrls(apiUrl).me}/guilds`, {
		headers: { authorization: `Bearer ${session.accessToken}` },
		signal: AbortSignal.timeout(10_000)
	});
	if (!response.ok) throw new Error(`Discord did not list the user's servers (HTTP ${response.status})`);
	return userGuilds.parse(await response.json()).map((guild) => guild.id);
}
