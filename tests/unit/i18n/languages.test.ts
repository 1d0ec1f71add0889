import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainGuildLanguage, setGuildLanguage } from '../../../src/lib/i18n/guild-language.js';
import { languageForLocale, LANGUAGES, SOURCE_LANGUAGE } from '../../../src/lib/i18n/languages.js';
import { describeCounts } from '../../../src/lib/invites/views.js';
import { updateGuildSettings } from '../../../src/lib/guild-settings.js';
import { openStorage, type BackendStorage } from '../../../src/storage-adapters/index.js';
import { languageT, readLanguageFiles } from '../../helpers/i18n.js';

/** `_one`, `_other`…, and i18next's ordinal forms `_ordinal_one`… (`t(key, { count, ordinal: true })`). */
const PLURAL_SUFFIX = /_(ordinal_)?(zero|one|two|few|many|other)$/;
const ORDINAL_SUFFIX = /_ordinal_(zero|one|two|few|many|other)$/;
const files = readLanguageFiles();

/** `{ "invites:summary_one": "…" }` for every string of one language. */
function flatten(language: string): Map<string, string> {
	const keys = new Map<string, string>();
	const walk = (value: unknown, path: string) => {
		if (typeof value === 'string') keys.set(path, value);
		else
			for (const [key, child] of Object.entries(value as Record<string, unknown>))
				walk(child, path.endsWith(':') ? `${path}${key}` : `${path}.${key}`);
	};
	for (const [namespace, content] of Object.entries(files[language] ?? {})) walk(content, `${namespace}:`);
	return keys;
}

const baseKey = (key: string) => key.replace(PLURAL_SUFFIX, '');
/** The names in {{name}} or {{name, format}}, sorted. */
const variables = (text: string) => [...text.matchAll(/\{\{\s*([\w.]+)\s*(?:,[^}]*)?\}\}/g)].map((match) => match[1]).sort();

const source = flatten(SOURCE_LANGUAGE);
const sourceBases = new Map<string, string[]>();
for (const [key, text] of source) sourceBases.set(baseKey(key), variables(text));

