import { ApplyOptions } from '@sapphire/decorators';
import { z } from 'zod';
import { ApiError } from '../../../../lib/dashboard/http.js';
import { DashboardRoute, type DashboardRouteOptions, type RouteContext } from '../../../../lib/dashboard/route.js';
import { addRankRole, removeRankRole } from '../../../../lib/invites/config-changes.js';
import { inviteConfigView } from '../../../../lib/dashboard/views.js';

const rankRoleBody = z.object({ roleId: z.string().regex(/^\d{17,20}$/), total: z.number().int().min(1).max(1_000_000) });
const removeBody = z.object({ roleId: z.string().regex(/^\d{17,20}$/) });

/**
 * PUT /api/guilds/:guild/invites/rank-roles `{ roleId, total }` adds or moves a rank role; DELETE with `{ roleId }`
 * removes one: /invite-config rank-role-add / rank-role-remove, same checks (lib/invites/config-changes.ts).
 */
@ApplyOptions<DashboardRouteOptions>({ route: 'api/guilds/[guild]/invites/rank-roles', methods: ['PUT', 'DELETE'], access: 'guild' })
export class RankRolesRoute extends DashboardRoute {
	protected override async handle({ call, guild }: RouteContext) {
		const { invites } = this.container;
		if (call.method === 'DELETE') {
			const { roleId } = this.body(call, removeBody);
			const role = guild.roles.cache.get(roleId);
			return inviteConfigView(await removeRankRole(invites, guild.id, role ?? { id: roleId, name: roleId }));
		}
		const { roleId, total } = this.body(call, rankRoleBody);
		const role = guild.roles.cache.get(roleId);
		if (!role) throw new ApiError(404, 'not_found', 'dashboard:unknownRole');
		return inviteConfigView(await addRankRole(invites, guild, role, total));
	}
}
