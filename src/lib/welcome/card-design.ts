import type { TFunction } from '@sapphire/plugin-i18next';
import type { Guild, GuildMember, PartialGuildMember } from 'discord.js';
import type { Storage } from '../../storage-adapters/types.js';
import { readGuildSettings, updateGuildSettings, type CardDesign } from '../guild-settings.js';
import { refusal } from '../interaction-reply.js';
import { longestRendering, PLACEHOLDER_LIST, PLACEHOLDERS, renderTemplate, type PlaceholderValues } from '../templates/placeholders.js';
import { cardAltText, DEFAULT_CARD_STYLE, defaultCardText, fetchAvatar, renderCard, type CardStyle } from './card.js';
import { deleteBackground, readBackground } from './card-background.js';

/** A line longer than this does not fit the card even at its smallest font. */
export const CARD_LINE_LIMIT = 100;
export const MAX_CARD_LINES = 4;
const KNOWN_PLACEHOLDERS = new Set<string>(PLACEHOLDERS.map((placeholder) => placeholder.name));
const MENTION = /^<@!?(\d+)>$/;

/** A drawn card and its alt text. */
export interface GreetingCard {
	png: Buffer;
	alt: string;
}

export async function readCardDesign(storage: Storage, guildId: string): Promise<CardDesign> {
	return (await readGuildSettings(storage, guildId)).card ?? {};
}

/** Changes the design (only the `card` field of the settings); an empty design is removed. */
export async function updateCardDesign(storage: Storage, guildId: string, change: (design: CardDesign) => CardDesign): Promise<CardDesign> {
	const updated = await updateGuildSettings(storage, guildId, (settings) => {
		const card = Object.fromEntries(Object.entries(change(settings.card ?? {})).filter(([, value]) => value !== undefined)) as CardDesign;
		return { ...settings, card: Object.keys(card).length > 0 ? card : undefined };
	});
	return updated.card ?? {};
}

/** Back to the default card: the design and the stored background are removed. */
export async function resetCardDesign(storage: Storage, guildId: string): Promise<void> {
	await updateGuildSettings(storage, guildId, ({ card: _card, ...settings }) => settings);
	await deleteBackground(storage, guildId);
}

/** Refuses a text line with a placeholder we do not know, or one that can be too long for the card once filled in. */
export function checkCardLines(lines: string[]): void {
	lines.forEach((line, index) => {
		const unknown = [...line.matchAll(/\{([A-Za-z_]\w*)\}/g)].map((match) => match[1]!).filter((name) => !KNOWN_PLACEHOLDERS.has(name));
		if (unknown.length > 0)
			throw refusal('welcome:card.lineUnknownPlaceholder', {
				line: index + 1,
				placeholders: unknown.map((name) => `{${name}}`).join(', '),
				valid: PLACEHOLDER_LIST
			});
		const longest = longestRendering(line);
		if (longest > CARD_LINE_LIMIT) throw refusal('welcome:card.lineTooLong', { line: index + 1, length: longest, limit: CARD_LINE_LIMIT });
	});
}

/** The style a design asks for, with the stored background (read from storage, never downloaded here). */
export async function cardStyle(storage: Storage, guildId: string, design: CardDesign): Promise<CardStyle> {
	return {
		background: await readBackground(storage, guildId),
		backgroundColor: design.backgroundColor ?? DEFAULT_CARD_STYLE.backgroundColor,
		accentColor: design.accentColor ?? DEFAULT_CARD_STYLE.accentColor,
		textColor: design.textColor ?? DEFAULT_CARD_STYLE.textColor,
		avatar: design.avatar ?? DEFAULT_CARD_STYLE.avatar
	};
}

/** On a picture a mention is not a link: it shows as the name it stands for. */
function cardValues(t: TFunction, guild: Guild, values: PlaceholderValues, memberName: string): PlaceholderValues {
	const nameOf = (text: string) => {
		const id = MENTION.exec(text)?.[1];
		if (!id) return text;
		return guild.members.cache.get(id)?.displayName ?? guild.client.users.cache.get(id)?.username ?? t('welcome:card.someone');
	};
	return { ...values, user: memberName, inviter: nameOf(values.inviter) };
}

/**
 * The welcome or goodbye card of a member: the server's design, and its text lines on the welcome card (the goodbye
 * keeps its own text), else the text of the server's language.
 */
export async function drawGreetingCard(
	storage: Storage,
	t: TFunction,
	kind: 'welcome' | 'goodbye',
	guild: Guild,
	member: GuildMember | PartialGuildMember,
	values: PlaceholderValues
): Promise<GreetingCard> {
	const name = member.displayName || member.user.username;
	const design = await readCardDesign(storage, guild.id);
	const style = await cardStyle(storage, guild.id, design);
	const avatar = style.avatar ? await fetchAvatar(member.user.displayAvatarURL({ extension: 'png', size: 256 })) : null;
	let text = defaultCardText(t, kind, { name, serverName: guild.name, memberCount: guild.memberCount });
	if (kind === 'welcome' && design.lines) {
		const lines = design.lines.map((line) => renderTemplate(line, cardValues(t, guild, values, name)));
		text = { title: lines[0] ?? '', name: lines[1] ?? '', subtitle: lines[2] ?? '', footer: lines[3] ?? '' };
	}
	return { png: await renderCard({ ...text, initialOf: name, avatar }, style), alt: cardAltText(t, kind, name) };
}
