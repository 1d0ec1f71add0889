import { ApplyOptions } from '@sapphire/decorators';
import { Command } from '@sapphire/framework';
import { ADMIN_DEFAULT_PERMISSIONS, adminCommand, inGuildsOnly } from '../../lib/command-options.js';
import { findBackup } from '../../lib/data/restore.js';
import { deferFirst } from '../../lib/interaction-reply.js';
import { backupListPage, restoreConfirmation } from '../../lib/data/views.js';

/** Without an id: the backups, paged. With an id: a confirmation; the restore itself runs on the button (interaction-handlers/restoreData). */
@ApplyOptions<Command.Options>({
	...adminCommand("List backups, or restore one (replaces every server's data; bot owners only)"),
	preconditions: ['BotOwner']
})
export class RestoreDataCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry): void {
		registry.registerChatInputCommand((builder) =>
			inGuildsOnly(builder)
				.setName(this.name)
				.setDescription(this.description)
				.setDefaultMemberPermissions(ADMIN_DEFAULT_PERMISSIONS)
				.addStringOption((option) => option.setName('id').setDescription('The backup to restore (leave out to list them)').setMaxLength(100))
		);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
		const id = interaction.options.getString('id')?.trim();
		const { storage } = this.container;
		// Listing and finding backups read storage: acknowledged first (3 s deadline).
		await deferFirst(interaction, { ephemeral: true });
		if (!id) {
			await interaction.editReply(backupListPage(await storage.listBackups(), 1));
			return;
		}
		const backup = await findBackup(storage, id);
		await interaction.editReply(restoreConfirmation(backup));
	}
}
