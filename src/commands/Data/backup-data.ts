import { ApplyOptions } from '@sapphire/decorators';
import { Command } from '@sapphire/framework';
import { fetchT } from '@sapphire/plugin-i18next';
import { MessageFlags } from 'discord.js';
import { ADMIN_DEFAULT_PERMISSIONS, adminCommand, inGuildsOnly } from '../../lib/command-options.js';
import { backupEmbed } from '../../lib/data/views.js';
import { localizeCommand } from '../../lib/i18n/command-localizations.js';

/** Bot-wide: a backup holds every server's data, so it is for the owners in OWNER_IDS (who also need Manage Server here). */
@ApplyOptions<Command.Options>({ ...adminCommand(), preconditions: ['BotOwner'] })
export class BackupDataCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry): void {
		registry.registerChatInputCommand((builder) =>
			localizeCommand(inGuildsOnly(builder).setName(this.name).setDefaultMemberPermissions(ADMIN_DEFAULT_PERMISSIONS))
		);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
		await interaction.deferReply({ flags: MessageFlags.Ephemeral });
		const backup = await this.container.storage.backup(`manual-${interaction.user.id}`);
		this.container.logger.info(`Backup ${backup.id} made by ${interaction.user.id} through /backup-data`);
		await interaction.editReply({ embeds: [backupEmbed(await fetchT(interaction), backup)] });
	}
}
