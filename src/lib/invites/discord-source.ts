import { DiscordAPIError, RESTJSONErrorCodes, type Client } from 'discord.js';
import type { InviteSnapshot } from './attribution.js';
import type { FetchResult, InviteSource, ListedMember } from './tracker.js';

const MISSING_PERMISSION = 'the bot lacks the Manage Server permission, which Discord requires to list invites';

/**
 * Reads a guild's invites (and its vanity URL's uses) through discord.js, whose REST manager queues requests per
 * route and waits out 429s with their Retry-After.
 */
export class DiscordInviteSource implements InviteSource {
	public constructor(private readonly client: Client) {}

	public async fetch(guildId: string): Promise<FetchResult> {
		const guild = this.client.guilds.cache.get(guildId);
		if (!guild) return { ok: false, reason: 'the bot is not in this guild' };
		try {
			const invites = await guild.invites.fetch({ cache: false });
			const snapshot: InviteSnapshot = { invites: {}, vanity: null };
			for (const invite of invites.values()) {
				snapshot.invites[invite.code] = { code: invite.code, inviterId: invite.inviterId, uses: invite.uses ?? 0, maxUses: invite.maxUses ?? 0 };
			}
			if (guild.vanityURLCode) {
				const vanity = await guild.fetchVanityData();
				if (vanity.code) snapshot.vanity = { code: vanity.code, uses: vanity.uses };
			}
			return { ok: true, snapshot };
		} catch (error) {
			if (error instanceof DiscordAPIError && (error.code === RESTJSONErrorCodes.MissingPermissions || error.status === 403)) {
				return { ok: false, reason: MISSING_PERMISSION };
			}
			return { ok: false, reason: `invites could not be fetched: ${(error as Error).message}` };
		}
	}

	public async membersJoinedSince(guildId: string, since: number): Promise<ListedMember[]> {
		const guild = this.client.guilds.cache.get(guildId);
		if (!guild) return [];
		const members = await guild.members.fetch();
		return [...members.values()]
			.filter((member) => member.joinedTimestamp !== null && member.joinedTimestamp > since && member.id !== this.client.user?.id)
			.sort((a, b) => a.joinedTimestamp! - b.joinedTimestamp!)
			.map((member) => ({ memberId: member.id, joinedAt: member.joinedTimestamp!, bot: member.user.bot, accountCreatedAt: member.user.createdTimestamp, hasAvatar: member.user.avatar !== null }));
	}
}
