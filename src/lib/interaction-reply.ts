import { container, UserError } from '@sapphire/framework';
import type { TFunction } from '@sapphire/plugin-i18next';
import { MessageFlags, type RepliableInteraction } from 'discord.js';
import { isStorageOutage } from '../storage-adapters/index.js';
import { say, type Text } from './i18n/text.js';
import { describeError } from './secrets.js';

/** Language keys look like `namespace:key`; a UserError whose identifier is one is a refusal to translate. */
const LANGUAGE_KEY = /^[a-z-]+:[\w.-]+$/;

/**
 * A refusal written for the user, in the language of whoever reads it: the identifier is its language key, the
 * context its variables (the error listeners translate it; see userFacingMessage).
 */
export function refusal(key: string, variables: Record<string, unknown> = {}): UserError {
	return new UserError(refusalOptions(key, variables));
}

/** The same, for a precondition's `this.error(...)`. */
export function refusalOptions(key: string, variables: Record<string, unknown> = {}) {
	return { identifier: key, message: key, context: variables };
}

/** A refusal from a Text (src/lib/i18n/text.ts), such as a parser's or a state transition's reason. */
export function refusalOf(reason: Text): UserError {
	return refusal(reason.key, { ...reason.vars });
}

/**
 * A refusal is translated; an older UserError is shown as written; a storage outage is named (nothing was changed,
 * and it is not the user's fault); anything else is a bug whose details stay in the log.
 */
export function userFacingMessage(t: TFunction, error: unknown): string {
	if (error instanceof UserError)
		return LANGUAGE_KEY.test(error.identifier)
			? say(t, { key: error.identifier, vars: Object(error.context) as Record<string, unknown> })
			: error.message;
	return t(isStorageOutage(error) ? 'errors:storageUnavailable' : 'errors:unexpected');
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

/** `deferFirst` (private) for an answer about to be written; an interaction already gone is left to replyEphemeral's log. */
export async function acknowledge(interaction: RepliableInteraction): Promise<void> {
	await deferFirst(interaction, { ephemeral: true }).catch(() => undefined);
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
