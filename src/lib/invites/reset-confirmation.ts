import type { TFunction } from '@sapphire/plugin-i18next';
import { ActionRowBuilder, ButtonBuilder, ButtonStyle, userMention } from 'discord.js';

/** Custom id of the reset buttons: `reset-invites:<confirm|cancel>:<userId|all>:<adminId>:<issued, unix seconds>`. */
export const RESET_BUTTON = 'reset-invites';
/** A confirmation left on screen for longer than this is refused: the admin should look at the counts again. */
export const RESET_CONFIRMATION_SECONDS = 5 * 60;

export interface ResetRequest {
	action: 'confirm' | 'cancel';
	targetId: string | null;
	adminId: string;
	issuedAt: number;
}

export function resetButtons(t: TFunction, targetId: string | null, adminId: string, now = Date.now()) {
	const suffix = `${targetId ?? 'all'}:${adminId}:${Math.floor(now / 1000)}`;
	return new ActionRowBuilder<ButtonBuilder>().addComponents(
		new ButtonBuilder().setCustomId(`${RESET_BUTTON}:confirm:${suffix}`).setLabel(t('invites:resetButton')).setStyle(ButtonStyle.Danger),
		new ButtonBuilder().setCustomId(`${RESET_BUTTON}:cancel:${suffix}`).setLabel(t('invites:cancelButton')).setStyle(ButtonStyle.Secondary)
	);
}

export function parseResetButton(customId: string): ResetRequest | null {
	const [prefix, action, target, adminId, issued] = customId.split(':');
	if (prefix !== RESET_BUTTON || (action !== 'confirm' && action !== 'cancel') || !target || !adminId || !issued) return null;
	return { action, targetId: target === 'all' ? null : target, adminId, issuedAt: Number(issued) * 1000 };
}

export function resetScope(t: TFunction, targetId: string | null): string {
	return targetId ? t('invites:resetScopeMember', { member: userMention(targetId) }) : t('invites:resetScopeAll');
}
