import { ApplyOptions } from '@sapphire/decorators';
import { InteractionHandler, InteractionHandlerTypes } from '@sapphire/framework';
import { fetchT } from '@sapphire/plugin-i18next';
import type { ButtonInteraction } from 'discord.js';
import { LEADERBOARD_BUTTON, leaderboardPage } from '../lib/invites/views.js';

/** The leaderboard's Previous/Next buttons: the page number is in the button, so they work after a restart too. */
@ApplyOptions<InteractionHandler.Options>({ interactionHandlerType: InteractionHandlerTypes.Button })
export class InviteLeaderboardPageHandler extends InteractionHandler {
	public override parse(interaction: ButtonInteraction) {
		const [prefix, page] = interaction.customId.split(':');
		if (prefix !== LEADERBOARD_BUTTON || !interaction.inGuild()) return this.none();
		return this.some(Number(page) || 1);
	}

	public override async run(interaction: ButtonInteraction<'cached'>, page: number): Promise<void> {
		// The server's language is read from storage: acknowledged first (3 s deadline).
		await interaction.deferUpdate();
		await interaction.editReply(leaderboardPage(await fetchT(interaction), this.container.invites.leaderboard(interaction.guildId), page));
	}
}
