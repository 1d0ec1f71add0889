import type { Guild, Role } from 'discord.js';
import { refusal } from '../interaction-reply.js';
import { roleProblem } from '../roles.js';
import type { InviteConfig, InviteTracker } from './tracker.js';

export const MAX_RANK_ROLES = 25;

/** /invite-config rank-role-add and the dashboard: a role the bot can give, at most MAX_RANK_ROLES, sorted by total. */
export async function addRankRole(invites: InviteTracker, guild: Guild, role: Role, total: number): Promise<InviteConfig> {
	const problem = roleProblem(role, guild);
	if (problem) throw refusal('invites:roleNotAssignable', { problem });
	return invites.updateConfig(guild.id, (current) => {
		const rankRoles = [...current.rankRoles.filter((rank) => rank.roleId !== role.id), { total, roleId: role.id }].sort(
			(a, b) => a.total - b.total
		);
		if (rankRoles.length > MAX_RANK_ROLES) throw refusal('invites:tooManyRankRoles', { count: MAX_RANK_ROLES });
		return { ...current, rankRoles };
	});
}

/** /invite-config rank-role-remove and the dashboard. */
export async function removeRankRole(invites: InviteTracker, guildId: string, role: Pick<Role, 'id' | 'name'>): Promise<InviteConfig> {
	if (!invites.config(guildId).rankRoles.some((rank) => rank.roleId === role.id)) throw refusal('invites:notARankRole', { role: role.name });
	return invites.updateConfig(guildId, (current) => ({ ...current, rankRoles: current.rankRoles.filter((rank) => rank.roleId !== role.id) }));
}
