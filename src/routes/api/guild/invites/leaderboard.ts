import { ApplyOptions } from '@sapphire/decorators';
import { userNames } from '../../../../lib/dashboard/members.js';
import { countsView } from '../../../../lib/dashboard/overview.js';
import { DashboardRoute, type DashboardRouteOptions, type RouteContext } from '../../../../lib/dashboard/route.js';
import { LEADERBOARD_PAGE_SIZE } from '../../../../lib/invites/views.js';

/** GET /api/guilds/:guild/invites/leaderboard?page=N: /invite-leaderboard's pages (same order, same page size). */
@ApplyOptions<DashboardRouteOptions>({ route: 'api/guilds/[guild]/invites/leaderboard', methods: ['GET'], access: 'guild' })
export class InviteLeaderboardRoute extends DashboardRoute {
	protected override async handle({ call, guild }: RouteContext) {
		const rows = this.container.invites.leaderboard(guild.id);
		const pageCount = Math.max(1, Math.ceil(rows.length / LEADERBOARD_PAGE_SIZE));
		const requested = Number(call.query.page ?? 1);
		const page = Number.isInteger(requested) ? Math.min(Math.max(requested, 1), pageCount) : 1;
		const slice = rows.slice((page - 1) * LEADERBOARD_PAGE_SIZE, page * LEADERBOARD_PAGE_SIZE);
		const names = await userNames(
			this.container.client,
			slice.map((row) => row.inviterId)
		);
		return {
			page,
			pageCount,
			pageSize: LEADERBOARD_PAGE_SIZE,
			entries: slice.map((row, index) => ({
				rank: (page - 1) * LEADERBOARD_PAGE_SIZE + index + 1,
				userId: row.inviterId,
				name: names.get(row.inviterId) ?? null,
				...countsView(row.counts)
			}))
		};
	}
}
