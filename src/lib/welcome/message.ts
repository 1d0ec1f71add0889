import { AttachmentBuilder, EmbedBuilder, type MessageCreateOptions } from 'discord.js';
import { checkTemplate, EMBED_DESCRIPTION_LIMIT, longestRendering, MESSAGE_CONTENT_LIMIT } from '../templates/placeholders.js';
import type { Reason } from '../templates/reasons.js';

/** Discord's embed limits for title and footer text (discord-api-docs, Message resource: Embed Limits). */
export const EMBED_TITLE_LIMIT = 256;
export const EMBED_FOOTER_LIMIT = 2048;
import type { GreetingSettings, GreetingVariant } from '../guild-settings.js';
import type { JoinHow } from '../invites/attribution.js';
import { AVATAR, EMBED_LIMITS, isLink } from './embed.js';

export type GreetingKind = 'welcome' | 'goodbye';
/** For the operator's log lines (English, like every log line); users read `welcome:*` texts. */
export const GREETING_LABEL: Record<GreetingKind, string> = { welcome: 'Welcome', goodbye: 'Goodbye' };

export const GENERATED_BANNER = 'generated';
const MAX_BANNER_URL_LENGTH = 2000;
const COLORS: Record<GreetingKind, number> = { welcome: 0x57f287, goodbye: 0xed4245 };

/** What an admin chose at setup, before it is checked. */
export interface GreetingInput {
	template: string;
	variants?: Partial<Record<GreetingVariant, string>>;
	banner: string | null;
	embed: boolean;
	title?: string | null;
	footer?: string | null;
	content?: string | null;
	url?: string | null;
	thumbnail?: string | null;
	author?: GreetingSettings['author'];
	footerIcon?: string | null;
	fields?: GreetingSettings['fields'];
}

/** Rendered extras of an embed greeting: title, footer, author, fields, and the text sent above it. */
export interface GreetingExtras {
	title?: string | null;
	footer?: string | null;
	content?: string | null;
	author?: string | null;
	fields?: Array<{ name: string; value: string; inline?: boolean }>;
	/** What `{avatar}` in a link stands for: the member's avatar. */
	avatarUrl?: string;
	/** The card's alt text, in the server's language. */
	cardDescription?: string;
}

/**
 * Checks a greeting at setup so that sending never fails on it later: placeholders known, the rendered text within
 * Discord's limit for where it goes, the banner `generated` or an http(s) image URL. Returns the reason it is
 * refused, or null.
 */
export function greetingProblem(input: GreetingInput): Reason | null {
	const banner = normalizeBanner(input.banner);
	if (banner !== null && banner !== GENERATED_BANNER) {
		if (banner.length > MAX_BANNER_URL_LENGTH) return { key: 'welcome:banner.tooLong', vars: { limit: MAX_BANNER_URL_LENGTH } };
		if (!isHttpUrl(banner)) return { key: 'welcome:banner.notAnImage', vars: { generated: GENERATED_BANNER } };
	}
	// Without an embed, an image URL goes on its own line under the text, where Discord shows its preview.
	const urlInContent = !input.embed && banner !== null && banner !== GENERATED_BANNER ? banner.length + 1 : 0;
	const limit = input.embed ? EMBED_DESCRIPTION_LIMIT : MESSAGE_CONTENT_LIMIT;
	const check = checkTemplate(input.template, limit, urlInContent);
	if (!check.ok) return check.reason;
	// A variant goes where the main text goes, so it has the same limit.
	for (const [variant, template] of Object.entries(input.variants ?? {})) {
		const variantCheck = checkTemplate(template, limit, urlInContent);
		if (!variantCheck.ok) return { key: 'welcome:field.problem', vars: { field: `${variant}-message`, reason: variantCheck.reason } };
	}
	const extras: Array<[string, string | null | undefined, number]> = [
		['title', input.title, EMBED_TITLE_LIMIT],
		['footer', input.footer, EMBED_FOOTER_LIMIT],
		['content', input.content, MESSAGE_CONTENT_LIMIT]
	];
	extras.push(['author', input.author?.name, EMBED_LIMITS.authorName]);
	for (const [index, field] of (input.fields ?? []).entries())
		extras.push([`fields[${index}].name`, field.name, EMBED_LIMITS.fieldName], [`fields[${index}].value`, field.value, EMBED_LIMITS.fieldValue]);
	for (const [name, template, limit] of extras) {
		if (template === null || template === undefined) continue;
		if (!input.embed) return { key: 'welcome:field.needsEmbed', vars: { field: name } };
		const extra = checkTemplate(template, limit);
		if (!extra.ok) return { key: 'welcome:field.problem', vars: { field: name, reason: extra.reason } };
	}
	if ((input.fields?.length ?? 0) > EMBED_LIMITS.fields)
		return { key: 'welcome:embed.tooMany', vars: { field: 'fields', limit: EMBED_LIMITS.fields } };
	const links: Array<[string, string | null | undefined]> = [
		['url', input.url],
		['thumbnail', input.thumbnail],
		['author.url', input.author?.url],
		['author.icon_url', input.author?.iconUrl],
		['footer.icon_url', input.footerIcon]
	];
	for (const [name, link] of links) {
		if (link === null || link === undefined) continue;
		if (!input.embed) return { key: 'welcome:field.needsEmbed', vars: { field: name } };
		if (!isLink(link) || link.length > MAX_BANNER_URL_LENGTH) return { key: 'welcome:embed.notALink', vars: { field: name } };
	}
	if (input.embed) {
		// Discord also bounds an embed's texts together (6000), each placeholder counted at its longest here too.
		const descriptions = [input.template, ...Object.values(input.variants ?? {})];
		const others = [input.title, input.footer, input.author?.name, ...(input.fields ?? []).flatMap((field) => [field.name, field.value])];
		const length = others.reduce((sum, text) => sum + (text ? longestRendering(text) : 0), Math.max(...descriptions.map(longestRendering)));
		if (length > EMBED_LIMITS.total) return { key: 'welcome:embed.totalTooLong', vars: { length, limit: EMBED_LIMITS.total } };
	}
	return null;
}

