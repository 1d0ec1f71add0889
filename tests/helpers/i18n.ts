import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import i18next, { type TFunction } from 'i18next';
import { SOURCE_LANGUAGE, type Language } from '../../src/lib/i18n/languages.js';

/** src/languages: what the build copies to dist/languages, where @sapphire/plugin-i18next reads it. */
export const LANGUAGES_DIRECTORY = fileURLToPath(new URL('../../src/languages/', import.meta.url));

export type LanguageFiles = Record<string, Record<string, Record<string, unknown>>>;

/** Every language folder and namespace file, parsed: `{ de: { invites: {...} } }`. */
export function readLanguageFiles(directory = LANGUAGES_DIRECTORY): LanguageFiles {
	const files: LanguageFiles = {};
	for (const language of readdirSync(directory)) {
		files[language] = {};
		for (const file of readdirSync(join(directory, language)).filter((name) => name.endsWith('.json')))
			files[language][basename(file, '.json')] = JSON.parse(readFileSync(join(directory, language, file), 'utf8')) as Record<string, unknown>;
	}
	return files;
}

/** The same i18next settings as the bot's plugin (escapeValue off, the source language as fallback), for lib code under test. */
export function languageT(language: Language = SOURCE_LANGUAGE): TFunction {
	const instance = i18next.createInstance();
	void instance.init({
		resources: readLanguageFiles(),
		lng: language,
		fallbackLng: SOURCE_LANGUAGE,
		initImmediate: false,
		showSupportNotice: false,
		interpolation: { escapeValue: false }
	});
	return instance.getFixedT(language);
}
