import { ApplyOptions } from '@sapphire/decorators';
import { Command } from '@sapphire/framework';
import { fetchT } from '@sapphire/plugin-i18next';
import { guildCommand, inGuildsOnly } from '../../lib/command-options.js';
import { deferFirst } from '../../lib/interaction-reply.js';
import { localizeCommand } from '../../lib/i18n/command-localizations.js';
import { whoInvitedEmbed } from '../../lib/invites/views.js';

@ApplyOptions<Command.Options>(guildCommand())
export class WhoInvitedCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry): void {
		registry.registerChatInputCommand((builder) =>
			localizeCommand(
				inGuildsOnly(builder)
					.setName(this.name)
					.addUserOption((option) => option.setName('user').setRequired(true))
			)
		);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
		const user = interaction.options.getUser('user', true);
		// The history is read from storage: acknowledged first (3 s deadline).
		await deferFirst(interaction, { ephemeral: false });
		const record = await this.container.invites.history(interaction.guildId, user.id);
		await interaction.editReply({ embeds: [whoInvitedEmbed(await fetchT(interaction), user.id, record)], allowedMentions: { parse: [] } });
	}
}
