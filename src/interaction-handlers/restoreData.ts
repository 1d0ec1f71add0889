import { ApplyOptions } from '@sapphire/decorators';
import { InteractionHandler, InteractionHandlerTypes } from '@sapphire/framework';
import { fetchT } from '@sapphire/plugin-i18next';
import { MessageFlags, PermissionFlagsBits, type ButtonInteraction } from 'discord.js';
import { restoreAndReload } from '../lib/data/restore.js';
import { backupListPage, parseRestoreButton, restoreResultEmbed, RESTORE_CONFIRMATION_SECONDS, type RestoreButton } from '../lib/data/views.js';
import { userFacingMessage } from '../lib/interaction-reply.js';

/** /restore-data's buttons: list pages, and the confirmation. Every click is checked again (owner, Manage Server). */
@ApplyOptions<InteractionHandler.Options>({ interactionHandlerType: InteractionHandlerTypes.Button })
export class RestoreDataHandler extends InteractionHandler {
	public override parse(interaction: ButtonInteraction) {
		const button = parseRestoreButton(interaction.customId);
		return button && interaction.inGuild() ? this.some(button) : this.none();
	}

	public override async run(interaction: ButtonInteraction<'cached'>, button: RestoreButton): Promise<void> {
		const refuse = (content: string) => interaction.reply({ content, flags: MessageFlags.Ephemeral });
		if (!this.container.config.ownerIds.includes(interaction.user.id)) return void (await refuse('Restoring data is only for the bot owner.'));
		if (!interaction.memberPermissions.has(PermissionFlagsBits.ManageGuild))
			return void (await refuse('You need the Manage Server permission to restore data.'));
		const { storage, logger } = this.container;
		// A page reads the backup list, a restore rewrites everything: acknowledged before either (3 s deadline).
		await interaction.deferUpdate();

		if (button.action === 'page') return void (await interaction.editReply(backupListPage(await storage.listBackups(), button.page)));
		if (button.action === 'cancel')
			return void (await interaction.editReply({ content: 'Restore cancelled; nothing was changed.', embeds: [], components: [] }));
		if (Date.now() - button.issuedAt > RESTORE_CONFIRMATION_SECONDS * 1000) {
			return void (await interaction.editReply({
				content: 'This confirmation has expired; nothing was changed. Run /restore-data again.',
				components: []
			}));
		}

		await interaction.editReply({ content: `Restoring \`${button.backupId}\`: backing up the current state first…`, components: [] });
		try {
			const outcome = await restoreAndReload(storage, button.backupId);
			logger.warn(
				`Backup ${button.backupId} restored by ${interaction.user.id} through /restore-data; the state before it is ${outcome.safetyBackup.id}`
			);
			await interaction.editReply({ content: '', embeds: [restoreResultEmbed(outcome)], components: [] });
		} catch (error) {
			logger.error(`Restore of ${button.backupId} failed: ${(error as Error).message}`);
			const t = await fetchT(interaction);
			await interaction.editReply({ content: t('data:restoreFailed', { reason: userFacingMessage(t, error) }), components: [] });
		}
	}
}
