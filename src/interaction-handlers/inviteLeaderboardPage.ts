import { ApplyOptions } from '@sapphire/decorators';
import { InteractionHandler, InteractionHandlerTypes } from '@sapphire/framework';
import { fetchT } from '@sapphire/plugin-i18next';
import type { ButtonInteraction } from 'discord.js';
import { guildLeaderboard } from '../lib/invites/leaderboard-discord.js';
import { LEADERBOARD_PAGE_SIZE, leaderboardPage, parseLeaderboardButton } from '../lib/invites/views.js';

/** The leaderboard's Previous/Next buttons: page, period and type are in the button, so they work after a restart too. */
@ApplyOptions<InteractionHandler.Options>({ interactionHandlerType: InteractionHandlerTypes.Button })
export class InviteLeaderboardPageHandler extends InteractionHandler {
	public override parse(interaction: ButtonInteraction) {
		const parsed = parseLeaderboardButton(interaction.customId);
		if (!parsed || !interaction.inGuild()) return this.none();
		return this.some(parsed);
	}

	public override async run(interaction: ButtonInteraction<'cached'>, { page, period, type }: InteractionHandler.ParseResult<this>): Promise<void> {
		// The server's language is read from storage: acknowledged first (3 s deadline).
		await interaction.deferUpdate();
		const { rows, complete } = await guildLeaderboard(this.container.invites, this.container.storage, interaction.guild, {
			period,
			type,
			needed: page * LEADERBOARD_PAGE_SIZE
		});
		await interaction.editReply(leaderboardPage(await fetchT(interaction), rows, page, { period, type, complete }));
	}
}
