import type { Guild } from 'discord.js';
import { DEFAULT_INVITE_LEADERBOARD, readGuildSettings, updateGuildSettings, type InviteLeaderboardSettings } from '../guild-settings.js';
import type { Storage } from '../../storage-adapters/types.js';
import type { LeaderboardRow } from './index-state.js';
import {
	LOOKUP_CHUNK,
	rankedRows,
	visibleRows,
	type LeaderboardType,
	type LookedUpMember,
	type MemberLookup,
	type VisibleRows
} from './leaderboard.js';
import type { Period } from './periods.js';
import type { InviteTracker } from './tracker.js';

const LOOKUP_TIMEOUT_MS = 15_000;

export async function leaderboardSettings(storage: Storage, guildId: string): Promise<InviteLeaderboardSettings> {
	return (await readGuildSettings(storage, guildId)).inviteLeaderboard ?? DEFAULT_INVITE_LEADERBOARD;
}

/**
 * Members by id through the gateway (op 8 with user_ids): the bot does not cache a large server's members, and this
 * answers for up to 100 of them in one request; members not in the server are simply not in the answer.
 */
export function discordMemberLookup(guild: Guild): MemberLookup {
	return async (ids) => {
		const found = new Map<string, LookedUpMember>();
		for (let start = 0; start < ids.length; start += LOOKUP_CHUNK) {
			// A gateway that does not answer fails the command within seconds instead of discord.js's two minutes.
			const members = await guild.members.fetch({ user: ids.slice(start, start + LOOKUP_CHUNK), time: LOOKUP_TIMEOUT_MS });
			for (const member of members.values()) found.set(member.id, { roles: [...member.roles.cache.keys()], name: member.user.username });
		}
		return found;
	};
}

/** A few members' names (the top inviters of /invite-stats): after a restart few are cached, so they are fetched (the id if gone). */
export async function memberNames(guild: Guild, ids: string[]): Promise<Map<string, string>> {
	const found = await Promise.all(
		ids.map(async (id) => {
			const member = await guild.members.fetch(id).catch(() => null);
			const name = member?.displayName ?? (await guild.client.users.fetch(id).catch(() => null))?.username;
			return [id, name ?? id] as const;
		})
	);
	return new Map(found);
}

/** The leaderboard rows of a guild after its exclusions: up to `needed` (a page and one more), or all (`null`). */
export async function guildLeaderboard(
	tracker: InviteTracker,
	storage: Storage,
	guild: Guild,
	query: { period: Period; type: LeaderboardType; needed: number | null }
): Promise<VisibleRows> {
	const rows: LeaderboardRow[] = rankedRows(tracker.index(guild.id), query.period, query.type);
	return visibleRows(rows, await leaderboardSettings(storage, guild.id), query.needed, discordMemberLookup(guild));
}

/** Changes only the leaderboard's field of the guild's settings; a refusal thrown by `change` writes nothing. */
export async function updateLeaderboardSettings(
	storage: Storage,
	guildId: string,
	change: (settings: InviteLeaderboardSettings) => InviteLeaderboardSettings
): Promise<InviteLeaderboardSettings> {
	const updated = await updateGuildSettings(storage, guildId, (settings) => ({
		...settings,
		inviteLeaderboard: change(settings.inviteLeaderboard ?? DEFAULT_INVITE_LEADERBOARD)
	}));
	return updated.inviteLeaderboard ?? DEFAULT_INVITE_LEADERBOARD;
}

/**
 * Every row of the leaderboard after its exclusions, with the names of the inviters still in the server: one lookup
 * (100 members a request) serves both the exclusions and the names.
 */
export async function guildLeaderboardExport(
	tracker: InviteTracker,
	storage: Storage,
	guild: Guild,
	period: Period
): Promise<{ rows: LeaderboardRow[]; names: Map<string, string> }> {
	const names = new Map<string, string>();
	const asked = new Set<string>();
	const discord = discordMemberLookup(guild);
	const lookup: MemberLookup = async (ids) => {
		const members = await discord(ids);
		for (const id of ids) asked.add(id);
		for (const [id, member] of members) names.set(id, member.name);
		return members;
	};
	const { rows } = await visibleRows(
		rankedRows(tracker.index(guild.id), period, 'total'),
		await leaderboardSettings(storage, guild.id),
		null,
		lookup
	);
	const unnamed = rows.map((row) => row.inviterId).filter((id) => !asked.has(id));
	if (unnamed.length > 0) await lookup(unnamed);
	return { rows, names };
}
