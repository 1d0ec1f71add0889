/**
 * The languages the bot speaks, as Discord locale codes (discord-api-docs, reference.mdx, Locales). The first is the
 * source: every other language has exactly its keys (tests/unit/i18n/languages.test.ts). Kept free of discord.js so
 * that the config and the data CLI can import it.
 */
export const LANGUAGES = ['en-US', 'de', 'fr', 'es-ES', 'pt-BR'] as const;
export type Language = (typeof LANGUAGES)[number];

export const SOURCE_LANGUAGE: Language = 'en-US';

/** Each language's name in itself, for `/language set` and `/language show`. */
export const LANGUAGE_NAMES: Record<Language, string> = {
	'en-US': 'English (US)',
	de: 'Deutsch',
	fr: 'Français',
	'es-ES': 'Español',
	'pt-BR': 'Português (Brasil)'
};

export function isLanguage(value: unknown): value is Language {
	return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/**
 * The language we speak for a Discord locale: the same code, else the same language in another region (en-GB and
 * en-US, es-419 and es-ES), else null.
 */
export function languageForLocale(locale: string | null | undefined): Language | null {
	if (!locale) return null;
	if (isLanguage(locale)) return locale;
	const base = locale.split('-')[0]!.toLowerCase();
	return LANGUAGES.find((language) => language.split('-')[0]!.toLowerCase() === base) ?? null;
}
