import type { Client } from 'discord.js';
import { roleProblem } from '../roles.js';
import type { InviteConfig } from './tracker.js';

/** Roles an inviter should have at `total`, and the ones to take away when the guild wants rank roles to follow totals. */
export function rankRoleChanges(config: InviteConfig, total: number): { give: string[]; take: string[] } {
	const give = config.rankRoles.filter((rank) => total >= rank.total).map((rank) => rank.roleId);
	const take = config.removeRankRolesBelow ? config.rankRoles.filter((rank) => total < rank.total).map((rank) => rank.roleId) : [];
	return { give, take };
}

/** Brings an inviter's rank roles in line with their total; a member who left or a role we cannot manage is skipped. */
export async function syncRankRoles(client: Client, guildId: string, inviterId: string, total: number, config: InviteConfig): Promise<void> {
	if (config.rankRoles.length === 0) return;
	const guild = client.guilds.cache.get(guildId);
	const member = await guild?.members.fetch(inviterId).catch(() => null);
	if (!guild || !member) return;
	// Roles the bot cannot manage (per its cached permissions) are skipped, not sent for Discord to refuse.
	const manageable = (roleId: string) => {
		const role = guild.roles.cache.get(roleId);
		return role !== undefined && roleProblem(role, guild) === null;
	};
	const { give, take } = rankRoleChanges(config, total);
	const missing = give.filter((roleId) => !member.roles.cache.has(roleId) && manageable(roleId));
	const extra = take.filter((roleId) => member.roles.cache.has(roleId) && manageable(roleId));
	if (missing.length > 0) await member.roles.add(missing, `Invite rank: ${total} invites`);
	if (extra.length > 0) await member.roles.remove(extra, `Invite rank: ${total} invites`);
}
