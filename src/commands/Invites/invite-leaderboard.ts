import { ApplyOptions } from '@sapphire/decorators';
import { Command } from '@sapphire/framework';
import { fetchT } from '@sapphire/plugin-i18next';
import { guildCommand, inGuildsOnly } from '../../lib/command-options.js';
import { localizeCommand } from '../../lib/i18n/command-localizations.js';
import { deferFirst } from '../../lib/interaction-reply.js';
import { leaderboardPage } from '../../lib/invites/views.js';

@ApplyOptions<Command.Options>(guildCommand())
export class InviteLeaderboardCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry): void {
		registry.registerChatInputCommand((builder) =>
			localizeCommand(
				inGuildsOnly(builder)
					.setName(this.name)
					.addIntegerOption((option) => option.setName('page').setMinValue(1))
			)
		);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
		// The server's language is read from storage: acknowledged first (3 s deadline).
		await deferFirst(interaction, { ephemeral: false });
		const rows = this.container.invites.leaderboard(interaction.guildId);
		await interaction.editReply(leaderboardPage(await fetchT(interaction), rows, interaction.options.getInteger('page') ?? 1));
	}
}
