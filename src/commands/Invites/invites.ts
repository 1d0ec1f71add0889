import { ApplyOptions } from '@sapphire/decorators';
import { Command } from '@sapphire/framework';
import { fetchT } from '@sapphire/plugin-i18next';
import { guildCommand, inGuildsOnly } from '../../lib/command-options.js';
import { localizeCommand } from '../../lib/i18n/command-localizations.js';
import { deferFirst } from '../../lib/interaction-reply.js';
import { countsEmbed } from '../../lib/invites/views.js';

@ApplyOptions<Command.Options>(guildCommand())
export class InvitesCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry): void {
		registry.registerChatInputCommand((builder) =>
			localizeCommand(
				inGuildsOnly(builder)
					.setName(this.name)
					.addUserOption((option) => option.setName('user'))
			)
		);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
		const user = interaction.options.getUser('user') ?? interaction.user;
		// The server's language is read from storage: acknowledged first (3 s deadline).
		await deferFirst(interaction, { ephemeral: false });
		const counts = this.container.invites.counts(interaction.guildId, user.id);
		await interaction.editReply({ embeds: [countsEmbed(await fetchT(interaction), user.id, counts)], allowedMentions: { parse: [] } });
	}
}
