import type { TFunction } from '@sapphire/plugin-i18next';
import { channelMention, type Guild } from 'discord.js';
import { parseDelay } from '../autorole/delay.js';
import { GREETING_VARIANTS, type GreetingSettings, type GreetingVariant } from '../guild-settings.js';
import { refusal } from '../interaction-reply.js';
import { PLACEHOLDERS } from '../templates/placeholders.js';
import { explain } from '../templates/reasons.js';
import { parseEmbedJson } from './embed.js';
import { greetingProblem, normalizeBanner, parseColor, type GreetingKind } from './message.js';
import { channelProblem } from './service.js';

/** What an admin chose, from /setup-welcome's options or the dashboard's form: one set of checks for both. */
export interface GreetingSetupInput {
	channelId: string;
	/** The main text; may be left out when pasted embed JSON brings a description. */
	message: string | null;
	/** "generated", an image URL, "none" or null. */
	banner: string | null;
	/** null: an embed when anything of an embed is set. */
	embed: boolean | null;
	title: string | null;
	footer: string | null;
	/** Hex like #57F287. */
	colour: string | null;
	content: string | null;
	thumbnail?: string | null;
	author?: string | null;
	/** Embed JSON as Discord's own tools produce it: the base that the other fields refine. */
	embedJson?: string | null;
	/** A text per way the member came, falling back to `message`. */
	variants?: Partial<Record<GreetingVariant, string | null>>;
	/** Welcome only. */
	dm: boolean | null;
	afterScreening: boolean | null;
	/** Welcome only: durations like 10m or 1h30m (at most 7d). */
	deleteIfLeftWithin?: string | null;
	deleteAfter?: string | null;
}

/** The placeholders, one a line, described in the server's language. */
export function placeholderHelp(t: TFunction): string {
	return PLACEHOLDERS.map((placeholder) => `\`{${placeholder.name}}\` ${t(`welcome:placeholders.${placeholder.name.replace(':', '_')}`)}`).join(
		'\n'
	);
}

/** The settings to store, or a refusal saying why the setup is refused (a bad colour, JSON, duration, template or channel). */
export function greetingSettingsFrom(t: TFunction, guild: Guild, kind: GreetingKind, input: GreetingSetupInput): Omit<GreetingSettings, 'problem'> {
	const color = input.colour === null ? null : parseColor(input.colour);
	if (input.colour !== null && color === null) throw refusal('welcome:setup.notAColour', { colour: input.colour });
	const parsed = input.embedJson ? parseEmbedJson(input.embedJson) : null;
	if (parsed && !parsed.ok) throw refusal('welcome:setup.refusedJson', { reason: explain(t, parsed.reason) });
	const design = parsed?.ok ? parsed.design : {};
	const title = input.title ?? design.title ?? null;
	const footer = input.footer ?? design.footer?.text ?? null;
	const content = input.content ?? design.content ?? null;
	const thumbnail = input.thumbnail ?? design.thumbnail ?? null;
	const authorName = input.author ?? design.author?.name ?? null;
	const author = authorName === null ? null : { ...design.author, name: authorName };
	const colour = color ?? design.color ?? null;
	const template = input.message ?? design.description ?? null;
	if (template === null) throw refusal('welcome:setup.noMessage');
	const styled = title !== null || footer !== null || colour !== null || content !== null || thumbnail !== null || author !== null;
	const variants: Partial<Record<GreetingVariant, string>> = {};
	for (const variant of GREETING_VARIANTS) {
		const text = input.variants?.[variant];
		if (text) variants[variant] = text;
	}
	const duration = (option: 'delete-if-left-within' | 'delete-after', text: string | null | undefined) => {
		if (kind !== 'welcome' || !text) return undefined;
		const delay = parseDelay(text);
		if (!delay.ok) throw refusal('welcome:setup.badDuration', { option, reason: explain(t, delay.reason) });
		return delay.ms > 0 ? delay.ms : undefined;
	};
	const deleteIfLeftWithinMs = duration('delete-if-left-within', input.deleteIfLeftWithin);
	const deleteAfterMs = duration('delete-after', input.deleteAfter);
	const settings: Omit<GreetingSettings, 'problem'> = {
		channelId: input.channelId,
		template,
		banner: normalizeBanner(input.banner ?? design.image ?? null),
		embed: input.embed ?? (styled || parsed !== null),
		dm: kind === 'welcome' ? (input.dm ?? false) : false,
		...(kind === 'welcome' ? { afterScreening: input.afterScreening ?? true } : {}),
		title,
		footer,
		color: colour,
		content,
		timestamp: design.timestamp ?? false,
		...(thumbnail === null ? {} : { thumbnail }),
		...(author === null ? {} : { author }),
		...(design.url ? { url: design.url } : {}),
		...(design.footer?.iconUrl ? { footerIcon: design.footer.iconUrl } : {}),
		...(design.fields?.length ? { fields: design.fields } : {}),
		...(Object.keys(variants).length > 0 ? { variants } : {}),
		...(deleteIfLeftWithinMs ? { deleteIfLeftWithinMs } : {}),
		...(deleteAfterMs ? { deleteAfterMs } : {})
	};
	const refused = greetingProblem(settings);
	if (refused) throw refusal('welcome:setup.refused', { reason: explain(t, refused), help: placeholderHelp(t) });
	const blocked = channelProblem(guild, input.channelId, settings);
	if (blocked) throw refusal('welcome:setup.channelUnusable', { channel: channelMention(input.channelId), reason: explain(t, blocked) });
	return settings;
}
