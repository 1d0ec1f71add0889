import { ApplyOptions } from '@sapphire/decorators';
import { Command } from '@sapphire/framework';
import { ADMIN_DEFAULT_PERMISSIONS, adminCommand, inGuildsOnly } from '../../lib/command-options.js';
import { MessageFlags } from 'discord.js';
import { resetButtons, resetScope, RESET_CONFIRMATION_SECONDS } from '../../lib/invites/reset-confirmation.js';

@ApplyOptions<Command.Options>(adminCommand("Reset the server's invite counts, or one member's (asks for confirmation; a backup is made first)"))
export class ResetInvitesCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry): void {
		registry.registerChatInputCommand((builder) =>
			inGuildsOnly(builder)
				.setName(this.name)
				.setDescription(this.description)
				.setDefaultMemberPermissions(ADMIN_DEFAULT_PERMISSIONS)
				.addUserOption((option) => option.setName('user').setDescription('Only this member (everyone, if left out)'))
		);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
		const target = interaction.options.getUser('user');
		await interaction.reply({
			content: `This resets ${resetScope(target?.id ?? null)}. A backup is made first. Confirm within ${RESET_CONFIRMATION_SECONDS / 60} minutes.`,
			components: [resetButtons(target?.id ?? null, interaction.user.id)],
			flags: MessageFlags.Ephemeral,
			allowedMentions: { parse: [] }
		});
	}
}
