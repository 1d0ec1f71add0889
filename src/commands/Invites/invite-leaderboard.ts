import { ApplyOptions } from '@sapphire/decorators';
import { Command } from '@sapphire/framework';
import { guildCommand, inGuildsOnly } from '../../lib/command-options.js';
import { leaderboardPage } from '../../lib/invites/views.js';

@ApplyOptions<Command.Options>(guildCommand('Show who invited the most members'))
export class InviteLeaderboardCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry): void {
		registry.registerChatInputCommand((builder) =>
			inGuildsOnly(builder)
				.setName(this.name)
				.setDescription(this.description)
				.addIntegerOption((option) => option.setName('page').setDescription('Page to open (10 per page)').setMinValue(1))
		);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
		const rows = this.container.invites.leaderboard(interaction.guildId);
		await interaction.reply(leaderboardPage(rows, interaction.options.getInteger('page') ?? 1));
	}
}
