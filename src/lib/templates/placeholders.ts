import type { TFunction } from '@sapphire/plugin-i18next';
import type { Reason } from './reasons.js';

/**
 * Message templates with {placeholders}: what welcome and goodbye messages are written in. Pure: no Discord here.
 * Templates are validated once, at setup, against the longest text any placeholder can become, so a template that
 * was accepted always renders within Discord's limits. The template is the admin's own text, never translated; the
 * values (numbers, "unknown", an account age) are written in the server's language.
 */

export interface PlaceholderInfo {
	name: string;
	/** The longest text this placeholder renders to, in any language. */
	maxLength: number;
}

/** Discord's limits for the places a template can go. */
export const MESSAGE_CONTENT_LIMIT = 2000;
export const EMBED_DESCRIPTION_LIMIT = 4096;

const MENTION_LENGTH = '<@18446744073709551615>'.length;

/** A count up to 999,999,999 with the grouping of any language ("999 999 999" in French: narrow spaces). */
const COUNT_LENGTH = 13;
/** "unknown" in the longest of our languages ("desconhecido"), or a mention. */
const UNKNOWN_LENGTH = 16;
const MENTION_OR_UNKNOWN = Math.max(MENTION_LENGTH, UNKNOWN_LENGTH);
/** Invite links: https://discord.gg/<code>; an invite or vanity code has at most 32 characters. */
export const INVITE_URL_BASE = 'https://discord.gg/';
const CODE_LENGTH = 32;
/** Described in the server's language by `welcome:placeholders.<name>`. */
export const PLACEHOLDERS = [
	{ name: 'user', maxLength: MENTION_LENGTH },
	{ name: 'username', maxLength: 32 },
	{ name: 'server', maxLength: 100 },
	{ name: 'memberCount', maxLength: COUNT_LENGTH },
	{ name: 'inviter', maxLength: MENTION_OR_UNKNOWN },
	{ name: 'inviterCount', maxLength: COUNT_LENGTH + 1 },
	{ name: 'inviteCode', maxLength: CODE_LENGTH },
	{ name: 'accountAge', maxLength: 40 },
	{ name: 'inviteUses', maxLength: Math.max(COUNT_LENGTH, UNKNOWN_LENGTH) },
	{ name: 'inviteURL', maxLength: Math.max(INVITE_URL_BASE.length + CODE_LENGTH, UNKNOWN_LENGTH) },
	{ name: 'joinCount', maxLength: COUNT_LENGTH },
	// "1,234,567,890th", "999 999 999e", "999.999.999.º": a count and its longest ordinal ending.
	{ name: 'memberCount:ordinal', maxLength: COUNT_LENGTH + 4 },
	{ name: 'inviterRegular', maxLength: COUNT_LENGTH },
	{ name: 'inviterLeft', maxLength: COUNT_LENGTH },
	{ name: 'inviterFake', maxLength: COUNT_LENGTH },
	// "30 de septiembre de 2026", the longest long date of our languages.
	{ name: 'accountCreated', maxLength: 32 }
] as const satisfies readonly PlaceholderInfo[];

export type PlaceholderName = (typeof PLACEHOLDERS)[number]['name'];
export type PlaceholderValues = Record<PlaceholderName, string>;

/** "{user} {username} …", for help texts and error messages. */
export const PLACEHOLDER_LIST = PLACEHOLDERS.map((placeholder) => `{${placeholder.name}}`).join(' ');

/** A word in braces, maybe with a `:format`, is a placeholder; other braces (`{ }`, `{:}`) are left alone as text. */
const PLACEHOLDER_PATTERN = /\{([A-Za-z_]\w*(?::[A-Za-z]\w*)?)\}/g;
const KNOWN = new Map<string, PlaceholderInfo>(PLACEHOLDERS.map((placeholder) => [placeholder.name, placeholder]));

export type TemplateCheck = { ok: true; maxLength: number } | { ok: false; reason: Reason };

/**
 * Refuses an empty template, an unknown placeholder (naming the valid ones), and a template that could render past
 * `limit` characters once its placeholders are filled with their longest values. `extraLength` counts text sent
 * with the template (a banner URL on its own line).
 */
export function checkTemplate(template: string, limit: number, extraLength = 0): TemplateCheck {
	if (template.trim().length === 0) return { ok: false, reason: { key: 'welcome:template.empty', vars: {} } };
	const unknown = [...new Set([...template.matchAll(PLACEHOLDER_PATTERN)].map((match) => match[1]!).filter((name) => !KNOWN.has(name)))];
	if (unknown.length > 0) {
		const names = unknown.map((name) => `{${name}}`).join(', ');
		return { ok: false, reason: { key: 'welcome:template.unknownPlaceholder', vars: { count: unknown.length, names, valid: PLACEHOLDER_LIST } } };
	}
	const maxLength = longestRendering(template) + extraLength;
	if (maxLength > limit)
		return { ok: false, reason: { key: 'welcome:template.tooLong', vars: { length: maxLength, limit, over: maxLength - limit } } };
	return { ok: true, maxLength };
}

