import type { Attribution, JoinHow } from './attribution.js';

/**
 * The stored records of invite tracking. One record per member holds everything about how they came and went, so
 * a join or a leave is one atomic write; an inviter's counts are derived from the records of the members they
 * brought, which makes it impossible for the counts and the history to disagree after a crash.
 */

export const MAX_HISTORY_EVENTS = 50;

export interface JoinEvent {
	at: number;
	how: JoinHow;
	code: string | null;
	inviterId: string | null;
	/** When Discord says the member joined (its `joined_at`, ms); compared only with itself, never with our clock. */
	joinedAt?: number;
	/** Burst joins: every inviter who may have brought the member. */
	candidates?: string[];
	/** Burst joins: the member may also have come without an invite we can see. */
	maybeNone?: boolean;
	/** Imported from Supreme-BOT2's join history (its first join only; `at` is the time it recorded). */
	imported?: true;
}

/**
 * Why a credit counts as fake: decided at the join (account age, avatar, own invite) or at the leave (left within the
 * guild's minutes of joining).
 */
export const FAKE_REASONS = ['young-account', 'no-avatar', 'self-invite', 'left-quickly'] as const;
export type FakeReason = (typeof FAKE_REASONS)[number];

/** What a rejoin through another inviter does to the credit: it moves to the new inviter, or stays with the first. */
export const REJOIN_POLICIES = ['move', 'keep-first'] as const;
export type RejoinPolicy = (typeof REJOIN_POLICIES)[number];

/** What a member contributes to their inviter's counts. */
export interface Credit {
	inviterId: string;
	/** When the credit was given; a reset after this time makes it count no more. */
	at: number;
	fake: boolean;
	/** Why it is fake (records written before reasons were kept have none). */
	fakeReasons?: FakeReason[];
	left: boolean;
	/** The credit is a burst share (see attribution.ts): the inviter's count is exact, this member's inviter is not. */
	burst?: boolean;
	/**
	 * Imported from Supreme-BOT2: the member is already in their inviter's imported counts (InviterRecord.imported), so
	 * only a leave after the import adds to the counts.
	 */
	imported?: true;
}

/** `join-history` namespace, key `<guildId>:<memberId>`. */
export interface MemberRecord {
	present: boolean;
	joins: JoinEvent[];
	leaves: number[];
	credit: Credit | null;
}

/** `invites` namespace, key `<guildId>:<inviterId>`: what admins set for an inviter. */
export interface InviterRecord {
	bonus: number;
	/** Credits given before this time no longer count (a reset of this inviter). */
	resetAt: number;
	/** When the bonus was last set; a guild reset after this time cancels it. */
	updatedAt: number;
	/**
	 * Counts imported from Supreme-BOT2 (`regular` includes the fakes, as ours does): the baseline that the members
	 * tracked since add to. A reset after `at` cancels it, like any credit.
	 */
	imported?: { regular: number; left: number; fake: number; at: number };
}

export interface InviteCounts {
	regular: number;
	left: number;
	fake: number;
	bonus: number;
}

export const memberKey = (guildId: string, memberId: string) => `${guildId}:${memberId}`;
export const inviterKey = (guildId: string, inviterId: string) => `${guildId}:${inviterId}`;

export function splitKey(key: string): [guildId: string, id: string] {
	const separator = key.indexOf(':');
	return [key.slice(0, separator), key.slice(separator + 1)];
}

export function total(counts: InviteCounts): number {
	return counts.regular - counts.left - counts.fake + counts.bonus;
}

export function emptyCounts(): InviteCounts {
	return { regular: 0, left: 0, fake: 0, bonus: 0 };
}

export interface JoinFacts {
	at: number;
	attribution: Attribution;
	/** Why this join is fake by the guild's rules at join time (an own invite is added here). */
	fakeReasons: FakeReason[];
	memberId: string;
	/** A rejoin through another inviter: `move` (the default) credits the new one, `keep-first` the earlier one. */
	rejoinPolicy?: RejoinPolicy;
	/** Credits given at or before this time were reset (the later of the guild's and the inviter's reset). */
	resetAtFor: (inviterId: string) => number;
	/** When Discord says the member joined, if known: tells a real rejoin from a repeated event. */
	joinedAt?: number | undefined;
}

/**
 * The record after a join. A repeated GUILD_MEMBER_ADD for a member already present changes nothing; a member who
 * left and comes back through the same inviter takes back their leave instead of counting twice.
 */
