import { ApplyOptions } from '@sapphire/decorators';
import { Command } from '@sapphire/framework';
import { fetchT } from '@sapphire/plugin-i18next';
import { guildCommand, inGuildsOnly } from '../../lib/command-options.js';
import { localizeCommand } from '../../lib/i18n/command-localizations.js';
import { deferFirst } from '../../lib/interaction-reply.js';
import { LEADERBOARD_TYPES, type LeaderboardType } from '../../lib/invites/leaderboard.js';
import { guildLeaderboard } from '../../lib/invites/leaderboard-discord.js';
import { addPeriodOptions } from '../../lib/invites/period-options.js';
import { parsePeriod } from '../../lib/invites/periods.js';
import { LEADERBOARD_PAGE_SIZE, leaderboardPage } from '../../lib/invites/views.js';

@ApplyOptions<Command.Options>(guildCommand())
export class InviteLeaderboardCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry): void {
		registry.registerChatInputCommand((builder) =>
			localizeCommand(
				addPeriodOptions(inGuildsOnly(builder).setName(this.name))
					.addStringOption((option) => option.setName('type').addChoices(...LEADERBOARD_TYPES.map((type) => ({ name: type, value: type }))))
					.addIntegerOption((option) => option.setName('page').setMinValue(1))
			)
		);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
		// The server's language is read from storage: acknowledged first (3 s deadline).
		await deferFirst(interaction, { ephemeral: false });
		const period = parsePeriod(interaction.options.getString('period'), interaction.options.getString('since'));
		const type = (interaction.options.getString('type') ?? 'total') as LeaderboardType;
		const page = interaction.options.getInteger('page') ?? 1;
		const { rows, complete } = await guildLeaderboard(this.container.invites, this.container.storage, interaction.guild, {
			period,
			type,
			needed: page * LEADERBOARD_PAGE_SIZE
		});
		await interaction.editReply(leaderboardPage(await fetchT(interaction), rows, page, { period, type, complete }));
	}
}
