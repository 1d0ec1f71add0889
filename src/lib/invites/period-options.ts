import type { SlashCommandBuilder, SlashCommandSubcommandBuilder } from 'discord.js';
import { PERIOD_NAMES } from './periods.js';

/** "YYYY-MM-DD". */
const SINCE_LENGTH = 10;

/** The `period` and `since` options of the commands that take a period; choice names come from localizeCommand. */
export function addPeriodOptions<T extends SlashCommandBuilder | SlashCommandSubcommandBuilder>(builder: T): T {
	builder
		.addStringOption((option) => option.setName('period').addChoices(...PERIOD_NAMES.map((name) => ({ name, value: name }))))
		.addStringOption((option) => option.setName('since').setMinLength(SINCE_LENGTH).setMaxLength(SINCE_LENGTH));
	return builder;
}
