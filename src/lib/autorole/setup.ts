import { UserError } from '@sapphire/framework';
import type { Guild, Role } from 'discord.js';
import type { AutoRole, AutoRoleTarget } from '../guild-settings.js';
import { roleProblem } from '../roles.js';
import { parseDelay } from './delay.js';
import { TooManyAutoRolesError, type AutoRoleService } from './service.js';

/** /autorole add and the dashboard: a role the bot can give, a valid delay, within the limit. */
export async function addAutoRole(
	autoroles: AutoRoleService,
	guild: Guild,
	role: Pick<Role, 'id' | 'name' | 'managed' | 'position'>,
	target: AutoRoleTarget,
	delayText: string
): Promise<{ autoRole: AutoRole; delayMs: number }> {
	const problem = roleProblem(role, guild);
	if (problem) throw new UserError({ identifier: 'AutoRoleNotAssignable', message: `Cannot use ${role.name} as an auto-role: ${problem}` });
	const delay = parseDelay(delayText);
	if (!delay.ok) throw new UserError({ identifier: 'InvalidDelay', message: delay.reason });
	const autoRole: AutoRole = { roleId: role.id, for: target, delayMs: delay.ms };
	try {
		await autoroles.add(guild.id, autoRole);
	} catch (error) {
		if (error instanceof TooManyAutoRolesError) throw new UserError({ identifier: 'TooManyAutoRoles', message: error.message });
		throw error;
	}
	return { autoRole, delayMs: delay.ms };
}

/** /autorole remove and the dashboard (the role's pending grants are cancelled by the service). */
export async function removeAutoRole(autoroles: AutoRoleService, guildId: string, role: Pick<Role, 'id' | 'name'>): Promise<void> {
	if (!(await autoroles.remove(guildId, role.id)))
		throw new UserError({ identifier: 'NotAnAutoRole', message: `${role.name} is not an auto-role. See /autorole list.` });
}
