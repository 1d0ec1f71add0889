import { ApplyOptions } from '@sapphire/decorators';
import { InteractionHandler, InteractionHandlerTypes } from '@sapphire/framework';
import { MessageFlags, PermissionFlagsBits, type ButtonInteraction } from 'discord.js';
import { parseResetButton, resetScope, RESET_CONFIRMATION_SECONDS, type ResetRequest } from '../lib/invites/reset-confirmation.js';

@ApplyOptions<InteractionHandler.Options>({ interactionHandlerType: InteractionHandlerTypes.Button })
export class ResetInvitesConfirmationHandler extends InteractionHandler {
	public override parse(interaction: ButtonInteraction) {
		const request = parseResetButton(interaction.customId);
		return request && interaction.inGuild() ? this.some(request) : this.none();
	}

	public override async run(interaction: ButtonInteraction<'cached'>, request: ResetRequest): Promise<void> {
		const refuse = (content: string) => interaction.reply({ content, flags: MessageFlags.Ephemeral });
		if (interaction.user.id !== request.adminId) return void (await refuse('Only the admin who asked for this reset can confirm it.'));
		if (!interaction.memberPermissions.has(PermissionFlagsBits.ManageGuild))
			return void (await refuse('You need the Manage Server permission to reset invites.'));
		if (request.action === 'cancel') return void (await interaction.update({ content: 'Reset cancelled; nothing was changed.', components: [] }));
		if (Date.now() - request.issuedAt > RESET_CONFIRMATION_SECONDS * 1000) {
			return void (await interaction.update({
				content: 'This confirmation has expired; nothing was changed. Run /reset-invites again.',
				components: []
			}));
		}
		await interaction.deferUpdate();
		const { affected, backup } = await this.container.invites.reset(interaction.guildId, request.targetId ?? undefined);
		await interaction.editReply({
			content: `Reset ${resetScope(request.targetId)}: ${affected} member${affected === 1 ? '' : 's'} affected. A backup was made first: \`${backup.id}\`.`,
			components: [],
			allowedMentions: { parse: [] }
		});
	}
}
