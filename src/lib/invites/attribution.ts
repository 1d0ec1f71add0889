/**
 * Which invite did a member use? Discord does not say, so we compare invite use counts before and after joins.
 * Everything here is pure: the guild's event stream (tracker.ts) feeds it what it fetched and applies what it decides.
 *
 * The unit is a *group*: the joins seen between two moments when the guild was quiet (no join event and no invite use
 * in flight), and the invite uses that rose between the fetches taken at those moments. Every use of an invite is a
 * real join through it, so crediting each use once, to its invite's inviter, never gives anyone more than they
 * invited. Which member carries which use is only known when every explanation of the numbers agrees.
 */

export interface InviteState {
	code: string;
	inviterId: string | null;
	uses: number;
	/** 0 means unlimited. */
	maxUses: number;
	/** When Discord expires the invite (ms since epoch; from `expires_at`, i.e. created_at + max_age), null = never. */
	expiresAt?: number | null;
	/** The channel the invite leads to (shown by /invite-codes; snapshots of older versions lack it). */
	channelId?: string | null;
}

/** What we believe each invite's uses were after the joins attributed so far ("consumed" uses). */
export interface InviteSnapshot {
	invites: Record<string, InviteState>;
	vanity: { code: string; uses: number } | null;
}

/** `burst`: the member is one of a group whose per-inviter counts are known but not who brought whom. */
export type JoinHow = 'normal' | 'vanity' | 'unknown' | 'bot' | 'burst';

export interface Attribution {
	how: JoinHow;
	code: string | null;
	/** Who is credited with this join (for a burst: the inviter whose share this member carries, see README). */
	inviterId: string | null;
	/** Burst joins: every inviter who may have brought this member (sorted ids). */
	candidates?: string[];
	/** Burst joins: the member may also have come without any invite we can see, or through the vanity URL. */
	maybeNone?: boolean;
}

/** One place invite uses came from since the snapshot: an invite code, or the vanity URL. */
export interface UseIncrease {
	code: string;
	inviterId: string | null;
	vanity: boolean;
	increase: number;
}

export const UNKNOWN: Attribution = Object.freeze({ how: 'unknown', code: null, inviterId: null });

/**
 * Use increases between the snapshot and a fresh fetch:
 * - an invite whose uses rose;
 * - a new invite, not in the snapshot, that already has uses;
 * - an invite that vanished while one use short of its max_uses (Discord deletes limited invites on their last use),
 *   unless it had expired by then (`expires_at`): an expired invite vanishes without a use. An invite a moderator
 *   deleted is dropped from the snapshot when its INVITE_DELETE arrives while no join is waiting (tracker.ts);
 * - the vanity URL, whose uses rose.
 */
export function useIncreases(snapshot: InviteSnapshot, current: InviteSnapshot, now = Date.now()): UseIncrease[] {
	const increases: UseIncrease[] = [];
	for (const invite of Object.values(current.invites)) {
		const before = snapshot.invites[invite.code]?.uses ?? 0;
		if (invite.uses > before) increases.push({ code: invite.code, inviterId: invite.inviterId, vanity: false, increase: invite.uses - before });
	}
	for (const invite of Object.values(snapshot.invites)) {
		if (invite.code in current.invites) continue;
		const expired = typeof invite.expiresAt === 'number' && invite.expiresAt <= now;
		if (invite.maxUses > 0 && invite.uses === invite.maxUses - 1 && !expired) {
			increases.push({ code: invite.code, inviterId: invite.inviterId, vanity: false, increase: 1 });
		}
	}
	const vanityBefore = current.vanity && snapshot.vanity?.code === current.vanity.code ? snapshot.vanity.uses : 0;
	if (current.vanity && current.vanity.uses > vanityBefore) {
		increases.push({ code: current.vanity.code, inviterId: null, vanity: true, increase: current.vanity.uses - vanityBefore });
	}
	return increases;
}

export function totalIncrease(increases: UseIncrease[]): number {
	return increases.reduce((sum, source) => sum + source.increase, 0);
}

/** A join of a group, as the settlement needs it: who, and whom they were credited to before (a rejoin). */
export interface GroupJoin {
	memberId: string;
	previousInviterId: string | null;
}

const VANITY = '\u0000vanity';

/**
 * Attributes the joins of one group (in arrival order) against the uses that rose over it.
 *
 * - `quiet` is true when the group ended with a fetch after which nothing arrived for the quiet time: then every use
 *   counted belongs to a join of the group, and if the uses equal the joins, every join used a counted invite.
 *   If, on top of that, all the uses come from one inviter (or the vanity URL), every explanation agrees: each member
 *   is credited individually.
 * - Otherwise the group is a burst: each inviter gets exactly as many credits as their invites gained uses (never more
 *   than the joins), dealt to the group's members in arrival order, inviters by id ("shares"); a member who rejoins
 *   takes back a share of their earlier inviter first. Members beyond the uses carry no credit. Each burst member is
 *   recorded with every possible inviter.
 */
export function settleGroup(increases: UseIncrease[], joins: GroupJoin[], quiet: boolean): Attribution[] {
	if (joins.length === 0) return [];
	const uses = totalIncrease(increases);
	if (uses === 0) return joins.map(() => UNKNOWN);
	const byInviter = new Map<string, number>();
	const codes = new Map<string, Set<string>>();
	for (const source of increases) {
		const key = source.vanity ? VANITY : (source.inviterId ?? VANITY);
		byInviter.set(key, (byInviter.get(key) ?? 0) + source.increase);
		if (!codes.has(key)) codes.set(key, new Set());
		codes.get(key)!.add(source.code);
	}
	const exact = quiet && uses === joins.length;
	if (exact && byInviter.size === 1) {
		const [key] = byInviter.keys();
		const [code] = codes.get(key!)!;
		const single = codes.get(key!)!.size === 1 ? code! : null;
		const attribution: Attribution =
			key === VANITY ? { how: 'vanity', code: single, inviterId: null } : { how: 'normal', code: single, inviterId: key! };
		return joins.map(() => attribution);
	}
	const candidates = [...byInviter.keys()].filter((key) => key !== VANITY).sort();
	const maybeNone = !exact || byInviter.has(VANITY);
	const shares = new Map(byInviter);
	const dealt: Array<string | null | undefined> = joins.map(() => undefined);
	// Rejoins first: the member takes back the credit they had, which is not a new one for that inviter.
	joins.forEach((join, index) => {
		const left = join.previousInviterId ? (shares.get(join.previousInviterId) ?? 0) : 0;
		if (left > 0) {
			shares.set(join.previousInviterId!, left - 1);
			dealt[index] = join.previousInviterId;
		}
	});
	const order = [...shares.keys()].sort();
	joins.forEach((_, index) => {
		if (dealt[index] !== undefined) return;
		const key = order.find((candidate) => (shares.get(candidate) ?? 0) > 0);
		if (key === undefined) {
			dealt[index] = null;
			return;
		}
		shares.set(key, shares.get(key)! - 1);
		dealt[index] = key;
	});
	return dealt.map((key) => ({ how: 'burst', code: null, inviterId: key && key !== VANITY ? key : null, candidates, maybeNone }));
}
