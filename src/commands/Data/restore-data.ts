import { ApplyOptions } from '@sapphire/decorators';
import { Command } from '@sapphire/framework';
import { fetchT } from '@sapphire/plugin-i18next';
import { ADMIN_DEFAULT_PERMISSIONS, adminCommand, inGuildsOnly } from '../../lib/command-options.js';
import { findBackup } from '../../lib/data/restore.js';
import { deferFirst } from '../../lib/interaction-reply.js';
import { backupListPage, restoreConfirmation } from '../../lib/data/views.js';
import { localizeCommand } from '../../lib/i18n/command-localizations.js';

/** Without an id: the backups, paged. With an id: a confirmation; the restore itself runs on the button (interaction-handlers/restoreData). */
@ApplyOptions<Command.Options>({
	...adminCommand(),
	preconditions: ['BotOwner']
})
export class RestoreDataCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry): void {
		registry.registerChatInputCommand((builder) =>
			localizeCommand(
				inGuildsOnly(builder)
					.setName(this.name)
					.setDefaultMemberPermissions(ADMIN_DEFAULT_PERMISSIONS)
					.addStringOption((option) => option.setName('id').setMaxLength(100))
			)
		);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
		const id = interaction.options.getString('id')?.trim();
		const { storage } = this.container;
		// Listing and finding backups read storage: acknowledged first (3 s deadline).
		await deferFirst(interaction, { ephemeral: true });
		const t = await fetchT(interaction);
		if (!id) {
			await interaction.editReply(backupListPage(t, await storage.listBackups(), 1));
			return;
		}
		const backup = await findBackup(storage, id);
		await interaction.editReply(restoreConfirmation(t, backup));
	}
}
