/**
 * The dashboard's texts come from the bot's own language files (src/languages/<locale>/dashboard.json), which the
 * build copies to locales/<locale>.json beside the bundle. The page speaks the server's language once a server is
 * open, and the browser's language (or English) before that.
 */
import i18next, { type TFunction } from 'i18next';

export const LANGUAGES = ['en-US', 'de', 'fr', 'es-ES', 'pt-BR'] as const;
export type Language = (typeof LANGUAGES)[number];
const SOURCE_LANGUAGE: Language = 'en-US';

const instance = i18next.createInstance();
const loaded = new Set<string>();
let current: Language = SOURCE_LANGUAGE;

/** The same matching as the bot's languageForLocale: same code, else same language in another region. */
export function languageFor(locale: string | null | undefined): Language | null {
	if (!locale) return null;
	const exact = LANGUAGES.find((language) => language.toLowerCase() === locale.toLowerCase());
	if (exact) return exact;
	const base = locale.split('-')[0]!.toLowerCase();
	return LANGUAGES.find((language) => language.split('-')[0]!.toLowerCase() === base) ?? null;
}

export function browserLanguage(): Language {
	for (const locale of navigator.languages ?? [navigator.language]) {
		const language = languageFor(locale);
		if (language) return language;
	}
	return SOURCE_LANGUAGE;
}

async function load(language: Language): Promise<void> {
	if (loaded.has(language)) return;
	// The build's version (index.html) keeps a cached file of an older build from being read.
	const version = document.querySelector<HTMLMetaElement>('meta[name="supreme-build"]')?.content ?? '';
	const response = await fetch(new URL(`locales/${language}.json?v=${version}`, document.baseURI), { credentials: 'same-origin' });
	if (!response.ok) throw new Error(`Could not load the ${language} texts (HTTP ${response.status})`);
	const namespaces = (await response.json()) as Record<string, Record<string, unknown>>;
	for (const [namespace, resources] of Object.entries(namespaces)) instance.addResourceBundle(language, namespace, resources, true, true);
	loaded.add(language);
}

export async function initI18n(language: Language): Promise<void> {
	await instance.init({
		lng: language,
		fallbackLng: SOURCE_LANGUAGE,
		ns: ['dashboard'],
		defaultNS: 'dashboard',
		resources: {},
		showSupportNotice: false,
		// Preact escapes what it renders: i18next must not escape a second time.
		interpolation: { escapeValue: false }
	});
	await setLanguage(language);
}

export async function setLanguage(language: Language): Promise<void> {
	await Promise.all([load(SOURCE_LANGUAGE), load(language)]);
	if (current === language && instance.language === language) return;
	current = language;
	await instance.changeLanguage(language);
	document.documentElement.lang = language;
}

export const currentLanguage = () => current;
export const t: TFunction = ((...args: Parameters<TFunction>) => instance.t(...args)) as TFunction;

export const formatNumber = (value: number) => new Intl.NumberFormat(current).format(value);
export const formatDate = (value: number | string, options: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short' }) =>
	new Intl.DateTimeFormat(current, options).format(new Date(value));
export function formatBytes(bytes: number): string {
	const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
	let value = bytes;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}
	return new Intl.NumberFormat(current, {
		style: 'unit',
		unit: units[unit],
		unitDisplay: 'short',
		maximumFractionDigits: unit === 0 ? 0 : 1
	}).format(value);
}
/** "in 3 hours", "2 days ago" in the page's language. */
export function formatRelative(
	at: number,
	{ now = Date.now(), style = 'long' }: { now?: number; style?: Intl.RelativeTimeFormatStyle } = {}
): string {
	const seconds = Math.round((at - now) / 1000);
	const format = new Intl.RelativeTimeFormat(current, { numeric: 'auto', style });
	const steps: Array<[Intl.RelativeTimeFormatUnit, number]> = [
		['day', 86_400],
		['hour', 3_600],
		['minute', 60]
	];
	for (const [unit, size] of steps) if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
	return format.format(seconds, 'second');
}
