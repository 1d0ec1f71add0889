import { getLocalizedData } from '@sapphire/plugin-i18next';
import type { APIApplicationCommandOptionChoice, LocalizationMap } from 'discord.js';

/** The parts of a slash command, subcommand or option builder that carry text (duck-typed across builder classes). */
interface DescribedBuilder {
	readonly name: string;
	setDescription(description: string): unknown;
	setDescriptionLocalizations(localizations: LocalizationMap | null): unknown;
	readonly options?: readonly unknown[];
	readonly choices?: APIApplicationCommandOptionChoice[];
}

/**
 * Fills in every description and choice name of a slash command from the `commands` namespace, in the source
 * language with localizations for every other one (Discord shows them in each user's client; names stay English so
 * that docs and muscle memory work everywhere). The key of a node is its path of names:
 * `commands:<command>.description`, `commands:<command>.options.<option>.description`,
 * `commands:<command>.options.<subcommand>.options.<option>.description`, and
 * `commands:<command>.options.<option>.choices.<value>` for a choice.
 */
export function localizeCommand<T extends DescribedBuilder>(builder: T): T {
	localizeNode(builder, `commands:${builder.name}`);
	return builder;
}

function localizeNode(node: DescribedBuilder, path: string): void {
	const description = localizedText(`${path}.description`);
	node.setDescription(description.value);
	node.setDescriptionLocalizations(description.localizations);
	for (const choice of node.choices ?? []) {
		const name = localizedText(`${path}.choices.${String(choice.value)}`);
		choice.name = name.value;
		choice.name_localizations = name.localizations;
	}
	for (const option of node.options ?? []) localizeNode(option as DescribedBuilder, `${path}.options.${(option as DescribedBuilder).name}`);
}

/** i18next answers a missing key with the key itself: in the source language that is a bug to stop at, not a description. */
function localizedText(key: string): ReturnType<typeof getLocalizedData> {
	const data = getLocalizedData(key);
	if (data.value === key.slice(key.indexOf(':') + 1) || data.value === key) throw new Error(`No text for ${key} in src/languages/en-US`);
	return data;
}
