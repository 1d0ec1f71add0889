import { z } from 'zod';
import type { Storage } from '../storage-adapters/types.js';
import type { Reason } from './templates/reasons.js';

/**
 * The `settings` namespace, one key per guild (`<guildId>`), one field per feature. Features change only their own
 * field, through `updateGuildSettings` (an atomic read-modify-write), so they never overwrite each other.
 */
export const SETTINGS_NAMESPACE = 'settings';

const reasonSchema: z.ZodType<Reason> = z.lazy(() =>
	z.object({ key: z.string(), vars: z.record(z.string(), z.union([z.string(), z.number(), reasonSchema, z.array(reasonSchema)])) })
);

/** Why messages stopped arriving, kept until a send works again; shown by /welcome-test and /data-status. */
const deliveryProblemSchema = z.object({
	/** In the source language, for the log (and what settings stored before translation had). */
	message: z.string(),
	/** The same, translated where it is shown; absent in problems stored before. */
	reason: reasonSchema.optional(),
	since: z.number(),
	lastAt: z.number(),
	/** Messages not sent because of it. */
	missed: z.number()
});
export type DeliveryProblem = z.infer<typeof deliveryProblemSchema>;

/** How a member came, for greeting variants: through an invite, the vanity URL, an unknown way, or as a bot. */
export const GREETING_VARIANTS = ['invite', 'vanity', 'unknown', 'bot'] as const;
export type GreetingVariant = (typeof GREETING_VARIANTS)[number];

const greetingSchema = z.object({
	channelId: z.string(),
	template: z.string(),
	/** null: no banner; 'generated': a card the bot draws; otherwise an image URL. */
	banner: z.string().nullable(),
	embed: z.boolean(),
	/** Also send it to the member in DMs (welcome only). */
	dm: z.boolean(),
	/** Welcome only: wait until a member passes the server's rules screening / onboarding (unset = wait). */
	afterScreening: z.boolean().optional(),
	/** Embed title, footer (templates) and colour; text sent above the embed; a timestamp under it. */
	title: z.string().nullable().optional(),
	footer: z.string().nullable().optional(),
	color: z.number().int().min(0).max(0xffffff).nullable().optional(),
	content: z.string().nullable().optional(),
	timestamp: z.boolean().optional(),
	/** The rest of a designed embed (options or pasted JSON); absent in settings stored before. Links may be `{avatar}`. */
	url: z.string().nullable().optional(),
	thumbnail: z.string().nullable().optional(),
	author: z.object({ name: z.string(), url: z.string().optional(), iconUrl: z.string().optional() }).nullable().optional(),
	footerIcon: z.string().nullable().optional(),
	fields: z.array(z.object({ name: z.string(), value: z.string(), inline: z.boolean().optional() })).optional(),
	/** Welcome only: delete it when the member leaves within this long after it was sent (raids); and after this long. */
	deleteIfLeftWithinMs: z.number().int().positive().optional(),
	deleteAfterMs: z.number().int().positive().optional(),
	/** A text of its own per way of coming; one not set falls back to `template`. Absent in settings stored before. */
	variants: z.partialRecord(z.enum(GREETING_VARIANTS), z.string()).optional(),
	problem: deliveryProblemSchema.nullable().default(null)
});
export type GreetingSettings = z.infer<typeof greetingSchema>;

export const AUTOROLE_TARGETS = ['humans', 'bots', 'all'] as const;
export type AutoRoleTarget = (typeof AUTOROLE_TARGETS)[number];

const autoRoleSchema = z.object({
	roleId: z.string(),
	for: z.enum(AUTOROLE_TARGETS),
	delayMs: z.number().int().nonnegative()
});
export type AutoRole = z.infer<typeof autoRoleSchema>;

const HEX_COLOR = /^#[0-9a-f]{6}$/;

/** /welcome-card: how generated cards look. The background image itself is in the `welcome-cards` namespace. */
const cardDesignSchema = z.object({
	backgroundColor: z.string().regex(HEX_COLOR).optional(),
	accentColor: z.string().regex(HEX_COLOR).optional(),
	textColor: z.string().regex(HEX_COLOR).optional(),
	avatar: z.boolean().optional(),
	/** The welcome card's text lines (templates with placeholders), heading first; unset: the language's own text. */
	lines: z.array(z.string().max(200)).min(1).max(4).optional()
});
export type CardDesign = z.infer<typeof cardDesignSchema>;

/** At most this many members and roles are left out of the invite leaderboard (one embed field lists them). */
export const MAX_LEADERBOARD_EXCLUSIONS = 25;

/** Who the invite leaderboard and its export leave out (/invite-config leaderboard-…). */
const inviteLeaderboardSchema = z.object({
	/** Inviters no longer in the server are not ranked. */
	hideLeft: z.boolean().default(false),
	excludedMembers: z
		.array(z.string().regex(/^\d{1,20}$/))
		.max(MAX_LEADERBOARD_EXCLUSIONS)
		.default([]),
	excludedRoles: z
		.array(z.string().regex(/^\d{1,20}$/))
		.max(MAX_LEADERBOARD_EXCLUSIONS)
		.default([])
});
export type InviteLeaderboardSettings = z.infer<typeof inviteLeaderboardSchema>;
export const DEFAULT_INVITE_LEADERBOARD: InviteLeaderboardSettings = Object.freeze({ hideLeft: false, excludedMembers: [], excludedRoles: [] });

/** Other features' fields pass through untouched (`loose`). */
const guildSettingsSchema = z.looseObject({
	welcome: greetingSchema.nullable().optional(),
	goodbye: greetingSchema.nullable().optional(),
	autoroles: z.array(autoRoleSchema).optional(),
	card: cardDesignSchema.optional(),
	inviteLeaderboard: inviteLeaderboardSchema.optional(),
	/** Set by /language set; a code we no longer speak falls back like an unset one (src/lib/i18n/guild-language.ts). */
	language: z.string().optional()
});
export type GuildSettings = z.infer<typeof guildSettingsSchema>;

export class GuildSettingsError extends Error {
	public override readonly name = 'GuildSettingsError';
}

/** A stored value of the wrong shape is reported, never silently read as "not configured" and then overwritten. */
function parse(guildId: string, value: unknown): GuildSettings {
	if (value === undefined || value === null) return {};
	const parsed = guildSettingsSchema.safeParse(value);
	if (!parsed.success)
		throw new GuildSettingsError(
			`Settings of guild ${guildId} are unreadable: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`
		);
	return parsed.data;
}

export async function readGuildSettings(storage: Storage, guildId: string): Promise<GuildSettings> {
	return parse(guildId, await storage.namespace(SETTINGS_NAMESPACE).get(guildId));
}

export async function updateGuildSettings(
	storage: Storage,
	guildId: string,
	change: (settings: GuildSettings) => GuildSettings
): Promise<GuildSettings> {
	const written = await storage.update<GuildSettings>(SETTINGS_NAMESPACE, guildId, (current) => stripUndefined(change(parse(guildId, current))));
	return parse(guildId, written);
}

/** Stored values must be JSON: an unset field is left out rather than written as undefined. */
function stripUndefined(settings: GuildSettings): GuildSettings {
	return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined)) as GuildSettings;
}
