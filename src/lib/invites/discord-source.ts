import { DiscordAPIError, RESTJSONErrorCodes, type Client, type Collection, type Guild, type GuildMember } from 'discord.js';
import type { InviteSnapshot } from './attribution.js';
import { inviteReadProblem, MISSING_MANAGE_GUILD, usesMissing } from './permissions.js';
import type { FetchResult, InviteSource, ListedMember } from './tracker.js';


/**
 * Reads a guild's invites (and its vanity URL's uses) through discord.js, whose REST manager queues requests per
 * route and waits out 429s with their Retry-After.
 */
export class DiscordInviteSource implements InviteSource {
	public constructor(private readonly client: Client) {}

	public async fetch(guildId: string): Promise<FetchResult> {
		const guild = this.client.guilds.cache.get(guildId);
		if (!guild) return { ok: false, reason: 'the bot is not in this guild' };
		const problem = inviteReadProblem(guild);
		if (problem) return { ok: false, reason: problem };
		try {
			const invites = await guild.invites.fetch({ cache: false });
			if (usesMissing(invites.values())) return { ok: false, reason: MISSING_MANAGE_GUILD };
			const snapshot: InviteSnapshot = { invites: {}, vanity: null };
			for (const invite of invites.values()) {
				snapshot.invites[invite.code] = {
					code: invite.code,
					inviterId: invite.inviterId,
					uses: invite.uses ?? 0,
					maxUses: invite.maxUses ?? 0,
					expiresAt: invite.expiresTimestamp ?? null
				};
			}
			if (guild.vanityURLCode) {
				const vanity = await guild.fetchVanityData();
				if (vanity.code) snapshot.vanity = { code: vanity.code, uses: vanity.uses };
			}
			return { ok: true, snapshot };
		} catch (error) {
			if (error instanceof DiscordAPIError && (error.code === RESTJSONErrorCodes.MissingPermissions || error.status === 403)) {
				return { ok: false, reason: MISSING_MANAGE_GUILD };
			}
			return { ok: false, reason: `invites could not be fetched: ${(error as Error).message}` };
		}
	}

	public async members(guildId: string): Promise<ListedMember[]> {
		const guild = this.client.guilds.cache.get(guildId);
		if (!guild) throw new Error('the bot is not in this guild');
		const cachedBefore = new Set(guild.members.cache.keys());
		const members = await fetchAllMembers(guild);
		// The list is needed once, at start: members it brought into the cache are dropped again, so a server of
		// 100k members does not stay in memory (Partials.GuildMember lets their later events arrive all the same).
		for (const id of members.keys()) if (!cachedBefore.has(id) && id !== this.client.user?.id) guild.members.cache.delete(id);
		return [...members.values()]
			.filter((member) => member.joinedTimestamp !== null && member.id !== this.client.user?.id)
			.sort((a, b) => a.joinedTimestamp! - b.joinedTimestamp!)
			.map((member) => ({ memberId: member.id, joinedAt: member.joinedTimestamp!, bot: member.user.bot, accountCreatedAt: member.user.createdTimestamp, hasAvatar: member.user.avatar !== null }));
	}
}

/** Retries of an op 8 request Discord answered with RATE_LIMITED (one full member list per guild per 30 s). */
const MEMBER_REQUEST_ATTEMPTS = 3;

/**
 * Every member of a guild through op 8 (Discord answers in chunks of up to 1000; discord.js gathers them). A
 * RATE_LIMITED answer (discord.js rejects with a GatewayRateLimitError) is waited out, retry_after seconds.
 */
async function fetchAllMembers(guild: Guild): Promise<Collection<string, GuildMember>> {
	for (let attempt = 1; ; attempt++) {
		try {
			return await guild.members.fetch();
		} catch (error) {
			const retryAfter = (error as { data?: { retry_after?: unknown } }).data?.retry_after;
			if (attempt >= MEMBER_REQUEST_ATTEMPTS || (error as Error).name !== 'GatewayRateLimitError' || typeof retryAfter !== 'number') throw error;
			await new Promise((resolve) => setTimeout(resolve, Math.ceil(retryAfter * 1000) + 100));
		}
	}
}
