import { PermissionFlagsBits, type Guild, type Role } from 'discord.js';
import type { Reason } from './templates/reasons.js';

/**
 * Why the bot may not give this role, or null. Features that give roles (auto-roles, invite rank roles) check at
 * setup, so a bad choice is refused with its reason instead of failing at every join later. The reason is a language
 * key (`autorole:roleProblem.*`), translated where it is shown.
 */
export function roleProblem(role: Pick<Role, 'id' | 'name' | 'managed' | 'position'>, guild: Guild): Reason | null {
	if (role.id === guild.id) return { key: 'autorole:roleProblem.everyone', vars: {} };
	if (role.managed) return { key: 'autorole:roleProblem.managed', vars: { role: role.name } };
	const { me } = guild.members;
	if (me && !me.permissions.has(PermissionFlagsBits.ManageRoles)) return { key: 'autorole:roleProblem.manageRoles', vars: {} };
	const botHighest = me?.roles.highest;
	if (botHighest && role.position >= botHighest.position)
		return { key: 'autorole:roleProblem.tooHigh', vars: { role: role.name, highest: botHighest.name } };
	return null;
}
