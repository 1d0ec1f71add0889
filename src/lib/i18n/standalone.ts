import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import i18next, { type TFunction } from 'i18next';
import { FORMATTERS } from './formatters.js';
import { SOURCE_LANGUAGE, type Language } from './languages.js';

/** src/languages, copied by the build to dist/languages: the same relative place from src/lib/i18n and dist/lib/i18n. */
export const LANGUAGES_DIRECTORY = fileURLToPath(new URL('../../languages/', import.meta.url));

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

/**
 * A translator outside the bot's client, with the plugin's settings (escapeValue off, the source language as fallback,
 * our formatters): for the data CLI, which speaks to operators in the source language, and for lib code under test.
 */
export function languageT(language: Language = SOURCE_LANGUAGE, files: LanguageFiles = readLanguageFiles()): TFunction {
	const instance = i18next.createInstance();
	void instance.init({
		resources: files,
		lng: language,
		fallbackLng: SOURCE_LANGUAGE,
		initImmediate: false,
		showSupportNotice: false,
		interpolation: { escapeValue: false }
	});
	for (const { name, format } of FORMATTERS) instance.services.formatter?.add(name, format);
	return instance.getFixedT(language);
}
