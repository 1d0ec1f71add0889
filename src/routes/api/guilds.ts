import { ApplyOptions } from '@sapphire/decorators';
import { fetchUserGuildIds, manageableGuilds } from '../../lib/dashboard/access.js';
import { DashboardRoute, type DashboardRouteOptions, type RouteContext } from '../../lib/dashboard/route.js';
import { guildSummary } from '../../lib/dashboard/views.js';

/** GET /api/guilds: the user's servers where the bot is and where the user has Manage Server, by the bot's view. */
@ApplyOptions<DashboardRouteOptions>({ route: 'api/guilds', methods: ['GET'], access: 'user' })
export class GuildsRoute extends DashboardRoute {
	protected override async handle({ session }: RouteContext) {
		const { dashboard, client } = this.container;
		const ids = await fetchUserGuildIds(dashboard.apiUrl, session!);
		const guilds = await manageableGuilds(client, ids, session!.user.id);
		return { guilds: guilds.map(guildSummary) };
	}
}
