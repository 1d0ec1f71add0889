import { ApplyOptions } from '@sapphire/decorators';
import { ApiError } from '../../../../lib/dashboard/http.js';
import { userNames } from '../../../../lib/dashboard/members.js';
import { countsView } from '../../../../lib/dashboard/overview.js';
import { DashboardRoute, type DashboardRouteOptions, type RouteContext } from '../../../../lib/dashboard/route.js';

/** GET /api/guilds/:guild/invites/members/:user: /invites and /who-invited for one member. */
@ApplyOptions<DashboardRouteOptions>({ route: 'api/guilds/[guild]/invites/members/[user]', methods: ['GET'], access: 'guild' })
export class InviteMemberRoute extends DashboardRoute {
	protected override async handle({ call, guild }: RouteContext) {
		const userId = call.params.user ?? '';
		if (!/^\d{17,20}$/.test(userId)) throw new ApiError(400, 'invalid', 'dashboard:invalidMemberId');
		const { invites, client } = this.container;
		const record = await invites.history(guild.id, userId);
		const lastJoin = record?.joins.at(-1) ?? null;
		const names = await userNames(client, [userId, ...(lastJoin?.inviterId ? [lastJoin.inviterId] : [])]);
		return {
			userId,
			name: names.get(userId) ?? null,
			...countsView(invites.counts(guild.id, userId)),
			present: record?.present ?? null,
			invitedBy: lastJoin
				? {
						how: lastJoin.how,
						userId: lastJoin.inviterId,
						name: lastJoin.inviterId ? (names.get(lastJoin.inviterId) ?? null) : null,
						code: lastJoin.code,
						at: new Date(lastJoin.at).toISOString()
					}
				: null
		};
	}
}
