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
		// Refused privately (the language is read from storage: acknowledged first, 3 s deadline), the message untouched.
		const refuse = async (key: string) => {
			await interaction.deferReply({ flags: MessageFlags.Ephemeral });
			await interaction.editReply({ content: (await fetchT(interaction))(key) });
		};
		if (!this.container.config.ownerIds.includes(interaction.user.id)) return void (await refuse('data:restoreOwnerOnly'));
		if (!interaction.memberPermissions.has(PermissionFlagsBits.ManageGuild)) return void (await refuse('data:restoreNeedsManageGuild'));
		const { storage, logger } = this.container;
		// A page reads the backup list, a restore rewrites everything: acknowledged before either (3 s deadline).
		await interaction.deferUpdate();
		const t = await fetchT(interaction);

		if (button.action === 'page') return void (await interaction.editReply(backupListPage(t, await storage.listBackups(), button.page)));
		if (button.action === 'cancel')
			return void (await interaction.editReply({ content: t('data:restoreCancelled'), embeds: [], components: [] }));
		if (Date.now() - button.issuedAt > RESTORE_CONFIRMATION_SECONDS * 1000) {
			return void (await interaction.editReply({ content: t('data:confirmationExpired'), components: [] }));
		}

		await interaction.editReply({ content: t('data:restoring', { id: button.backupId }), components: [] });
		try {
			const outcome = await restoreAndReload(storage, button.backupId);
			logger.warn(
				`Backup ${button.backupId} restored by ${interaction.user.id} through /restore-data; the state before it is ${outcome.safetyBackup.id}`
			);
			// Said in the language of the restored data: a restore may bring back another language choice.
			await interaction.editReply({ content: '', embeds: [restoreResultEmbed(await fetchT(interaction), outcome)], components: [] });
		} catch (error) {
			logger.error(`Restore of ${button.backupId} failed: ${(error as Error).message}`);
			await interaction.editReply({ content: t('data:restoreFailed', { reason: userFacingMessage(t, error) }), components: [] });
		}
	}
}
