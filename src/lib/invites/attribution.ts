/**
 * Which invite did a member use? Discord does not say, so we compare invite use counts before and after joins.
 * Everything here is pure: the join queue feeds it what it fetched and applies what it decides.
 */

export interface InviteState {
	code: string;
	inviterId: string | null;
	uses: number;
	/** 0 means unlimited. */
	maxUses: number;
}

/** What we believe each invite's uses were after the joins attributed so far ("consumed" uses). */
export interface InviteSnapshot {
	invites: Record<string, InviteState>;
	vanity: { code: string; uses: number } | null;
}

export type JoinHow = 'normal' | 'vanity' | 'unknown' | 'bot';

export interface Attribution {
	how: JoinHow;
	code: string | null;
	inviterId: string | null;
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
 * - an invite that vanished while one use short of its max_uses (Discord deletes limited invites on their last use);
 * - the vanity URL, whose uses rose.
 */
export function useIncreases(snapshot: InviteSnapshot, current: InviteSnapshot): UseIncrease[] {
	const increases: UseIncrease[] = [];
	for (const invite of Object.values(current.invites)) {
		const before = snapshot.invites[invite.code]?.uses ?? 0;
		if (invite.uses > before) increases.push({ code: invite.code, inviterId: invite.inviterId, vanity: false, increase: invite.uses - before });
	}
	for (const invite of Object.values(snapshot.invites)) {
		if (invite.code in current.invites) continue;
		if (invite.maxUses > 0 && invite.uses === invite.maxUses - 1) {
			increases.push({ code: invite.code, inviterId: invite.inviterId, vanity: false, increase: 1 });
		}
	}
	if (current.vanity && current.vanity.uses > (snapshot.vanity?.code === current.vanity.code ? snapshot.vanity.uses : 0)) {
		const before = snapshot.vanity?.code === current.vanity.code ? snapshot.vanity.uses : 0;
		increases.push({ code: current.vanity.code, inviterId: null, vanity: true, increase: current.vanity.uses - before });
	}
	return increases;
}

export interface Decision {
	/** One attribution per queued join, in queue order; empty while `wait` is true. */
	attributions: Attribution[];
	/** More uses than joins from several sources: the joins behind them are still on their way, so wait for them. */
	wait: boolean;
	/** The snapshot after these joins: what the next comparison starts from. */
	snapshot: InviteSnapshot;
}

/**
 * Attributes `joins` queued joins against a fresh fetch. A wrong credit is worse than "unknown", so joins are
 * credited only when the increases account for them unambiguously:
 * - one source rose by at least the number of joins: all of them came through it (any surplus belongs to joins
 *   whose events have not arrived yet, and stays for them);
 * - several sources rose by exactly the number of joins and they share one inviter: that inviter, code unknown
 *   unless there is one;
 * - anything else: "unknown" for all of them. Several sources with a surplus wait first (`canWait`), because the
 *   joins behind the surplus usually arrive a moment later and make the picture exact.
 */
export function decide(snapshot: InviteSnapshot, current: InviteSnapshot, joins: number, canWait: boolean): Decision {
	const increases = useIncreases(snapshot, current);
	const total = increases.reduce((sum, source) => sum + source.increase, 0);

	if (increases.length === 1 && total >= joins) {
		const [source] = increases as [UseIncrease];
		const attribution: Attribution = source.vanity ? { how: 'vanity', code: source.code, inviterId: null } : { how: 'normal', code: source.code, inviterId: source.inviterId };
		return { attributions: Array.from({ length: joins }, () => attribution), wait: false, snapshot: consume(current, snapshot, source, joins) };
	}
	if (increases.length > 1 && total > joins && canWait) {
		return { attributions: [], wait: true, snapshot };
	}
	if (increases.length > 1 && total === joins) {
		const inviters = new Set(increases.map((source) => (source.vanity ? 'vanity' : source.inviterId)));
		const [inviterId] = inviters;
		if (inviters.size === 1 && inviterId !== null && inviterId !== undefined && inviterId !== 'vanity') {
			return { attributions: Array.from({ length: joins }, () => ({ how: 'normal', code: null, inviterId })), wait: false, snapshot: current };
		}
	}
	// Ambiguous or no increase at all (discovery, a widget, an invite we could not see): the increases are used up.
	return { attributions: Array.from({ length: joins }, () => UNKNOWN), wait: false, snapshot: current };
}

/**
 * The fresh state, except that the credited source keeps the uses not yet accounted for: a surplus belongs to
 * joins still on their way and must show up again in the next comparison.
 */
function consume(current: InviteSnapshot, previous: InviteSnapshot, source: UseIncrease, joins: number): InviteSnapshot {
	const surplus = source.increase - joins;
	if (surplus === 0) return current;
	if (source.vanity) return { ...current, vanity: { code: source.code, uses: current.vanity!.uses - surplus } };
	const invite = current.invites[source.code];
	if (invite) return { ...current, invites: { ...current.invites, [source.code]: { ...invite, uses: invite.uses - surplus } } };
	// A vanished invite cannot have a surplus (it counts one use); keep the previous entry to be safe.
	const before = previous.invites[source.code];
	return before ? { ...current, invites: { ...current.invites, [source.code]: before } } : current;
}
