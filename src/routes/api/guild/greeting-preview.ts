import { fetchT } from '@sapphire/plugin-i18next';
import { ApplyOptions } from '@sapphire/decorators';
import type { APIEmbed } from 'discord.js';
import { greetingInputSchema, greetingKind } from '../../../lib/dashboard/greetings.js';
import { ApiError } from '../../../lib/dashboard/http.js';
import { DashboardRoute, type DashboardRouteOptions, type RouteContext } from '../../../lib/dashboard/route.js';
import { greetingSettingsFrom } from '../../../lib/welcome/setup.js';

/**
 * POST /api/guilds/:guild/greetings/:kind/preview: the message the settings in the body (not saved) would send for
 * the logged-in user, rendered by the bot's own code, with the generated card as a PNG data URL.
 */
@ApplyOptions<DashboardRouteOptions>({
	route: 'api/guilds/[guild]/greetings/[kind]/preview',
	methods: ['POST'],
	access: 'guild',
	// The editor previews as the admin types: previews must not use up the writes that saving needs.
	countsAsRead: true
})
export class GreetingPreviewRoute extends DashboardRoute {
	protected override async handle({ call, guild }: RouteContext) {
		const kind = greetingKind(call.params.kind);
		const settings = greetingSettingsFrom(await fetchT(guild), guild, kind, this.body(call, greetingInputSchema));
		const member = await guild.members.fetch(call.user!.id).catch(() => null);
		if (member === null) throw new ApiError(403, 'forbidden', 'dashboard:notAMember');
		const { message, card } = await this.container.welcome.preview(kind, settings, member);
		const embeds = (message.embeds ?? []).map((embed) => ('toJSON' in embed ? embed.toJSON() : (embed as APIEmbed)));
		return {
			content: typeof message.content === 'string' ? message.content : null,
			embeds,
			card: card === null ? null : `data:image/png;base64,${card.toString('base64')}`
		};
	}
}