/** The template's length with every placeholder at its longest. */
export function longestRendering(template: string): number {
	return template.replace(PLACEHOLDER_PATTERN, (whole, name: string) => 'x'.repeat(KNOWN.get(name)?.maxLength ?? whole.length)).length;
}

/** Fills in the placeholders; an unknown one (never accepted at setup) stays as written. Values are cut to their bound. */
export function renderTemplate(template: string, values: PlaceholderValues): string {
	return template.replace(PLACEHOLDER_PATTERN, (whole, name: string) => {
		const info = KNOWN.get(name);
		return info ? values[name as PlaceholderName].slice(0, info.maxLength) : whole;
	});
}

/** The facts placeholders are made from; the caller gathers them from Discord and the invite tracker. */
export interface TemplateFacts {
	userId: string;
	username: string;
	serverName: string;
	memberCount: number;
	inviterId: string | null;
	inviterTotal: number | null;
	inviteCode: string | null;
	accountCreatedAt: number;
	now: number;
	/** The invite's uses now (Discord's count), when a template asks for them and they could be read. */
	inviteUses?: number | null;
	/** Times this member joined the server, this join included (0: not recorded). */
	joinCount?: number;
	/** The inviter's counts, when the inviter is known. */
	inviterCounts?: { regular: number; left: number; fake: number } | null;
}

/** True when one of the templates uses the placeholder (some values cost a request to Discord). */
export function usesPlaceholder(templates: ReadonlyArray<string | null | undefined>, name: PlaceholderName): boolean {
	return templates.some((template) => template?.includes(`{${name}}`));
}

/** The values of every placeholder, numbers and words in the language of `t` (the server's). */
export function placeholderValues(facts: TemplateFacts, t: TFunction): PlaceholderValues {
	const number = (value: number) => t('welcome:values.number', { value });
	const unknown = t('welcome:values.unknown');
	const counts = facts.inviterCounts;
	return {
		user: `<@${facts.userId}>`,
		username: facts.username,
		server: facts.serverName,
		memberCount: number(facts.memberCount),
		inviter: facts.inviterId === null ? unknown : `<@${facts.inviterId}>`,
		inviterCount: number(facts.inviterTotal ?? 0),
		inviteCode: facts.inviteCode ?? unknown,
		accountAge: formatAccountAge(t, facts.now - facts.accountCreatedAt),
		inviteUses: facts.inviteUses === null || facts.inviteUses === undefined ? unknown : number(facts.inviteUses),
		inviteURL: facts.inviteCode === null ? unknown : `${INVITE_URL_BASE}${facts.inviteCode}`,
		joinCount: number(facts.joinCount ?? 0),
		// Intl.PluralRules with type 'ordinal' picks the ending (i18next's `ordinal: true`): 42nd, 42., 42e, 42.º.
		'memberCount:ordinal': t('welcome:values.rank', { count: facts.memberCount, ordinal: true }),
		inviterRegular: number(counts?.regular ?? 0),
		inviterLeft: number(counts?.left ?? 0),
		inviterFake: number(counts?.fake ?? 0),
		accountCreated: t('welcome:values.date', { value: facts.accountCreatedAt })
	};
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const MONTH = 30 * DAY;
const YEAR = 365 * DAY;

/** The two largest units: "2 years, 3 months", "5 days, 4 hours", "12 minutes"; under a minute is "less than a minute". */
export function formatAccountAge(t: TFunction, ms: number): string {
	const age = Math.max(0, ms);
	if (age < MINUTE) return t('welcome:age.lessThanAMinute');
	const units: Array<[number, string]> = [
		[YEAR, 'year'],
		[MONTH, 'month'],
		[DAY, 'day'],
		[HOUR, 'hour'],
		[MINUTE, 'minute']
	];
	const first = units.findIndex(([size]) => age >= size);
	const [size, unit] = units[first]!;
	const whole = Math.floor(age / size);
	const next = units[first + 1];
	// 365 days hold 12 thirty-day months and 5 days; "1 year, 12 months" would read wrong.
	const rest = next ? Math.min(Math.floor((age - whole * size) / next[0]), unit === 'year' ? 11 : Number.POSITIVE_INFINITY) : 0;
	const part = (count: number, name: string) => t(`welcome:age.${name}`, { count });
	return rest > 0 && next ? t('welcome:age.pair', { first: part(whole, unit), second: part(rest, next[1]) }) : part(whole, unit);
}
