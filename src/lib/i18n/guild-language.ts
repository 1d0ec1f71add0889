import type { Storage } from '../../storage-adapters/types.js';
import { readGuildSettings, updateGuildSettings } from '../guild-settings.js';
import { isLanguage, languageForLocale, type Language } from './languages.js';

/** What the bot knows of a guild when it picks its language (a discord.js Guild has all of it). */
export interface GuildLocaleFacts {
	readonly id: string;
	/**
	 * Discord's preferred_locale: "the preferred locale of a Community guild", en-US by default (discord-api-docs,
	 * resources/guild.mdx, Guild Object). Only Community servers can change it, so elsewhere it is no choice.
	 */
	readonly preferredLocale: string;
	readonly features: readonly string[];
}

export type LanguageReason = 'chosen' | 'community' | 'default';

/**
 * A server speaks one language, whoever asks (staff and members read the same words): the one chosen with
 * /language set; else a Community server's preferred_locale when we speak it; else DEFAULT_LANGUAGE.
 */
export async function explainGuildLanguage(
	storage: Storage,
	guild: GuildLocaleFacts,
	fallback: Language
): Promise<{ language: Language; reason: LanguageReason }> {
	const chosen = (await readGuildSettings(storage, guild.id)).language;
	if (isLanguage(chosen)) return { language: chosen, reason: 'chosen' };
	const community = guild.features.includes('COMMUNITY') ? languageForLocale(guild.preferredLocale) : null;
	return community ? { language: community, reason: 'community' } : { language: fallback, reason: 'default' };
}

export async function guildLanguage(storage: Storage, guild: GuildLocaleFacts, fallback: Language): Promise<Language> {
	return (await explainGuildLanguage(storage, guild, fallback)).language;
}

/** Stores the server's choice; null removes it (back to the Community locale or DEFAULT_LANGUAGE). */
export async function setGuildLanguage(storage: Storage, guildId: string, language: Language | null): Promise<void> {
	await updateGuildSettings(storage, guildId, ({ language: _old, ...settings }) => (language === null ? settings : { ...settings, language }));
}
