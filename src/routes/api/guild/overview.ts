import { ApplyOptions } from '@sapphire/decorators';
import { fetchLanguage } from '@sapphire/plugin-i18next';
import { userNames } from '../../../lib/dashboard/members.js';
import { countsView, joinsAndLeavesPerDay, knownProblems } from '../../../lib/dashboard/overview.js';
import { DashboardRoute, type DashboardRouteOptions, type RouteContext } from '../../../lib/dashboard/route.js';
import { guildSummary } from '../../../lib/dashboard/views.js';

const TOP_INVITERS = 10;

/** GET /api/guilds/:guild/overview: members tracked, joins and leaves per day (30 days), top inviters, known problems. */
@ApplyOptions<DashboardRouteOptions>({ route: 'api/guilds/[guild]/overview', methods: ['GET'], access: 'guild' })
export class OverviewRoute extends DashboardRoute {
	protected override async handle({ guild }: RouteContext) {
		const { invites, storage, welcome, autoroles, client } = this.container;
		const [days, greetings, roles, language] = await Promise.all([
			joinsAndLeavesPerDay(storage, guild.id),
			welcome.status(guild.id),
			autoroles.roles(guild.id),
			fetchLanguage(guild)
		]);
		const top = invites.leaderboard(guild.id).slice(0, TOP_INVITERS);
		const names = await userNames(
			client,
			top.map((row) => row.inviterId)
		);
		return {
			guild: { ...guildSummary(guild), language },
			membersTracked: invites.trackedMembers(guild.id),
			days,
			topInviters: top.map((row, index) => ({
				rank: index + 1,
				userId: row.inviterId,
				name: names.get(row.inviterId) ?? null,
				...countsView(row.counts)
			})),
			problems: knownProblems(guild, {
				inviteUnavailable: invites.unavailable.get(guild.id),
				greetings,
				autoroles: roles,
				inviteConfig: invites.config(guild.id)
			})
		};
	}
}
