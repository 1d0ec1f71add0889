import { channelMention, PermissionFlagsBits, type Guild } from 'discord.js';
import { refusal, refusalOf } from '../interaction-reply.js';
import { parseBonus } from './bonus.js';
import { parseDuration, parseStart } from './duration.js';
import { parseRequirements } from './requirements.js';
import { MAX_WINNERS, PermanentDiscordError, type GiveawayService, type StartInput } from './service.js';
import type { Giveaway } from './state.js';

/** The limits of /giveaway start's text options, declared once for the command's builder and the dashboard's schema. */
export const MAX_PRIZE_LENGTH = 200;
export const MAX_DESCRIPTION_LENGTH = 1000;
export const MAX_OPTION_LENGTH = 50;
export const MAX_ROLE_LIST_LENGTH = 500;
export const MAX_MIN_INVITES = 100_000;

/**
 * /giveaway start's options as typed, from the command or the dashboard's JSON: one set of checks for both. The
 * texts keep the command's notation (`1h30m`, `<@&id> x2, boosters x3`, `2026-12-24 18:00`); null leaves an option out.
 */
export interface GiveawayStartOptions {
	channelId: string;
	prize: string;
	description: string | null;
	winners: number;
	duration: string;
	/** `required-role`: one role picked from the server's list. */
	requiredRoleId?: string | null;
	/** `required-roles`: role mentions or ids, separated by spaces or commas. */
	requiredRoles?: string | null;
	rolesMode?: 'any' | 'all' | null;
	blockedRoles?: string | null;
	minAccountAge?: string | null;
	minServerAge?: string | null;
	boostersOnly?: boolean | null;
	minInvites?: number | null;
	invitesDuring?: boolean | null;
	bonusRoles?: string | null;
	bonusMode?: 'stack' | 'highest' | null;
	drop?: boolean | null;
	startsIn?: string | null;
	startsAt?: string | null;
	claimWindow?: string | null;
}

/** Whom the giveaway is for and what the settings allow: the host, the time, GIVEAWAY_RETENTION. */
export interface GiveawayStartContext {
	hostId: string;
	now: number;
	retentionMs: number;
}

/**
 * What the bot needs in a giveaway channel: to see it, to send there (in a thread, where /giveaway start may be run,
 * that is Send Messages in Threads: topics/permissions.mdx), and the message is an embed.
 */
const postPermissions = (inThread: boolean) =>
	PermissionFlagsBits.ViewChannel |
	PermissionFlagsBits.EmbedLinks |
	(inThread ? PermissionFlagsBits.SendMessagesInThreads : PermissionFlagsBits.SendMessages);

/**
 * What to create, or a refusal (a UserError with the command's language key) naming the first option that is wrong:
 * the channel, the durations and dates, the roles, the limits.
 */
export function giveawayStartFrom(guild: Guild, options: GiveawayStartOptions, context: GiveawayStartContext): StartInput {
	const prize = options.prize.trim();
	if (prize === '' || prize.length > MAX_PRIZE_LENGTH) throw refusal('giveaways:badPrize', { max: MAX_PRIZE_LENGTH });
	if (!Number.isInteger(options.winners) || options.winners < 1 || options.winners > MAX_WINNERS)
		throw refusal('giveaways:badWinners', { max: MAX_WINNERS });
	const duration = parseDuration(options.duration);
	if (!duration.ok) throw refusalOf(duration.reason);
	const channel = guild.channels.cache.get(options.channelId);
	if (!channel || !channel.isTextBased() || channel.isDMBased()) throw refusal('giveaways:chooseChannel');
	const { me } = guild.members;
	// A scheduled giveaway posts later: refused now rather than failing unseen at its start.
	// A thread answers with its parent's permissions, null when the parent is not cached: then it is not known to work.
	const needed = postPermissions(channel.isThread());
	if (me && !(channel.permissionsFor(me)?.has(needed) ?? false)) throw refusal('giveaways:cannotPost', { channel: channelMention(channel.id) });
	const parsed = parseRequirements({
		requiredRoleIds: options.requiredRoleId ? [options.requiredRoleId] : [],
		requiredRoles: options.requiredRoles ?? null,
		requiredRolesMode: options.rolesMode ?? null,
		blockedRoles: options.blockedRoles ?? null,
		minAccountAge: options.minAccountAge ?? null,
		minMemberAge: options.minServerAge ?? null,
		boostersOnly: options.boostersOnly ?? null,
		minInvites: options.minInvites ?? null,
		invitesDuring: options.invitesDuring ?? null
	});
	if (!parsed.ok) throw refusalOf(parsed.reason);
	const bonus = parseBonus(options.bonusRoles ?? null, options.bonusMode ?? null);
	if (!bonus.ok) throw refusalOf(bonus.reason);
	const { requiredRoleIds, blockedRoleIds } = parsed.requirements;
	const roleIds = [...requiredRoleIds, ...blockedRoleIds, ...bonus.bonus.rules.flatMap((rule) => (rule.roleId ? [rule.roleId] : []))];
	const unknown = roleIds.find((roleId) => !guild.roles.cache.has(roleId));
	if (unknown) throw refusal('giveaways:unknownRole', { id: unknown });
	const start = parseStart(options.startsIn ?? null, options.startsAt ?? null, context.now);
	if (!start.ok) throw refusalOf(start.reason);
	const claimWindow = options.claimWindow ? parseDuration(options.claimWindow, 'claim-window') : null;
	if (claimWindow && !claimWindow.ok) throw refusalOf(claimWindow.reason);
	// Ended giveaways are deleted GIVEAWAY_RETENTION after their end: a longer window would delete pending claims.
	if (claimWindow?.ok && claimWindow.ms > context.retentionMs)
		throw refusal('giveaways:claimWindowRetention', { retention: retentionSetting(context.retentionMs) });
	return {
		guildId: guild.id,
		channelId: channel.id,
		hostId: context.hostId,
		prize,
		description: options.description?.trim() ? options.description : null,
		winnerCount: options.winners,
		requiredRoleId: null,
		requirements: parsed.requirements,
		bonus: bonus.bonus,
		startsAt: start.startsAt,
		drop: options.drop ?? false,
		claimWindowMs: claimWindow?.ok ? claimWindow.ms : null,
		durationMs: duration.ms
	};
}

/** Creates the giveaway; Discord refusing its message (a permission taken meanwhile) is the command's refusal. */
export async function startGiveaway(giveaways: GiveawayService, input: StartInput): Promise<Giveaway> {
	try {
		return await giveaways.create(input);
	} catch (error) {
		if (error instanceof PermanentDiscordError) throw refusal('giveaways:cannotPost', { channel: channelMention(input.channelId) });
		throw error;
	}
}

/** GIVEAWAY_RETENTION in the notation of the setting (90d, 12h). */
function retentionSetting(ms: number): string {
	return ms % 86_400_000 === 0 ? `${ms / 86_400_000}d` : `${Math.round(ms / 3_600_000)}h`;
}
