import { fetchT } from '@sapphire/plugin-i18next';
import { ApplyOptions } from '@sapphire/decorators';
import { z } from 'zod';
import { formatDelay } from '../../../lib/autorole/delay.js';
import { addAutoRole, removeAutoRole } from '../../../lib/autorole/setup.js';
import { ApiError } from '../../../lib/dashboard/http.js';
import { DashboardRoute, type DashboardRouteOptions, type RouteContext } from '../../../lib/dashboard/route.js';
import { AUTOROLE_TARGETS } from '../../../lib/guild-settings.js';

const roleId = z.string().regex(/^\d{17,20}$/);
const addBody = z.object({ roleId, for: z.enum(AUTOROLE_TARGETS).default('all'), delay: z.string().max(20).default('0') });
const removeBody = z.object({ roleId });

/**
 * GET / PUT / DELETE /api/guilds/:guild/autoroles: the list with pending grants and problems; add `{ roleId, for,
 * delay: "10m" }` or remove `{ roleId }`, through /autorole's checks (lib/autorole/setup.ts).
 */
@ApplyOptions<DashboardRouteOptions>({ route: 'api/guilds/[guild]/autoroles', methods: ['GET', 'PUT', 'DELETE'], access: 'guild' })
export class AutoRolesRoute extends DashboardRoute {
	protected override async handle({ call, guild }: RouteContext) {
		const { autoroles } = this.container;
		if (call.method === 'PUT') {
			const body = this.body(call, addBody);
			const role = guild.roles.cache.get(body.roleId);
			if (!role) throw new ApiError(404, 'not_found', 'dashboard:unknownRole');
			await addAutoRole(await fetchT(guild), autoroles, guild, role, body.for, body.delay);
		} else if (call.method === 'DELETE') {
			const body = this.body(call, removeBody);
			await removeAutoRole(autoroles, guild.id, guild.roles.cache.get(body.roleId) ?? { id: body.roleId, name: body.roleId });
		}
		const status = await autoroles.status(guild.id);
		return {
			roles: status.roles.map((autoRole) => ({
				roleId: autoRole.roleId,
				for: autoRole.for,
				delayMs: autoRole.delayMs,
				delay: autoRole.delayMs > 0 ? formatDelay(autoRole.delayMs) : null
			})),
			pendingGrants: status.pendingGrants,
			problems: status.problems
		};
	}
}
