import { ApplyOptions } from '@sapphire/decorators';
import { giveawayView } from '../../../../lib/dashboard/giveaways.js';
import { ApiError } from '../../../../lib/dashboard/http.js';
import { DashboardRoute, type DashboardRouteOptions, type RouteContext } from '../../../../lib/dashboard/route.js';
import { unwrap } from '../../../../lib/giveaways/service.js';

/**
 * POST /api/guilds/:guild/giveaways/:id/:action, action = end | reroll | pause | resume | cancel: /giveaway's
 * subcommands through the same service (its message in Discord is edited at once).
 */
@ApplyOptions<DashboardRouteOptions>({ route: 'api/guilds/[guild]/giveaways/[id]/[action]', methods: ['POST'], access: 'guild' })
export class GiveawayActionRoute extends DashboardRoute {
	protected override async handle({ call, guild }: RouteContext) {
		const { giveaways } = this.container;
		const id = call.params.id ?? '';
		switch (call.params.action) {
			case 'end':
				return { giveaway: giveawayView(unwrap(await giveaways.endEarly(guild.id, id))) };
			case 'reroll': {
				const { giveaway, winners } = unwrap(await giveaways.reroll(guild.id, id, call.user!.id));
				return { giveaway: giveawayView(giveaway), winners };
			}
			case 'pause':
				return { giveaway: giveawayView(unwrap(await giveaways.pause(guild.id, id))) };
			case 'resume':
				return { giveaway: giveawayView(unwrap(await giveaways.resume(guild.id, id))) };
			case 'cancel':
				return { giveaway: giveawayView(unwrap(await giveaways.cancel(guild.id, id))) };
			default:
				throw new ApiError(404, 'not_found', 'dashboard:unknownGiveawayAction');
		}
	}
}
