import type { SlashCommandBuilder, SlashCommandSubcommandBuilder } from 'discord.js';
import { PERIOD_NAMES } from './periods.js';

/**
 * Room for "YYYY-MM-DD" and what people type instead ("1.3.2026", a trailing space): a date of the wrong length is
 * answered by our refusal, which says how to write it, not by Discord's bare length error.
 */
const SINCE_MAX_LENGTH = 32;

/** The `period` and `since` options of the commands that take a period; choice names come from localizeCommand. */
export function addPeriodOptions<T extends SlashCommandBuilder | SlashCommandSubcommandBuilder>(builder: T): T {
	builder
		.addStringOption((option) => option.setName('period').addChoices(...PERIOD_NAMES.map((name) => ({ name, value: name }))))
		.addStringOption((option) => option.setName('since').setMaxLength(SINCE_MAX_LENGTH));
	return builder;
}
