import { UserError } from '@sapphire/framework';
import { channelMention, type Guild } from 'discord.js';
import type { GreetingSettings } from '../guild-settings.js';
import { PLACEHOLDERS } from '../templates/placeholders.js';
import { greetingProblem, normalizeBanner, parseColor, type GreetingKind } from './message.js';
import { channelProblem } from './service.js';

/** What an admin chose, from /setup-welcome's options or the dashboard's form: one set of checks for both. */
export interface GreetingSetupInput {
	channelId: string;
	message: string;
	/** "generated", an image URL, "none" or null. */
	banner: string | null;
	/** null: an embed when a title, footer, colour or content is set. */
	embed: boolean | null;
	title: string | null;
	footer: string | null;
	/** Hex like #57F287. */
	colour: string | null;
	content: string | null;
	/** Welcome only. */
	dm: boolean | null;
	afterScreening: boolean | null;
}

export function placeholderHelp(): string {
	return PLACEHOLDERS.map((placeholder) => `\`{${placeholder.name}}\` ${placeholder.description}`).join('\n');
}

/** The settings to store, or a UserError saying why the setup is refused (a bad colour, template or channel). */
export function greetingSettingsFrom(guild: Guild, kind: GreetingKind, input: GreetingSetupInput): Omit<GreetingSettings, 'problem'> {
	const color = input.colour === null ? null : parseColor(input.colour);
	if (input.colour !== null && color === null)
		throw new UserError({ identifier: 'InvalidGreeting', message: `"${input.colour}" is not a colour: use hex like #57F287.` });
	const styled = input.title !== null || input.footer !== null || color !== null || input.content !== null;
	const settings: Omit<GreetingSettings, 'problem'> = {
		channelId: input.channelId,
		template: input.message,
		banner: normalizeBanner(input.banner),
		embed: input.embed ?? styled,
		dm: kind === 'welcome' ? (input.dm ?? false) : false,
		...(kind === 'welcome' ? { afterScreening: input.afterScreening ?? true } : {}),
		title: input.title,
		footer: input.footer,
		color,
		content: input.content,
		timestamp: false
	};
	const refused = greetingProblem(settings);
	if (refused) throw new UserError({ identifier: 'InvalidGreeting', message: `${refused}\n\nPlaceholders:\n${placeholderHelp()}` });
	const blocked = channelProblem(guild, input.channelId, settings);
	if (blocked)
		throw new UserError({ identifier: 'GreetingChannelUnusable', message: `Cannot use ${channelMention(input.channelId)}: ${blocked}.` });
	return settings;
}
