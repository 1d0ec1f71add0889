import { languageT } from '../../src/lib/i18n/standalone.js';
import { say, type Text } from '../../src/lib/i18n/text.js';

/** The bot's standalone translator and language files, for tests (one implementation: src/lib/i18n/standalone.ts). */
export { LANGUAGES_DIRECTORY, languageT, readLanguageFiles, type LanguageFiles } from '../../src/lib/i18n/standalone.js';

/** A Text (a refusal's reason, a parser's complaint) as an English reader sees it. */
export function inEnglish(value: Text): string {
	return say(languageT('en-US'), value);
}

/** An outcome with its refusal in English, for assertions on what users read: `{ ok: false, reason: '…' }`. */
export function readable<T extends { ok: boolean }>(outcome: T): T | (Omit<T, 'reason'> & { reason: string }) {
	return 'reason' in outcome && !outcome.ok ? { ...outcome, reason: inEnglish(outcome.reason as Text) } : outcome;
}
