/**
 * Message templates with {placeholders}: what welcome and goodbye messages are written in. Pure: no Discord here.
 * Templates are validated once, at setup, against the longest text any placeholder can become, so a template that
 * was accepted always renders within Discord's limits.
 */

export interface PlaceholderInfo {
	name: string;
	description: string;
	/** The longest text this placeholder renders to. */
	maxLength: number;
}

/** Discord's limits for the places a template can go. */
export const MESSAGE_CONTENT_LIMIT = 2000;
export const EMBED_DESCRIPTION_LIMIT = 4096;

const MENTION_LENGTH = '<@18446744073709551615>'.length;

export const PLACEHOLDERS = [
	{ name: 'user', description: 'the member, mentioned', maxLength: MENTION_LENGTH },
	{ name: 'username', description: "the member's name", maxLength: 32 },
	{ name: 'server', description: "the server's name", maxLength: 100 },
	{ name: 'memberCount', description: 'members in the server now', maxLength: 9 },
	{ name: 'inviter', description: 'who invited the member, mentioned ("unknown" when not known)', maxLength: MENTION_LENGTH },
	{ name: 'inviterCount', description: "the inviter's invite total (0 when not known)", maxLength: 9 },
	{ name: 'inviteCode', description: 'the invite code used ("unknown" when not known)', maxLength: 32 },
	{ name: 'accountAge', description: 'the age of the member\'s account, e.g. "2 years, 3 months"', maxLength: 20 }
] as const satisfies readonly PlaceholderInfo[];

export type PlaceholderName = (typeof PLACEHOLDERS)[number]['name'];
export type PlaceholderValues = Record<PlaceholderName, string>;

/** "{user} {username} …", for help texts and error messages. */
export const PLACEHOLDER_LIST = PLACEHOLDERS.map((placeholder) => `{${placeholder.name}}`).join(' ');

/** A word in braces is a placeholder; other braces (`{ }`, `{:}`) are left alone as text. */
const PLACEHOLDER_PATTERN = /\{([A-Za-z_]\w*)\}/g;
const KNOWN = new Map<string, PlaceholderInfo>(PLACEHOLDERS.map((placeholder) => [placeholder.name, placeholder]));

export type TemplateCheck = { ok: true; maxLength: number } | { ok: false; reason: string };

/**
 * Refuses an empty template, an unknown placeholder (naming the valid ones), and a template that could render past
 * `limit` characters once its placeholders are filled with their longest values. `extraLength` counts text sent
 * with the template (a banner URL on its own line).
 */
export function checkTemplate(template: string, limit: number, extraLength = 0): TemplateCheck {
	if (template.trim().length === 0) return { ok: false, reason: 'The message is empty.' };
	const unknown = [...new Set([...template.matchAll(PLACEHOLDER_PATTERN)].map((match) => match[1]!).filter((name) => !KNOWN.has(name)))];
	if (unknown.length > 0) {
		const names = unknown.map((name) => `{${name}}`).join(', ');
		return { ok: false, reason: `Unknown placeholder${unknown.length > 1 ? 's' : ''} ${names}. Valid placeholders: ${PLACEHOLDER_LIST}` };
	}
	const maxLength = longestRendering(template) + extraLength;
	if (maxLength > limit) {
		return {
			ok: false,
			reason: `The message can be up to ${maxLength} characters once placeholders are filled in; Discord allows ${limit} here. Shorten it by ${maxLength - limit}.`
		};
	}
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
}

export function placeholderValues(facts: TemplateFacts): PlaceholderValues {
	return {
		user: `<@${facts.userId}>`,
		username: facts.username,
		server: facts.serverName,
		memberCount: String(facts.memberCount),
		inviter: facts.inviterId === null ? 'unknown' : `<@${facts.inviterId}>`,
		inviterCount: String(facts.inviterTotal ?? 0),
		inviteCode: facts.inviteCode ?? 'unknown',
		accountAge: formatAccountAge(facts.now - facts.accountCreatedAt)
	};
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const MONTH = 30 * DAY;
const YEAR = 365 * DAY;

const plural = (count: number, unit: string) => `${count} ${unit}${count === 1 ? '' : 's'}`;

/** The two largest units: "2 years, 3 months", "5 days, 4 hours", "12 minutes"; under a minute is "less than a minute". */
export function formatAccountAge(ms: number): string {
	const age = Math.max(0, ms);
	if (age < MINUTE) return 'less than a minute';
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
	return rest > 0 && next ? `${plural(whole, unit)}, ${plural(rest, next[1])}` : plural(whole, unit);
}
