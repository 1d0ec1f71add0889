import { ApplyOptions } from '@sapphire/decorators';
import { Command } from '@sapphire/framework';
import { guildCommand, inGuildsOnly } from '../../lib/command-options.js';
import { deferFirst } from '../../lib/interaction-reply.js';
import { whoInvitedEmbed } from '../../lib/invites/views.js';

@ApplyOptions<Command.Options>(guildCommand('Show who invited a member, with which code, when and how'))
export class WhoInvitedCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry): void {
		registry.registerChatInputCommand((builder) =>
			inGuildsOnly(builder)
				.setName(this.name)
				.setDescription(this.description)
				.addUserOption((option) => option.setName('user').setDescription('The member to look up').setRequired(true))
		);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
		const user = interaction.options.getUser('user', true);
		// The history is read from storage: acknowledged first (3 s deadline).
		await deferFirst(interaction, { ephemeral: false });
		const record = await this.container.invites.history(interaction.guildId, user.id);
		await interaction.editReply({ embeds: [whoInvitedEmbed(user.id, record)], allowedMentions: { parse: [] } });
	}
}
