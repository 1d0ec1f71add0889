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
 * Acknowledges the interaction before any storage or Discord work: Discord drops an interaction not answered within
 * 3 seconds (10062 Unknown interaction), and a storage under load or a request queued behind a rate limit can take
 * longer. The answer then comes as an edit (`editReply`), up to 15 minutes later. `ephemeral` is decided here, once.
 */
export async function deferFirst(interaction: RepliableInteraction, { ephemeral }: { ephemeral: boolean }): Promise<void> {
	if (interaction.deferred || interaction.replied) return;
	await interaction.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {});
}

/**
 * Answers only the user who ran the command, whatever state the interaction is in:
 * a deferred private reply is edited, a deferred public one replaced by a private follow-up, an answered one gets a
 * private follow-up, a fresh one a private reply.
 * Never throws: an expired interaction is logged, not turned into another error event.
 */
export async function replyEphemeral(interaction: RepliableInteraction, content: string): Promise<void> {
	// An error message must never ping anyone.
	const allowedMentions = { parse: [] };
	try {
		// `ephemeral` is false only after a public deferReply; a deferred component update leaves it null.
		if (interaction.deferred && !interaction.replied && interaction.ephemeral === false) {
			// A public "thinking…" must not turn into a public error: it goes, the error is said privately.
			await interaction.deleteReply();
			await interaction.followUp({ content, allowedMentions, flags: MessageFlags.Ephemeral });
		} else if (interaction.deferred && !interaction.replied) await interaction.editReply({ content, allowedMentions });
		else if (interaction.replied) await interaction.followUp({ content, allowedMentions, flags: MessageFlags.Ephemeral });
		else await interaction.reply({ content, allowedMentions, flags: MessageFlags.Ephemeral });
	} catch (error) {
		container.logger.warn(`Could not answer interaction ${interaction.id}: ${describeError(error)}`);
	}
}
