import { ApplyOptions } from '@sapphire/decorators';
import { z } from 'zod';
import { giveawayView } from '../../../../lib/dashboard/giveaways.js';
import { DashboardRoute, type DashboardRouteOptions, type RouteContext } from '../../../../lib/dashboard/route.js';
import {
	giveawayStartFrom,
	MAX_DESCRIPTION_LENGTH,
	MAX_MIN_INVITES,
	MAX_OPTION_LENGTH,
	MAX_PRIZE_LENGTH,
	MAX_ROLE_LIST_LENGTH,
	startGiveaway
} from '../../../../lib/giveaways/start.js';

const RECENT = 25;
const snowflake = z.string().regex(/^\d{17,20}$/);
/** A text option; left out, null or empty (a form's empty field) is the option not given, as in Discord. */
const option = (max: number) =>
	z
		.string()
		.max(max)
		.nullish()
		.transform((value) => value || null);
/**
 * /giveaway start's options, in the command's notation (see GiveawayStartOptions): only their shape here; what they
 * mean is checked by giveawayStartFrom, as for the command.
 */
const startBody = z.object({
	channelId: snowflake,
	prize: z.string().max(MAX_PRIZE_LENGTH),
	description: option(MAX_DESCRIPTION_LENGTH),
	winners: z.number().int(),
	duration: z.string().max(MAX_OPTION_LENGTH),
	requiredRoleId: snowflake.nullish(),
	requiredRoles: option(MAX_ROLE_LIST_LENGTH),
	rolesMode: z.enum(['any', 'all']).nullish(),
	blockedRoles: option(MAX_ROLE_LIST_LENGTH),
	minAccountAge: option(MAX_OPTION_LENGTH),
	minServerAge: option(MAX_OPTION_LENGTH),
	boostersOnly: z.boolean().nullish(),
	minInvites: z.number().int().min(1).max(MAX_MIN_INVITES).nullish(),
	invitesDuring: z.boolean().nullish(),
	bonusRoles: option(MAX_ROLE_LIST_LENGTH),
	bonusMode: z.enum(['stack', 'highest']).nullish(),
	drop: z.boolean().nullish(),
	startsIn: option(MAX_OPTION_LENGTH),
	startsAt: option(MAX_OPTION_LENGTH),
	claimWindow: option(MAX_OPTION_LENGTH)
});

/** GET /api/guilds/:guild/giveaways: running (and scheduled, paused) and recently ended; POST starts one as /giveaway start. */
@ApplyOptions<DashboardRouteOptions>({ route: 'api/guilds/[guild]/giveaways', methods: ['GET', 'POST'], access: 'guild' })
export class GiveawaysRoute extends DashboardRoute {
	protected override async handle({ call, guild }: RouteContext) {
		const { giveaways } = this.container;
		if (call.method === 'POST') {
			const body = this.body(call, startBody);
			const input = giveawayStartFrom(guild, body, {
				hostId: call.user!.id,
				now: Date.now(),
				retentionMs: this.container.config.giveawayRetentionMs
			});
			return { giveaway: giveawayView(await startGiveaway(giveaways, input)) };
		}
		const { open, recent } = await giveaways.list(guild.id, RECENT);
		return { running: open.map(giveawayView), ended: recent.map(giveawayView) };
	}
}
