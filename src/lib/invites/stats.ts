import type { Storage } from '../../storage-adapters/types.js';
import { inPeriod, type Period } from './periods.js';
import type { MemberRecord } from './records.js';
import { INVITE_NAMESPACES } from './tracker.js';

/**
 * What /invite-stats draws: joins and leaves per day and the top inviters of a period, from the join history the
 * tracker keeps (one record per member, with the times of their joins and leaves). Pure but for `readGuildRecords`.
 */

export const DAY_MS = 24 * 60 * 60 * 1000;
/** More days than this are drawn in buckets of several days, so that a bar stays wider than a few pixels. */
export const MAX_BARS = 92;
export const TOP_INVITERS = 5;

export interface StatsBucket {
	/** Start of the bucket's first UTC day (ms). */
	start: number;
	joins: number;
	leaves: number;
}

export interface InviteStats {
	/** Days per bucket: 1 for a chart per day. */
	bucketDays: number;
	buckets: StatsBucket[];
	joins: number;
	leaves: number;
	/** Joins in the period each inviter brought, most first (ties by id, for a stable picture). */
	topInviters: Array<{ inviterId: string; joins: number }>;
}

const startOfUtcDay = (at: number) => Math.floor(at / DAY_MS) * DAY_MS;

/**
 * Counts the joins and leaves of the period per UTC day (or per bucket of days), from its first day (for all time:
 * the day of the first event) to today. A join counts for the inviter its event names; burst joins name none.
 */
export function aggregateStats(records: Iterable<MemberRecord>, period: Period, now: number): InviteStats {
	const joins: number[] = [];
	let earliest = now;
	const leaves: number[] = [];
	const byInviter = new Map<string, number>();
	for (const record of records) {
		for (const join of record.joins) {
			if (!inPeriod(period, join.at) || join.at > now) continue;
			joins.push(join.at);
			earliest = Math.min(earliest, join.at);
			if (join.inviterId) byInviter.set(join.inviterId, (byInviter.get(join.inviterId) ?? 0) + 1);
		}
		for (const at of record.leaves) {
			if (!inPeriod(period, at) || at > now) continue;
			leaves.push(at);
			earliest = Math.min(earliest, at);
		}
	}
	const first = startOfUtcDay(period.from ?? earliest);
	const days = Math.floor((startOfUtcDay(now) - first) / DAY_MS) + 1;
	const bucketDays = Math.max(1, Math.ceil(days / MAX_BARS));
	const buckets: StatsBucket[] = Array.from({ length: Math.ceil(days / bucketDays) }, (_, index) => ({
		start: first + index * bucketDays * DAY_MS,
		joins: 0,
		leaves: 0
	}));
	const bucketOf = (at: number) => buckets[Math.floor((startOfUtcDay(at) - first) / DAY_MS / bucketDays)]!;
	for (const at of joins) bucketOf(at).joins++;
	for (const at of leaves) bucketOf(at).leaves++;
	const topInviters = [...byInviter]
		.map(([inviterId, count]) => ({ inviterId, joins: count }))
		.sort((a, b) => b.joins - a.joins || a.inviterId.localeCompare(b.inviterId))
		.slice(0, TOP_INVITERS);
	return { bucketDays, buckets, joins: joins.length, leaves: leaves.length, topInviters };
}

/** Every member record of a guild, read in batches (a chart is rare; the records are not kept in memory). */
export async function readGuildRecords(storage: Storage, guildId: string): Promise<MemberRecord[]> {
	const records: MemberRecord[] = [];
	for await (const [, record] of storage.iteratePrefix<MemberRecord>(INVITE_NAMESPACES.history, `${guildId}:`)) records.push(record);
	return records;
}
