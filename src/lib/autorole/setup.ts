import type { TFunction } from '@sapphire/plugin-i18next';
import type { Guild, Role } from 'discord.js';
import type { AutoRole, AutoRoleTarget } from '../guild-settings.js';
import { refusal } from '../interaction-reply.js';
import { roleProblem } from '../roles.js';
import { explain } from '../templates/reasons.js';
import { parseDelay } from './delay.js';
import { MAX_AUTOROLES, TooManyAutoRolesError, type AutoRoleService } from './service.js';

/** /autorole add and the dashboard: a role the bot can give, a valid delay, within the limit. */
export async function addAutoRole(
	t: TFunction,
	autoroles: AutoRoleService,
	guild: Guild,
	role: Pick<Role, 'id' | 'name' | 'managed' | 'position'>,
	target: AutoRoleTarget,
	delayText: string
): Promise<{ autoRole: AutoRole; delayMs: number }> {
	const problem = roleProblem(role, guild);
	if (problem) throw refusal('autorole:notAssignable', { role: role.name, problem: explain(t, problem) });
	const delay = parseDelay(delayText);
	if (!delay.ok) throw refusal('autorole:invalidDelay', { reason: explain(t, delay.reason) });
	const autoRole: AutoRole = { roleId: role.id, for: target, delayMs: delay.ms };
	try {
		await autoroles.add(guild.id, autoRole);
	} catch (error) {
		if (error instanceof TooManyAutoRolesError) throw refusal('autorole:tooMany', { count: MAX_AUTOROLES });
		throw error;
	}
	return { autoRole, delayMs: delay.ms };
}

/** /autorole remove and the dashboard (the role's pending grants are cancelled by the service). */
export async function removeAutoRole(autoroles: AutoRoleService, guildId: string, role: Pick<Role, 'id' | 'name'>): Promise<void> {
	if (!(await autoroles.remove(guildId, role.id))) throw refusal('autorole:notAnAutoRole', { role: role.name });
}
