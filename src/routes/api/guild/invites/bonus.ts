import { ApplyOptions } from '@sapphire/decorators';
import { z } from 'zod';
import { countsView } from '../../../../lib/dashboard/overview.js';
import { DashboardRoute, type DashboardRouteOptions, type RouteContext } from '../../../../lib/dashboard/route.js';

/** /bonus-invites' limit, either way. */
const MAX_BONUS_CHANGE = 1_000_000;
const bonusBody = z.object({
	userId: z.string().regex(/^\d{17,20}$/),
	amount: z
		.number()
		.int()
		.min(-MAX_BONUS_CHANGE)
		.max(MAX_BONUS_CHANGE)
		.refine((amount) => amount !== 0, 'must not be 0')
});

/** POST /api/guilds/:guild/invites/bonus `{ userId, amount }` (negative removes): /bonus-invites add / remove. */
@ApplyOptions<DashboardRouteOptions>({ route: 'api/guilds/[guild]/invites/bonus', methods: ['POST'], access: 'guild' })
export class BonusInvitesRoute extends DashboardRoute {
	protected override async handle({ call, guild }: RouteContext) {
		const { userId, amount } = this.body(call, bonusBody);
		return { userId, ...countsView(await this.container.invites.addBonus(guild.id, userId, amount)) };
	}
}
