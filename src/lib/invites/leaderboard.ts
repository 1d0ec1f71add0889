import type { InviteLeaderboardSettings } from '../guild-settings.js';
import type { GuildInviteIndex, LeaderboardRow } from './index-state.js';
import type { Period } from './periods.js';

/** What the leaderboard ranks by: the total, or one of the counts it is made of. */
export const LEADERBOARD_TYPES = ['total', 'regular', 'fake', 'left', 'bonus'] as const;
export type LeaderboardType = (typeof LEADERBOARD_TYPES)[number];

export function isLeaderboardType(value: unknown): value is LeaderboardType {
	return typeof value === 'string' && (LEADERBOARD_TYPES as readonly string[]).includes(value);
}

export function rowValue(row: LeaderboardRow, type: LeaderboardType): number {
	return type === 'total' ? row.total : row.counts[type];
}

const byId = (a: LeaderboardRow, b: LeaderboardRow) => (a.inviterId < b.inviterId ? -1 : a.inviterId > b.inviterId ? 1 : 0);

/** A period's start is taken to the minute below, so one ranking serves every page asked for within that minute. */
const MINUTE = 60_000;

/**
 * The ranked rows of a period and type, best first (ties by total, then id, so pages never shuffle). Ranked by a count,
 * only inviters with some of it are listed. Kept by the index until its counts change (the caller must not modify
 * the array); a period's window may start up to a minute early.
 */
export function rankedRows(index: GuildInviteIndex, period: Period, type: LeaderboardType): LeaderboardRow[] {
	if (period.from === null && type === 'total') return index.leaderboard();
	const from = period.from === null ? null : Math.floor(period.from / MINUTE) * MINUTE;
	return index.memo(`ranked:${from}:${type}`, () => {
		const rows = from === null ? index.leaderboard() : index.periodLeaderboard(from);
		const listed =
			type === 'total'
				? rows.filter((row) => row.counts.regular !== 0 || row.counts.bonus !== 0)
				: rows.filter((row) => rowValue(row, type) !== 0);
		return listed.sort((a, b) => rowValue(b, type) - rowValue(a, type) || b.total - a.total || byId(a, b));
	});
}

export interface LookedUpMember {
	roles: readonly string[];
	name: string;
}

/** The members of the server among `ids`, with their roles and names; members not in the server are left out. */
export type MemberLookup = (ids: string[]) => Promise<Map<string, LookedUpMember>>;

/** Discord's op 8 (Request Guild Members) takes at most 100 user ids (discord-api-docs, gateway-events.mdx). */
export const LOOKUP_CHUNK = 100;

export interface VisibleRows {
	rows: LeaderboardRow[];
	/** False when the rows were looked up only as far as needed: more may follow the last one. */
	complete: boolean;
}

/**
 * The rows left after the server's exclusions. Excluded members are known from the settings; who left and who holds an
 * excluded role only Discord knows, so those rows are looked up (100 at a time) from the top until `needed` rows are
 * kept and one more shows whether a next page exists. `needed: null` looks up every row (the export).
 */
export async function visibleRows(
	rows: LeaderboardRow[],
	settings: InviteLeaderboardSettings,
	needed: number | null,
	lookup: MemberLookup
): Promise<VisibleRows> {
	const excluded = new Set(settings.excludedMembers);
	const candidates = excluded.size > 0 ? rows.filter((row) => !excluded.has(row.inviterId)) : rows;
	if (!settings.hideLeft && settings.excludedRoles.length === 0) return { rows: candidates, complete: true };
	const excludedRoles = new Set(settings.excludedRoles);
	const kept: LeaderboardRow[] = [];
	let next = 0;
	while (next < candidates.length && (needed === null || kept.length <= needed)) {
		const chunk = candidates.slice(next, next + LOOKUP_CHUNK);
		next += chunk.length;
		const members = await lookup(chunk.map((row) => row.inviterId));
		for (const row of chunk) {
			const member = members.get(row.inviterId);
			if (member === undefined ? settings.hideLeft : member.roles.some((role) => excludedRoles.has(role))) continue;
			kept.push(row);
		}
	}
	return { rows: kept, complete: next >= candidates.length };
}
