import { DiscordAPIError, RESTJSONErrorCodes, type Client, type Guild, type GuildMember } from 'discord.js';
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
					expiresAt: invite.expiresTimestamp ?? null,
					channelId: invite.channelId
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
		const members = await listAllMembers(guild);
		return members
			.filter((member) => member.joinedTimestamp !== null && member.id !== this.client.user?.id)
			.sort((a, b) => a.joinedTimestamp! - b.joinedTimestamp!)
			.map((member) => ({
				memberId: member.id,
				joinedAt: member.joinedTimestamp!,
				bot: member.user.bot,
				accountCreatedAt: member.user.createdTimestamp,
				hasAvatar: member.user.avatar !== null
			}));
	}
}

/** The most members one List Guild Members request returns. */
const MEMBERS_PER_PAGE = 1000;

/**
 * Every member of a guild through REST (List Guild Members, 1000 per page by id), not op 8: Discord allows one full
 * op 8 member request per guild per 30 s, which would hold up the baseline of a bot restarted within that time. Pages
 * are not cached, so a server of 100k members does not stay in memory (Partials.GuildMember lets their later events
 * arrive all the same); discord.js waits out 429s.
 */
async function listAllMembers(guild: Guild): Promise<GuildMember[]> {
	const members: GuildMember[] = [];
	let after: string | undefined;
	for (;;) {
		const page = await guild.members.list({ limit: MEMBERS_PER_PAGE, after, cache: false });
		members.push(...page.values());
		if (page.size < MEMBERS_PER_PAGE) return members;
		after = page.lastKey();
	}
}
