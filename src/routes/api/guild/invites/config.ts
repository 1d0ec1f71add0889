import { ApplyOptions } from '@sapphire/decorators';
import { z } from 'zod';
import { DashboardRoute, type DashboardRouteOptions, type RouteContext } from '../../../../lib/dashboard/route.js';
import { inviteConfigView } from '../../../../lib/dashboard/views.js';

/** /invite-config's options and limits. */
const configPatch = z.object({
	fakeAccountDays: z.number().int().min(0).max(365).optional(),
	fakeWithoutAvatar: z.boolean().optional(),
	removeRankRolesBelow: z.boolean().optional()
});

/** GET / PUT /api/guilds/:guild/invites/config: read or change what /invite-config changes. */
@ApplyOptions<DashboardRouteOptions>({ route: 'api/guilds/[guild]/invites/config', methods: ['GET', 'PUT'], access: 'guild' })
export class InviteConfigRoute extends DashboardRoute {
	protected override async handle({ call, guild }: RouteContext) {
		const { invites } = this.container;
		if (call.method !== 'PUT') return inviteConfigView(invites.config(guild.id));
		const patch = this.body(call, configPatch);
		return inviteConfigView(
			await invites.updateConfig(guild.id, (current) => ({
				...current,
				...(patch.fakeAccountDays === undefined ? {} : { fakeAccountDays: patch.fakeAccountDays }),
				...(patch.fakeWithoutAvatar === undefined ? {} : { fakeWithoutAvatar: patch.fakeWithoutAvatar }),
				...(patch.removeRankRolesBelow === undefined ? {} : { removeRankRolesBelow: patch.removeRankRolesBelow })
			}))
		);
	}
}
