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

function totalIncrease(increases: UseIncrease[]): number {
	return increases.reduce((sum, source) => sum + source.increase, 0);
}

function attributionOf(source: UseIncrease): Attribution {
	return source.vanity ? { how: 'vanity', code: source.code, inviterId: null } : { how: 'normal', code: source.code, inviterId: source.inviterId };
}

/** What a window of uses says about the joins behind it: one source, one inviter behind several codes, or unknown. */
function windowAttribution(increases: UseIncrease[]): Attribution {
	if (increases.length === 1) return attributionOf(increases[0]!);
	const inviters = new Set(increases.map((source) => (source.vanity ? null : source.inviterId)));
	const [inviterId] = inviters;
	return inviters.size === 1 && inviterId ? { how: 'normal', code: null, inviterId } : UNKNOWN;
}

/**
 * Attributes `joins` queued joins against a fresh fetch. A wrong credit is worse than "unknown", so joins are
 * credited only when the increases account for them unambiguously:
 * - one source rose by at least the number of joins: all of them came through it (any surplus belongs to joins
 *   whose events have not arrived yet, and stays for them);
 * - the uses rose by exactly the number of joins (so every queued join is a counted use and nothing else is): the
 *   fetches taken while waiting (`timeline`, oldest first) cut the queue into windows in arrival order, because
 *   Discord counts a use before it sends the join; a window with one source (or one inviter) is credited, a window
 *   mixing several is "unknown";
 * - fewer uses than joins (someone came by discovery, a widget, an invite we cannot see): "unknown" for all.
 * Several sources with a surplus wait (`canWait`): the joins behind the surplus usually arrive a moment later and
 * make the count exact.
 */
export function decide(snapshot: InviteSnapshot, timeline: InviteSnapshot[], current: InviteSnapshot, joins: number, canWait: boolean): Decision {
	const increases = useIncreases(snapshot, current);
	const total = totalIncrease(increases);

	if (increases.length === 1 && total >= joins) {
		const attribution = attributionOf(increases[0]!);
		return { attributions: Array.from({ length: joins }, () => attribution), wait: false, snapshot: consume(current, snapshot, increases[0]!, joins) };
	}
	if (total > joins && canWait) return { attributions: [], wait: true, snapshot };
	if (total !== joins) return { attributions: Array.from({ length: joins }, () => UNKNOWN), wait: false, snapshot: current };

	const attributions: Attribution[] = [];
	let previous = snapshot;
	for (const step of [...timeline, current]) {
		const window = useIncreases(previous, step);
		const count = Math.min(totalIncrease(window), joins - attributions.length);
		const attribution = windowAttribution(window);
		for (let index = 0; index < count; index++) attributions.push(attribution);
		previous = step;
	}
	return { attributions, wait: false, snapshot: current };
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