export function recordJoin(record: MemberRecord | undefined, facts: JoinFacts): MemberRecord | undefined {
	if (record?.present) {
		// Present already: a repeated event, unless Discord says they joined after our last join, in which case they
		// left while we were not watching.
		if (!isRejoinAfterMissedLeave(record, facts.joinedAt)) return undefined;
		record = recordLeave(record, facts.joinedAt!)!;
	}
	const { attribution } = facts;
	// A burst member's event names no inviter (welcome messages and tools read it); the credit says whose share they carry.
	const event: JoinEvent = {
		at: facts.at,
		how: attribution.how,
		code: attribution.code,
		inviterId: attribution.how === 'burst' ? null : attribution.inviterId
	};
	if (facts.joinedAt !== undefined) event.joinedAt = facts.joinedAt;
	if (attribution.candidates) event.candidates = attribution.candidates;
	if (attribution.maybeNone) event.maybeNone = true;
	const joins = [...(record?.joins ?? []), event].slice(-MAX_HISTORY_EVENTS);
	// Any return takes back a quick leave, also one through the vanity URL or an unknown way (which keeps the credit).
	let credit = record?.credit ? withoutLeftQuickly(record.credit) : null;
	if (attribution.inviterId !== null) {
		const { inviterId } = attribution;
		const previousStillCounts = credit !== null && credit.at > facts.resetAtFor(credit.inviterId);
		const keepsPrevious = credit !== null && previousStillCounts && (credit.inviterId === inviterId || facts.rejoinPolicy === 'keep-first');
		if (credit && keepsPrevious) {
			credit = { ...credit, left: false };
			// Kept through another inviter's invite: the credit stays what it was (a burst share or not).
			if (credit.inviterId !== inviterId) return { present: true, joins, leaves: record?.leaves ?? [], credit };
		} else {
			const fakeReasons: FakeReason[] = [...facts.fakeReasons, ...(inviterId === facts.memberId ? (['self-invite'] as const) : [])];
			credit = { inviterId, at: facts.at, fake: fakeReasons.length > 0, left: false };
			if (fakeReasons.length > 0) credit.fakeReasons = fakeReasons;
		}
		if (attribution.how === 'burst') credit = { ...credit, burst: true };
		else delete credit.burst;
	}
	return { present: true, joins, leaves: record?.leaves ?? [], credit };
}

/**
 * True when Discord's join time is later than Discord's join time of the last join we recorded for a member we think
 * is present. Both times come from Discord, so a host clock that is off cannot turn a repeated event into a rejoin;
 * a record without Discord's time (written by older versions) counts the event as a repeat.
 */
export function isRejoinAfterMissedLeave(record: MemberRecord, joinedAt: number | undefined): boolean {
	const last = record.joins.at(-1)?.joinedAt;
	return joinedAt !== undefined && last !== undefined && joinedAt > last;
}

/**
 * The record after a leave; a repeated leave, or a leave of a member we never saw join, changes nothing. With
 * `fakeIfWithinMs`, a member who leaves that soon after their last join counts as fake instead of left.
 */
export function recordLeave(record: MemberRecord | undefined, at: number, fakeIfWithinMs = 0): MemberRecord | undefined {
	if (!record?.present) return undefined;
	let credit = record.credit ? { ...record.credit, left: true } : null;
	const joinedAt = record.joins.at(-1)?.at;
	if (credit && !credit.fake && fakeIfWithinMs > 0 && joinedAt !== undefined && at - joinedAt < fakeIfWithinMs) {
		credit = { ...credit, fake: true, fakeReasons: [...(credit.fakeReasons ?? []), 'left-quickly'] };
	}
	return { ...record, present: false, leaves: [...record.leaves, at].slice(-MAX_HISTORY_EVENTS), credit };
}

/** A member who comes back takes back the leave that made them fake; reasons from the join stay. */
function withoutLeftQuickly(credit: Credit): Credit {
	if (!credit.fakeReasons?.includes('left-quickly')) return credit;
	const fakeReasons = credit.fakeReasons.filter((reason) => reason !== 'left-quickly');
	const { fakeReasons: _dropped, ...rest } = credit;
	return fakeReasons.length > 0 ? { ...rest, fake: true, fakeReasons } : { ...rest, fake: false };
}

/** What one member's credit adds to their inviter's counts (fake members are counted as fake, never as left). */
export function contribution(credit: Credit): InviteCounts {
	const left = credit.left && !credit.fake ? 1 : 0;
	if (credit.imported) return { regular: 0, fake: 0, left, bonus: 0 };
	return { regular: 1, fake: credit.fake ? 1 : 0, left, bonus: 0 };
}
