import { container, UserError } from '@sapphire/framework';
import { MessageFlags, type RepliableInteraction } from 'discord.js';
import { isStorageOutage } from '../storage-adapters/index.js';
import { describeError } from './secrets.js';

/** What a user sees when a command fails unexpectedly; the details go to the log, not to the channel. */
export const UNEXPECTED_ERROR_MESSAGE = 'Something went wrong while running this command. It has been logged; please try again later.';

/** What a user sees when the storage backend (Redis) cannot be reached: nothing was changed, and it is not their fault. */
export const STORAGE_UNAVAILABLE_MESSAGE = "The bot's storage is unavailable right now, so nothing was changed. Please try again in a minute.";

/** A UserError is written for the user; a storage outage is named; anything else is a bug whose details stay in the log. */
export function userFacingMessage(error: unknown): string {
	if (error instanceof UserError) return error.message;
	return isStorageOutage(error) ? STORAGE_UNAVAILABLE_MESSAGE : UNEXPECTED_ERROR_MESSAGE;
}

/** True when a UserError asked to stay silent (`context: { silent: true }`). */
export function isSilent(error: UserError): boolean {
	return Reflect.get(Object(error.context), 'silent') === true;
}

/**
 * Answers only the user who ran the command, whatever state the interaction is in:
 * a deferred reply is edited, an answered one gets an ephemeral follow-up, a fresh one an ephemeral reply.
 * Never throws: an expired interaction is logged, not turned into another error event.
 */
export async function replyEphemeral(interaction: RepliableInteraction, content: string): Promise<void> {
	// An error message must never ping anyone.
	const allowedMentions = { parse: [] };
	try {
		if (interaction.deferred && !interaction.replied) await interaction.editReply({ content, allowedMentions });
		else if (interaction.replied) await interaction.followUp({ content, allowedMentions, flags: MessageFlags.Ephemeral });
		else await interaction.reply({ content, allowedMentions, flags: MessageFlags.Ephemeral });
	} catch (error) {
		container.logger.warn(`Could not answer interaction ${interaction.id}: ${describeError(error)}`);
	}
}
