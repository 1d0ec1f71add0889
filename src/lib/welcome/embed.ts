import { z } from 'zod';
import { MESSAGE_CONTENT_LIMIT } from '../templates/placeholders.js';
import type { Reason } from '../templates/reasons.js';

/** Discord's embed limits (discord-api-docs, resources/message.mdx, "Embed Limits"). */
export const EMBED_LIMITS = {
	title: 256,
	description: 4096,
	fields: 25,
	fieldName: 256,
	fieldValue: 1024,
	footerText: 2048,
	authorName: 256,
	/** title, description, field names and values, footer text and author name together. */
	total: 6000
} as const;

/** An image or link: an http(s) URL, or `{avatar}` (the member's avatar). */
export const AVATAR = '{avatar}';

export function isLink(text: string): boolean {
	if (text === AVATAR) return true;
	try {
		const url = new URL(text);
		return url.protocol === 'https:' || url.protocol === 'http:';
	} catch {
		return false;
	}
}

const link = z.string().refine(isLink, { message: 'notALink' });

/**
 * One embed as Discord's own tools write it (the embed object of discord-api-docs, resources/message.mdx, and what
 * Discohook or a bot's message JSON holds). Other keys (type, video, provider…) are Discord's to set and are ignored.
 * Lengths are checked again with placeholders at their longest (message.ts); here they bound the raw text.
 */
const embedObjectSchema = z.object({
	title: z.string().max(EMBED_LIMITS.title).optional(),
	description: z.string().max(EMBED_LIMITS.description).optional(),
	url: link.optional(),
	color: z.number().int().min(0).max(0xffffff).nullable().optional(),
	timestamp: z.string().optional(),
	footer: z.object({ text: z.string().max(EMBED_LIMITS.footerText), icon_url: link.optional() }).optional(),
	image: z.object({ url: link }).optional(),
	thumbnail: z.object({ url: link }).optional(),
	author: z.object({ name: z.string().max(EMBED_LIMITS.authorName), url: link.optional(), icon_url: link.optional() }).optional(),
	fields: z
		.array(
			z.object({ name: z.string().max(EMBED_LIMITS.fieldName), value: z.string().max(EMBED_LIMITS.fieldValue), inline: z.boolean().optional() })
		)
		.max(EMBED_LIMITS.fields)
		.optional()
});

export interface EmbedDesign {
	title?: string;
	description?: string;
	url?: string;
	color?: number | null;
	timestamp?: boolean;
	footer?: { text: string; iconUrl?: string };
	image?: string;
	thumbnail?: string;
	author?: { name: string; url?: string; iconUrl?: string };
	fields?: Array<{ name: string; value: string; inline?: boolean }>;
	/** Text sent above the embed, when a whole message was pasted. */
	content?: string;
}

export type EmbedParse = { ok: true; design: EmbedDesign } | { ok: false; reason: Reason };

/** `fields.2.value` -> `fields[2].value`: how admins read a path into their JSON. */
function fieldName(path: ReadonlyArray<PropertyKey>): string {
	return (
		path.reduce<string>((name, part) => (typeof part === 'number' ? `${name}[${part}]` : name ? `${name}.${String(part)}` : String(part)), '') ||
		'embed'
	);
}

function issueReason(issue: z.core.$ZodIssue): Reason {
	const field = fieldName(issue.path);
	if (issue.code === 'too_big')
		return { key: issue.origin === 'array' ? 'welcome:embed.tooMany' : 'welcome:embed.tooLong', vars: { field, limit: Number(issue.maximum) } };
	if (issue.code === 'invalid_type') return { key: 'welcome:embed.wrongType', vars: { field, expected: issue.expected } };
	if (issue.code === 'custom') return { key: 'welcome:embed.notALink', vars: { field } };
	return { key: 'welcome:embed.invalidValue', vars: { field } };
}

/** The embed JSON an admin pasted, checked against Discord's limits; a refusal names the field. */
export function parseEmbedJson(text: string): EmbedParse {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch (error) {
		return { ok: false, reason: { key: 'welcome:embed.notJson', vars: { error: (error as Error).message } } };
	}
	// A bare embed, an array of one, or a message: `{ content, embeds: [one] }` (the old `{ embed }` too).
	const message = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
	const list = Array.isArray(value) ? value : Array.isArray(message?.embeds) ? message.embeds : null;
	if (list !== null && list.length !== 1) return { ok: false, reason: { key: 'welcome:embed.oneEmbed', vars: { count: list.length } } };
	const raw = list ? list[0] : message && 'embed' in message ? message.embed : value;
	const content = typeof message?.content === 'string' && message.content !== '' ? message.content : undefined;
	if (content !== undefined && content.length > MESSAGE_CONTENT_LIMIT)
		return { ok: false, reason: { key: 'welcome:embed.tooLong', vars: { field: 'content', limit: MESSAGE_CONTENT_LIMIT } } };
	const embed = embedObjectSchema.safeParse(raw);
	if (!embed.success) return { ok: false, reason: issueReason(embed.error.issues[0]!) };
	const { footer, image, thumbnail, author, timestamp, ...rest } = embed.data;
	return {
		ok: true,
		design: {
			...rest,
			...(timestamp === undefined ? {} : { timestamp: true }),
			...(footer ? { footer: { text: footer.text, ...(footer.icon_url ? { iconUrl: footer.icon_url } : {}) } } : {}),
			...(image ? { image: image.url } : {}),
			...(thumbnail ? { thumbnail: thumbnail.url } : {}),
			...(author
				? {
						author: {
							name: author.name,
							...(author.url ? { url: author.url } : {}),
							...(author.icon_url ? { iconUrl: author.icon_url } : {})
						}
					}
				: {}),
			...(content ? { content } : {})
		}
	};
}
