import { ApplyOptions } from '@sapphire/decorators';
import { Command } from '@sapphire/framework';
import { guildCommand, inGuildsOnly } from '../../lib/command-options.js';
import { countsEmbed } from '../../lib/invites/views.js';

@ApplyOptions<Command.Options>(guildCommand("Show a member's invite counts"))
export class InvitesCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry): void {
		registry.registerChatInputCommand((builder) =>
			inGuildsOnly(builder)
				.setName(this.name)
				.setDescription(this.description)
				.addUserOption((option) => option.setName('user').setDescription('Whose invites (you, if left out)'))
		);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
		const user = interaction.options.getUser('user') ?? interaction.user;
		const counts = this.container.invites.counts(interaction.guildId, user.id);
		await interaction.reply({ embeds: [countsEmbed(user.id, counts)], allowedMentions: { parse: [] } });
	}
}
