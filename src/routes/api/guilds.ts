import { ApplyOptions } from '@sapphire/decorators';
import { fetchUserGuildIds } from '../../lib/dashboard/access.js';
import { DashboardRoute, type DashboardRouteOptions, type RouteContext } from '../../lib/dashboard/route.js';

/**
 * GET /api/guilds: the user's servers where the bot is and where the user has Manage Server, by the bot's view (each
 * shard's of its own servers, under `npm run start:sharded`), with each server's language.
 */
@ApplyOptions<DashboardRouteOptions>({ route: 'api/guilds', methods: ['GET'], access: 'user' })
export class GuildsRoute extends DashboardRoute {
	protected override async handle({ local }: RouteContext) {
		const { dashboard } = this.container;
		const session = local!.session!;
		const ids = await fetchUserGuildIds(dashboard.apiUrl, session);
		return { guilds: await dashboard.shards.guilds(ids, session.user.id) };
	}
}
