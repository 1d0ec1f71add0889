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
		const t = await fetchT(interaction);
		const refuse = (content: string) => interaction.reply({ content, flags: MessageFlags.Ephemeral });
		if (interaction.user.id !== request.adminId) return void (await refuse(t('invites:resetOnlyAsker')));
		if (!interaction.memberPermissions.has(PermissionFlagsBits.ManageGuild)) return void (await refuse(t('invites:resetNeedsManageServer')));
		if (request.action === 'cancel') return void (await interaction.update({ content: t('invites:resetCancelled'), components: [] }));
		if (Date.now() - request.issuedAt > RESET_CONFIRMATION_SECONDS * 1000) {
			return void (await interaction.update({ content: t('invites:resetExpired'), components: [] }));
		}
		await interaction.deferUpdate();
		const { affected, backup } = await this.container.invites.reset(interaction.guildId, request.targetId ?? undefined);
		await interaction.editReply({
			content: t('invites:resetDone', { scope: resetScope(t, request.targetId), count: affected, backup: backup.id }),
			components: [],
			allowedMentions: { parse: [] }
		});
	}
}
