import { ApplyOptions } from '@sapphire/decorators';
import { Command } from '@sapphire/framework';
import { fetchT } from '@sapphire/plugin-i18next';
import { ADMIN_DEFAULT_PERMISSIONS, adminCommand, inGuildsOnly } from '../../lib/command-options.js';
import { localizeCommand } from '../../lib/i18n/command-localizations.js';
import { deferFirst } from '../../lib/interaction-reply.js';
import { resetButtons, resetScope, RESET_CONFIRMATION_SECONDS } from '../../lib/invites/reset-confirmation.js';

@ApplyOptions<Command.Options>(adminCommand())
export class ResetInvitesCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry): void {
		registry.registerChatInputCommand((builder) =>
			localizeCommand(
				inGuildsOnly(builder)
					.setName(this.name)
					.setDefaultMemberPermissions(ADMIN_DEFAULT_PERMISSIONS)
					.addUserOption((option) => option.setName('user'))
			)
		);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
		const target = interaction.options.getUser('user');
		// The server's language is read from storage: acknowledged first (3 s deadline).
		await deferFirst(interaction, { ephemeral: true });
		const t = await fetchT(interaction);
		await interaction.editReply({
			content: t('invites:resetAsk', { scope: resetScope(t, target?.id ?? null), count: RESET_CONFIRMATION_SECONDS / 60 }),
			components: [resetButtons(t, target?.id ?? null, interaction.user.id)],
			allowedMentions: { parse: [] }
		});
	}
}
