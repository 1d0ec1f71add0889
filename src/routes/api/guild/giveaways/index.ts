import { ApplyOptions } from '@sapphire/decorators';
import { refusal, refusalOf } from '../../../../lib/interaction-reply.js';
import { channelMention } from 'discord.js';
import { z } from 'zod';
import { giveawayView } from '../../../../lib/dashboard/giveaways.js';
import { DashboardRoute, type DashboardRouteOptions, type RouteContext } from '../../../../lib/dashboard/route.js';
import { NO_BONUS } from '../../../../lib/giveaways/bonus.js';
import { parseDuration } from '../../../../lib/giveaways/duration.js';
import { NO_REQUIREMENTS } from '../../../../lib/giveaways/requirements.js';
import { MAX_WINNERS, PermanentDiscordError } from '../../../../lib/giveaways/service.js';

const RECENT = 25;
/** /giveaway start's options (the simple ones: requirements and bonus entries stay with the command). */
const startBody = z.object({
	channelId: z.string().regex(/^\d{17,20}$/),
	prize: z.string().trim().min(1).max(200),
	description: z.string().max(1000).nullable().default(null),
	winners: z.number().int().min(1).max(MAX_WINNERS),
	duration: z.string().min(1).max(20)
});

/** GET /api/guilds/:guild/giveaways: running (and scheduled, paused) and recently ended; POST starts one. */
@ApplyOptions<DashboardRouteOptions>({ route: 'api/guilds/[guild]/giveaways', methods: ['GET', 'POST'], access: 'guild' })
export class GiveawaysRoute extends DashboardRoute {
	protected override async handle({ call, guild }: RouteContext) {
		const { giveaways } = this.container;
		if (call.method === 'POST') {
			const body = this.body(call, startBody);
			const duration = parseDuration(body.duration);
			if (!duration.ok) throw refusalOf(duration.reason);
			const channel = guild.channels.cache.get(body.channelId);
			if (!channel?.isTextBased()) throw refusal('giveaways:chooseChannel');
			try {
				const giveaway = await giveaways.create({
					guildId: guild.id,
					channelId: channel.id,
					hostId: call.user!.id,
					prize: body.prize,
					description: body.description,
					winnerCount: body.winners,
					requiredRoleId: null,
					requirements: NO_REQUIREMENTS,
					bonus: NO_BONUS,
					startsAt: null,
					drop: false,
					claimWindowMs: null,
					durationMs: duration.ms
				});
				return { giveaway: giveawayView(giveaway) };
			} catch (error) {
				if (error instanceof PermanentDiscordError) throw refusal('giveaways:cannotPost', { channel: channelMention(channel.id) });
				throw error;
			}
		}
		const { open, recent } = await giveaways.list(guild.id, RECENT);
		return { running: open.map(giveawayView), ended: recent.map(giveawayView) };
	}
}