/** The variant for how a member came: a burst join came through one of several invites, still an invite. */
export function variantOf(how: JoinHow | null | undefined, isBot: boolean): GreetingVariant {
	if (isBot || how === 'bot') return 'bot';
	if (how === 'normal' || how === 'burst') return 'invite';
	return how === 'vanity' ? 'vanity' : 'unknown';
}

/** `#57F287` or `57f287` as a number; null when it is not a colour. */
export function parseColor(text: string): number | null {
	const match = /^#?([0-9a-f]{6})$/i.exec(text.trim());
	return match ? Number.parseInt(match[1]!, 16) : null;
}

/**
 * When a banner is a signed Discord CDN link (`?ex=<hex seconds>&is=…&hm=…`), the time it stops working: Discord
 * expires such attachment links (discord-api-docs, Reference: "Signed Attachment CDN URLs"). Null for other URLs.
 */
export function bannerExpiry(banner: string | null): Date | null {
	if (!banner) return null;
	try {
		const url = new URL(banner);
		if (!/(^|\.)(discordapp\.(com|net)|discord\.com)$/.test(url.hostname)) return null;
		const ex = url.searchParams.get('ex');
		if (!ex || !url.searchParams.has('hm')) return null;
		const seconds = Number.parseInt(ex, 16);
		return Number.isFinite(seconds) ? new Date(seconds * 1000) : null;
	} catch {
		return null;
	}
}

/** "none"/"off"/empty mean no banner; `Generated` is `generated`. */
export function normalizeBanner(banner: string | null): string | null {
	const trimmed = banner?.trim() ?? '';
	if (trimmed === '' || ['none', 'off'].includes(trimmed.toLowerCase())) return null;
	return trimmed.toLowerCase() === GENERATED_BANNER ? GENERATED_BANNER : trimmed;
}

function isHttpUrl(text: string): boolean {
	try {
		const url = new URL(text);
		return url.protocol === 'https:' || url.protocol === 'http:';
	} catch {
		return false;
	}
}

export function cardFileName(kind: GreetingKind): string {
	return `${kind}.png`;
}

/**
 * The message for a rendered greeting. Only the member it is about may be pinged (the welcome's {user}); an
 * inviter's mention, roles and @everyone never ping.
 */
export function buildGreetingMessage(
	kind: GreetingKind,
	settings: Pick<GreetingSettings, 'banner' | 'embed'> &
		Partial<Pick<GreetingSettings, 'color' | 'timestamp' | 'url' | 'thumbnail' | 'author' | 'footerIcon'>>,
	text: string,
	card: Buffer | null,
	pingUserId: string | null,
	extras: GreetingExtras = {}
): MessageCreateOptions {
	const files = card ? [new AttachmentBuilder(card, { name: cardFileName(kind), description: extras.cardDescription ?? kind })] : [];
	const allowedMentions = { parse: [], users: pingUserId ? [pingUserId] : [] };
	const imageUrl = settings.banner === GENERATED_BANNER ? (card ? `attachment://${cardFileName(kind)}` : null) : settings.banner;
	if (settings.embed) {
		const embed = new EmbedBuilder().setColor(settings.color ?? COLORS[kind]).setDescription(text);
		if (imageUrl) embed.setImage(imageUrl);
		const link = (value: string | null | undefined) => (value === AVATAR ? (extras.avatarUrl ?? null) : (value ?? null));
		if (extras.title) embed.setTitle(extras.title);
		if (settings.url) embed.setURL(link(settings.url));
		if (extras.footer) embed.setFooter({ text: extras.footer, iconURL: link(settings.footerIcon) ?? undefined });
		if (settings.thumbnail) embed.setThumbnail(link(settings.thumbnail));
		if (extras.author)
			embed.setAuthor({
				name: extras.author,
				url: link(settings.author?.url) ?? undefined,
				iconURL: link(settings.author?.iconUrl) ?? undefined
			});
		if (extras.fields?.length) embed.addFields(extras.fields);
		if (settings.timestamp) embed.setTimestamp();
		return { ...(extras.content ? { content: extras.content } : {}), embeds: [embed], files, allowedMentions };
	}
	const content = settings.banner !== null && settings.banner !== GENERATED_BANNER ? `${text}\n${settings.banner}` : text;
	return { content, files, allowedMentions };
}
