import type { Client } from 'discord.js';
import { roleProblem } from '../roles.js';
import type { StorageLogger } from '../../storage-adapters/types.js';
import type { InviteConfig } from './tracker.js';

/**
 * Roles an inviter should have at `total`, and the ones to take away: those not reached when the guild wants rank roles
 * to follow totals, and in `highest` mode the reached ones below the highest reached.
 */
export function rankRoleChanges(config: InviteConfig, total: number): { give: string[]; take: string[] } {
	const reached = config.rankRoles.filter((rank) => total >= rank.total);
	const top = Math.max(...reached.map((rank) => rank.total));
	const kept = config.rankRoleMode === 'highest' ? reached.filter((rank) => rank.total === top) : reached;
	const notReached = config.removeRankRolesBelow ? config.rankRoles.filter((rank) => total < rank.total) : [];
	const surpassed = reached.filter((rank) => !kept.includes(rank));
	return { give: kept.map((rank) => rank.roleId), take: [...surpassed, ...notReached].map((rank) => rank.roleId) };
}

/** Whether a config change can change which rank roles an inviter should have (roles, their totals, mode, follow-total). */
export function rankRulesChanged(before: InviteConfig, after: InviteConfig): boolean {
	const rules = (config: InviteConfig) => JSON.stringify([config.rankRoles, config.rankRoleMode, config.removeRankRolesBelow]);
	return rules(before) !== rules(after);
}

/**
 * Brings an inviter's rank roles in line with their total, one role at a time (PUT/DELETE of that role only), so roles
 * another bot or an auto-role gave meanwhile are never overwritten by a stale copy of the member's role list. A member
 * who left is skipped.
 */
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
	const reason = `Invite rank: ${total} invites`;
	// One role per request: a whole-list PATCH from the cached member would drop roles others added meanwhile.
	for (const role of give.filter((roleId) => !member.roles.cache.has(roleId) && manageable(roleId)))
		await guild.members.addRole({ user: inviterId, role, reason });
	for (const role of take.filter((roleId) => member.roles.cache.has(roleId) && manageable(roleId)))
		await guild.members.removeRole({ user: inviterId, role, reason });
}

/**
 * Rank role updates, one inviter's in sequence: each run reads the latest total when it starts, and a run already
 * waiting covers any change made before it starts, so a burst of joins ends with the roles of the final total.
 */
export class RankRoleSync {
	private readonly chains = new Map<string, Promise<void>>();
	private readonly waiting = new Set<string>();

	public constructor(
		private readonly client: Client,
		private readonly latest: (guildId: string, inviterId: string) => { total: number; config: InviteConfig },
		private readonly logger: StorageLogger,
		/** Runs after the roles are in line (milestone announcements name the role just given). */
		private readonly after?: (guildId: string, inviterId: string, total: number, config: InviteConfig) => Promise<void>
	) {}

	public schedule(guildId: string, inviterId: string): void {
		const key = `${guildId}:${inviterId}`;
		if (this.waiting.has(key)) return;
		this.waiting.add(key);
		const next = (this.chains.get(key) ?? Promise.resolve())
			.then(() => {
				this.waiting.delete(key);
				const { total, config } = this.latest(guildId, inviterId);
				return syncRankRoles(this.client, guildId, inviterId, total, config)
					.catch((error: Error) => this.logger.warn(`Rank roles of ${inviterId} in guild ${guildId} not updated: ${error.message}`))
					.then(() => this.after?.(guildId, inviterId, total, config));
			})
			.catch((error: Error) => this.logger.warn(`Milestones of ${inviterId} in guild ${guildId} not announced: ${error.message}`))
			.finally(() => {
				if (this.chains.get(key) === next) this.chains.delete(key);
			});
		this.chains.set(key, next);
	}

	/** Resolves once every update scheduled so far has run. */
	public async idle(): Promise<void> {
		while (this.chains.size > 0) await Promise.all(this.chains.values());
	}
}