describe('language files', () => {
	it('has a folder for every language the bot offers, and no other', () => {
		expect(Object.keys(files).sort()).toEqual([...LANGUAGES].sort());
	});

	it.each(LANGUAGES.filter((language) => language !== SOURCE_LANGUAGE))('%s has every key of the source, and no other', (language) => {
		const keys = flatten(language);
		const bases = new Set([...keys.keys()].map(baseKey));
		expect([...sourceBases.keys()].filter((key) => !bases.has(key)).map((key) => `${language} lacks ${key}`)).toEqual([]);
		expect([...bases].filter((key) => !sourceBases.has(key)).map((key) => `${language} has unknown ${key}`)).toEqual([]);
	});

	it.each(LANGUAGES)('%s has every plural form its language needs, with the variables of the source', (language) => {
		const keys = flatten(language);
		const categories = new Intl.PluralRules(language).resolvedOptions().pluralCategories;
		const problems: string[] = [];
		for (const [key, text] of keys) {
			const expected = sourceBases.get(baseKey(key));
			if (expected && JSON.stringify(variables(text)) !== JSON.stringify(expected))
				problems.push(`${language} ${key}: variables ${variables(text).join(',')} instead of ${expected.join(',')}`);
		}
		for (const base of new Set([...source.keys()].filter((key) => PLURAL_SUFFIX.test(key) && !ORDINAL_SUFFIX.test(key)).map(baseKey)))
			for (const category of categories) if (!keys.has(`${base}_${category}`)) problems.push(`${language} lacks ${base}_${category}`);
		const ordinals = new Intl.PluralRules(language, { type: 'ordinal' }).resolvedOptions().pluralCategories;
		for (const base of new Set([...source.keys()].filter((key) => ORDINAL_SUFFIX.test(key)).map(baseKey)))
			for (const category of ordinals)
				if (!keys.has(`${base}_ordinal_${category}`)) problems.push(`${language} lacks ${base}_ordinal_${category}`);
		expect(problems).toEqual([]);
	});

	it.each(LANGUAGES)("%s: every command description and choice name fits in Discord's 1-100 characters", (language) => {
		// discord-api-docs, interactions/application-commands.mdx: description 1-100 characters, choice name 1-100.
		const tooLong = [...flatten(language)].filter(([key, text]) => key.startsWith('commands:') && (text.length < 1 || text.length > 100));
		expect(tooLong.map(([key, text]) => `${key}: ${text.length} characters`)).toEqual([]);
	});

	it('uses every key: each appears in the code, literally or under a prefix the code completes', () => {
		// The bot's code and the dashboard's pages (web/, which read the dashboard namespace).
		const code = [...sourceFiles(join(import.meta.dirname, '../../../src')), ...sourceFiles(join(import.meta.dirname, '../../../web/src'))]
			.map((file) => readFileSync(file, 'utf8'))
			.join('\n');
		const literal = new Set([...code.matchAll(/['"`]([a-z-]+:[\w.-]+)['"`]/g)].map((match) => match[1]));
		const prefixes = [...code.matchAll(/`([a-z-]+:[\w.-]+\.)\$\{/g)].map((match) => match[1]!);
		// The commands namespace is read by path of the registered builders (localizeCommand); the e2e test checks it.
		const unused = [...sourceBases.keys()].filter(
			(key) => !key.startsWith('commands:') && !literal.has(key) && !prefixes.some((prefix) => key.startsWith(prefix))
		);
		expect(unused).toEqual([]);
	});
});

describe('plurals and numbers', () => {
	const counts = (regular: number) => ({ regular, left: 0, fake: 0, bonus: 0 });

	it('says "1 invite" and "2 invites"', () => {
		const t = languageT('en-US');
		expect(describeCounts(t, counts(1))).toBe('1 invite (1 regular, 0 left, 0 fake, 0 bonus)');
		expect(describeCounts(t, counts(2))).toBe('2 invites (2 regular, 0 left, 0 fake, 0 bonus)');
	});

	it('writes numbers the way each language does', () => {
		expect(describeCounts(languageT('de'), counts(1234))).toBe('1.234 Einladungen (1.234 regulär, 0 gegangen, 0 gefälscht, 0 Bonus)');
		expect(describeCounts(languageT('de'), counts(1))).toMatch(/^1 Einladung \(/);
		expect(describeCounts(languageT('fr'), counts(1234))).toMatch(/^1\u202f234 invitations/);
		expect(describeCounts(languageT('pt-BR'), counts(1_000_000))).toMatch(/^1\.000\.000 convites/);
	});
});

describe('which language a server gets', () => {
	let dir: string;
	let storage: BackendStorage;
	const guild = (id: string, preferredLocale: string, community: boolean) => ({
		id,
		preferredLocale,
		features: community ? ['COMMUNITY', 'NEWS'] : []
	});

	beforeAll(async () => {
		dir = mkdtempSync(join(tmpdir(), 'supreme-language-'));
		storage = await openStorage({
			adapter: 'file',
			dataDir: dir,
			sqlitePath: join(dir, 'bot.sqlite'),
			redisUrl: 'redis://127.0.0.1:6379',
			backupDir: join(dir, 'backups'),
			backupKeep: 3
		});
	});

	afterAll(async () => {
		await storage.close();
		rmSync(dir, { recursive: true, force: true });
	});

	it('matches Discord locales to ours: same code, else same language in another region', () => {
		expect(languageForLocale('de')).toBe('de');
		expect(languageForLocale('en-GB')).toBe('en-US');
		expect(languageForLocale('es-419')).toBe('es-ES');
		expect(languageForLocale('pt-BR')).toBe('pt-BR');
		expect(languageForLocale('ja')).toBeNull();
		expect(languageForLocale(undefined)).toBeNull();
	});

	it("uses a Community server's locale, but not the en-US every other server has", async () => {
		expect(await explainGuildLanguage(storage, guild('1', 'fr', true), 'de')).toEqual({ language: 'fr', reason: 'community' });
		expect(await explainGuildLanguage(storage, guild('2', 'fr', false), 'de')).toEqual({ language: 'de', reason: 'default' });
		expect(await explainGuildLanguage(storage, guild('3', 'ja', true), 'es-ES')).toEqual({ language: 'es-ES', reason: 'default' });
	});

	it('a choice wins, survives a reopen, and reset removes only it', async () => {
		await updateGuildSettings(storage, '4', (settings) => ({ ...settings, autoroles: [] }));
		await setGuildLanguage(storage, '4', 'pt-BR');
		expect(await explainGuildLanguage(storage, guild('4', 'fr', true), 'en-US')).toEqual({ language: 'pt-BR', reason: 'chosen' });
		await setGuildLanguage(storage, '4', null);
		expect(await storage.namespace('settings').get('4')).toEqual({ autoroles: [] });
		expect((await explainGuildLanguage(storage, guild('4', 'fr', true), 'en-US')).reason).toBe('community');
	});

	it('a stored code the bot no longer speaks falls back instead of failing', async () => {
		await updateGuildSettings(storage, '5', (settings) => ({ ...settings, language: 'tlh' }));
		expect(await explainGuildLanguage(storage, guild('5', 'en-US', false), 'fr')).toEqual({ language: 'fr', reason: 'default' });
	});
});

function sourceFiles(directory: string): string[] {
	return readdirSync(directory).flatMap((name) => {
		const path = join(directory, name);
		if (statSync(path).isDirectory()) return sourceFiles(path);
		return path.endsWith('.ts') || path.endsWith('.tsx') ? [path] : [];
	});
}
