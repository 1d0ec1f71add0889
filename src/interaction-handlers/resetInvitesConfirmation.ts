import { ApplyOptions } from '@sapphire/decorators';
import { InteractionHandler, InteractionHandlerTypes } from '@sapphire/framework';
import { fetchT } from '@sapphire/plugin-i18next';
import { MessageFlags, PermissionFlagsBits, type ButtonInteraction } from 'discord.js';
import { parseResetButton, resetScope, RESET_CONFIRMATION_SECONDS, type ResetRequest } from '../lib/invites/reset-confirmation.js';

@ApplyOptions<InteractionHandler.Options>({ interactionHandlerType: InteractionHandlerTypes.Button })
export class ResetInvitesConfirmationHandler extends InteractionHandler {
	public override parse(interaction: ButtonInteraction) {
		const request = parseResetButton(interaction.customId);
		return request && interaction.inGuild() ? this.some(request) : this.none();
	}

	public override async run(interaction: ButtonInteraction<'cached'>, request: ResetRequest): Promise<void> {
		// Decided from memory, then acknowledged (a private reply for a refusal, an update otherwise) before the
		// server's language is read from storage: the 3 s deadline holds under a slow storage.
		const refusal =
			interaction.user.id === request.adminId
				? interaction.memberPermissions.has(PermissionFlagsBits.ManageGuild)
					? null
					: 'invites:resetNeedsManageServer'
				: 'invites:resetOnlyAsker';
		if (refusal) {
			await interaction.deferReply({ flags: MessageFlags.Ephemeral });
			const t = await fetchT(interaction);
			return void (await interaction.editReply({ content: t(refusal) }));
		}
		await interaction.deferUpdate();
		const t = await fetchT(interaction);
		if (request.action === 'cancel') return void (await interaction.editReply({ content: t('invites:resetCancelled'), components: [] }));
		if (Date.now() - request.issuedAt > RESET_CONFIRMATION_SECONDS * 1000) {
			return void (await interaction.editReply({ content: t('invites:resetExpired'), components: [] }));
		}
		const { affected, backup } = await this.container.invites.reset(interaction.guildId, request.targetId ?? undefined);
		await interaction.editReply({
			content: t('invites:resetDone', { scope: resetScope(t, request.targetId), count: affected, backup: backup.id }),
			components: [],
			allowedMentions: { parse: [] }
		});
	}
}
