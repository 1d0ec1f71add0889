/**
 * The giveaway record and its state machine. Every change is a pure function of the stored record, run inside
 * `storage.update` (which may run it more than once on Redis), so nothing here reads the clock or draws randomness:
 * callers pass `now`, tokens and winners in.
 *
 *   scheduled ──(start time passed)──> scheduled(claim) ──(message posted)──> active
 *   active ──pause──> paused ──resume──> active
 *   active ──(end time passed, or /giveaway end)──> ending(claim) ──> ended ──reroll──> ended
 *   scheduled|active|paused ──cancel──> cancelled
 *
 * With a claim window (`claimWindowMs`), the ending opens a claim round for its winners (each told by DM, once). When
 * the window passes with winners who did not claim, the auto-reroll claims the giveaway (`ended` + claim, like an
 * ending), draws their replacements once, announces them once, and opens the next round for the replacements:
 *   round open ──(Claim click, in time)──> claimed
 *   round open ──(deadline passed, unclaimed winners)──> replaced frozen (claim) ──> replacements ──> announced ──> closed
 *
 * `ending` carries a claim (token, owner, time). Only the claim holder draws, announces and finishes; a claim older
 * than CLAIM_TIMEOUT_MS belongs to a process that died or stalled and may be taken over (keeping the winners and the
 * announcement already recorded). A scheduled start is claimed the same way, and its message is posted through the
 * same once-only delivery as the announcement (a recorded intent with a nonce, a search before any second send).
 */

import { text, type Text } from '../i18n/text.js';
import { NO_BONUS, type BonusEntries } from './bonus.js';
import { changeRequirements, NO_REQUIREMENTS, type RequirementChanges, type Requirements } from './requirements.js';

export const GIVEAWAY_NAMESPACE = 'giveaways';
export const GIVEAWAY_CONFIG_NAMESPACE = 'giveaway-config';
/**
 * One record per entry, key `<giveaway id>:<user id>`: an entry is a small write of its own, whatever the number of
 * entrants, instead of a rewrite of a record that lists them all.
 */
export const GIVEAWAY_ENTRIES_NAMESPACE = 'giveaway-entries';

/** `giveaway-entries` namespace: when the member entered, and their entries then (bonuses; absent: 1). */
export interface GiveawayEntry {
	at: number;
	entries?: number;
}

export const entryKey = (giveawayId: string, userId: string) => `${giveawayId}:${userId}`;

/** How long a claim protects an ending; every step of the ending refreshes it. */
export const CLAIM_TIMEOUT_MS = 30_000;

export type GiveawayState = 'scheduled' | 'active' | 'paused' | 'ending' | 'ended' | 'cancelled';

export interface EndingClaim {
	token: string;
	/** Which process holds it, for logs (host and pid). */
	owner: string;
	/** When the claim was taken or last refreshed (ms since epoch). */
	at: number;
}

export interface Announcement {
	/** Sent with the announcement (Discord drops a second message with the same nonce) and searched for on takeover. */
	nonce: string;
	/** When the holder decided to send: after this, a takeover looks for the message before sending again. */
	startedAt: number;
	messageId: string | null;
	/** Set when the announcement could not be sent for good (channel gone, no permission). */
	failure: string | null;
}

export interface Reroll {
	at: number;
	/** Who rerolled; `auto` for the automatic reroll of prizes not claimed in time. */
	byId: string;
	winners: string[];
}

/** Winners who must claim within a window (see the diagram above); one round per draw or auto-reroll. */
export interface ClaimRound {
	/** Who must claim in this round: the draw's winners, or an auto-reroll's replacements. */
	winners: string[];
	/** When their window closes (ms since epoch). */
	deadline: number;
	/** Who claimed, and when. */
	claimedAt: Record<string, number>;
	/** Each winner's DM with the Claim button, sent once like the announcement. */
	dms: Record<string, Announcement>;
	/** Frozen when the auto-reroll claims the round: the winners who had not claimed. A claim click after that is refused. */
	replaced: string[] | null;
	/** Drawn once for them by the auto-reroll (a takeover keeps them). */
	replacements: string[] | null;
	/** The auto-reroll's announcement, sent once. */
	rerollAnnouncement: Announcement | null;
	/** The auto-reroll finished: the replacements, if any, are the next round. */
	closed: boolean;
}

/** `giveaways` namespace, key = the giveaway id. */
export interface Giveaway {
	id: string;
	guildId: string;
	channelId: string;
	/** The message with the Enter button; null until it is posted. */
	messageId: string | null;
	hostId: string;
	prize: string;
	description: string | null;
	winnerCount: number;
	/** Records from before `requirements`: the one role required (see requirementsOf). */
	requiredRoleId: string | null;
	/** Who may enter and win; absent in records from before requirements. */
	requirements?: Requirements;
	/** Extra entries by role; absent in records from before bonuses. */
	bonus?: BonusEntries;
	createdAt: number;
	/** A scheduled giveaway: when its message is to appear. */
	startsAt?: number;
	/** When entries opened (its message appeared); absent in records from before scheduled starts: createdAt. */
	startedAt?: number;
	/** How long it runs once started (a scheduled giveaway's end is set when it starts). */
	durationMs?: number;
	/** A scheduled giveaway's message: posted once, like the announcement. */
	post?: Announcement | null;
	/** A drop: the first `winnerCount` members to enter (and still qualify) win, and it ends as soon as they have. */
	drop?: boolean;
	/** The host's DM with the entrant list at the end: sent once, like the announcement. */
	hostList?: Announcement | null;
	/** Winners must claim within this long of being told, or the prize is rerolled automatically (absent: no claim). */
	claimWindowMs?: number;
	/** The claim rounds, in order; absent without a claim window. */
	claimRounds?: ClaimRound[];
	/** When it ends; while paused, when it would have ended at the time it was paused. */
	endsAt: number;
	/** While paused: the time that was left. */
	remainingMs: number | null;
	state: GiveawayState;
	/**
	 * Entries in `giveaway-entries`, counted here so the message shows it and so that entering is refused in the same
	 * atomic step that sees the giveaway closed.
	 */
	entryCount: number;
	/** Only in records written before entries had a namespace of their own; moved out when the giveaways start. */
	entrants?: string[];
	claim: EndingClaim | null;
	/** Drawn once, by the claim holder, before the announcement; null until then. */
	winners: string[] | null;
	announcement: Announcement | null;
	endedAt: number | null;
	rerolls: Reroll[];
	/** Bumped by every change, so a message render can tell whether it showed the latest state. */
	revision: number;
}

/** `giveaway-config` namespace, key = guild id. */
export interface GiveawayConfig {
	/** Members with this role may run the giveaway admin commands (besides those with Manage Server). */
	hostRoleId: string | null;
}

export const DEFAULT_GIVEAWAY_CONFIG: GiveawayConfig = Object.freeze({ hostRoleId: null });

/** A transition that does not apply; `refused` says why, for the user. */
export interface Refusal {
	refused: Text;
}

export type Transition = (current: Giveaway | undefined) => Giveaway | Refusal;

export function isRefusal(value: Giveaway | Refusal): value is Refusal {
	return 'refused' in value;
}

export interface NewGiveaway {
	id: string;
	guildId: string;
	channelId: string;
	hostId: string;
	prize: string;
	description: string | null;
	winnerCount: number;
	requiredRoleId: string | null;
	requirements?: Requirements;
	bonus?: BonusEntries;
	durationMs: number;
	/** Start later (ms since epoch): the message appears then. */
	startsAt?: number | null;
	drop?: boolean;
	claimWindowMs?: number | null;
	now: number;
}

export function createGiveaway(input: NewGiveaway): Giveaway {
	const scheduled = typeof input.startsAt === 'number' && input.startsAt > input.now;
	const startsAt = scheduled ? (input.startsAt as number) : input.now;
	return {
		id: input.id,
		guildId: input.guildId,
		channelId: input.channelId,
		messageId: null,
		hostId: input.hostId,
		prize: input.prize,
		description: input.description,
		winnerCount: input.winnerCount,
		requiredRoleId: input.requiredRoleId,
		requirements: input.requirements ?? NO_REQUIREMENTS,
		bonus: input.bonus ?? NO_BONUS,
		...(input.drop ? { drop: true } : {}),
		...(input.claimWindowMs ? { claimWindowMs: input.claimWindowMs, claimRounds: [] } : {}),
		createdAt: input.now,
		...(scheduled ? { startsAt, post: null } : { startedAt: input.now }),
		durationMs: input.durationMs,
		endsAt: startsAt + input.durationMs,
		remainingMs: null,
		state: scheduled ? 'scheduled' : 'active',
		entryCount: 0,
		claim: null,
		winners: null,
		announcement: null,
		endedAt: null,
		rerolls: [],
		revision: 0
	};
}

function changed(giveaway: Giveaway, patch: Partial<Giveaway>): Giveaway {
	return { ...giveaway, ...patch, revision: giveaway.revision + 1 };
}

function missing(id: string): Refusal {
	return { refused: text('giveaways:unknown', { id }) };
}

const CLOSED = (state: Exclude<GiveawayState, 'active'>): Text => text(`giveaways:closed.${state}`);

export function setMessage(id: string, messageId: string): Transition {
	return (giveaway) => (giveaway ? changed(giveaway, { messageId }) : missing(id));
}

/**
 * Counts an entry (+1) or a leave (-1); only an active giveaway takes either, or a scheduled one whose message is being
 * posted (members may click the moment it appears, before the start is recorded as done).
 */
export function countEntry(id: string, change: 1 | -1): Transition {
	return (giveaway) => {
		if (!giveaway) return missing(id);
		const appearing = giveaway.state === 'scheduled' && Boolean(giveaway.post) && !giveaway.post?.failure;
		if (giveaway.state !== 'active' && !appearing) return { refused: CLOSED(giveaway.state) };
		return changed(giveaway, { entryCount: Math.max(0, giveaway.entryCount + change) });
	};
}

/** A record from before `giveaway-entries`: its entrant list becomes a count (the entries are written beforehand). */
export function moveEntrantsOut(id: string): Transition {
	return (giveaway) => {
		if (!giveaway) return missing(id);
		if (!giveaway.entrants) return { refused: text('giveaways:entriesMoved') };
		const { entrants, ...rest } = giveaway;
		return changed(rest, { entryCount: new Set(entrants).size });
	};
}

export function pause(id: string, now: number): Transition {
	return (giveaway) => {
		if (!giveaway) return missing(id);
		if (giveaway.state !== 'active') return { refused: giveaway.state === 'paused' ? text('giveaways:alreadyPaused') : CLOSED(giveaway.state) };
		return changed(giveaway, { state: 'paused', remainingMs: Math.max(0, giveaway.endsAt - now) });
	};
}

export function resume(id: string, now: number): Transition {
	return (giveaway) => {
		if (!giveaway) return missing(id);
		if (giveaway.state !== 'paused') return { refused: giveaway.state === 'active' ? text('giveaways:notPaused') : CLOSED(giveaway.state) };
		return changed(giveaway, { state: 'active', endsAt: now + (giveaway.remainingMs ?? 0), remainingMs: null });
	};
}

export function cancel(id: string, now: number): Transition {
	return (giveaway) => {
		if (!giveaway) return missing(id);
		if (giveaway.state !== 'active' && giveaway.state !== 'paused' && giveaway.state !== 'scheduled') return { refused: CLOSED(giveaway.state) };
		// A scheduled start's claim goes with it: nothing is left to post.
		return changed(giveaway, { state: 'cancelled', endedAt: now, remainingMs: null, claim: null });
	};
}

/** What `/giveaway edit` changes; absent fields stay as they are. */
export interface GiveawayEdit {
	prize?: string;
	description?: string | null;
	winnerCount?: number;
	/** How long it runs from now (a scheduled one: from its start). */
	runsForMs?: number;
	/** Requirement options as typed; applied to the requirements as stored when the edit runs. */
	requirementChanges?: RequirementChanges;
	/** New bonus rules (replacing the old ones), or only a new mode for the old ones. */
	bonus?: BonusEntries;
	bonusMode?: BonusEntries['mode'];
}

/**
 * Edits a giveaway that has not ended. Entries already made stay; the draw checks each against the requirements as
 * they are then, so entrants who no longer qualify are dropped there.
 */
export function edit(id: string, patch: GiveawayEdit, now: number): Transition {
	return (giveaway) => {
		if (!giveaway) return missing(id);
		if (giveaway.state !== 'active' && giveaway.state !== 'paused' && giveaway.state !== 'scheduled') return { refused: CLOSED(giveaway.state) };
		const { runsForMs, requirementChanges, bonusMode, ...fields } = patch;
		let requirements: Requirements | undefined;
		if (requirementChanges) {
			const result = changeRequirements(requirementsOf(giveaway), requirementChanges);
			if (!result.ok) return { refused: result.reason };
			requirements = result.requirements;
		}
		const bonus = fields.bonus ?? (bonusMode ? { ...bonusOf(giveaway), mode: bonusMode } : undefined);
		const timing: Partial<Giveaway> =
			runsForMs === undefined
				? {}
				: giveaway.state === 'active'
					? { endsAt: now + runsForMs }
					: giveaway.state === 'paused'
						? { remainingMs: runsForMs }
						: { durationMs: runsForMs, endsAt: (giveaway.startsAt ?? now) + runsForMs };
		// New requirements are complete (requirementsOf folded an older record's single required role in).
		return changed(giveaway, {
			...fields,
			...timing,
			...(requirements ? { requirements, requiredRoleId: null } : {}),
			...(bonus ? { bonus } : {})
		});
	};
}

/** `/giveaway end`: the end time becomes now (a paused giveaway is resumed for it); the scheduler's ending follows. */
export function endNow(id: string, now: number): Transition {
	return (giveaway) => {
		if (!giveaway) return missing(id);
		if (giveaway.state !== 'active' && giveaway.state !== 'paused') return { refused: CLOSED(giveaway.state) };
		return changed(giveaway, { state: 'active', endsAt: Math.min(giveaway.endsAt, now), remainingMs: null });
	};
}

/**
 * Claims the ending: an active giveaway whose end time passed, or an ending whose claim has timed out (its holder died
 * or stalled). Anything else is refused, which is how a second process or a second timer learns to stand back.
 */
export function claimEnding(id: string, claim: EndingClaim): Transition {
	return (giveaway) => {
		if (!giveaway) return missing(id);
		if (giveaway.state === 'active') {
			if (giveaway.endsAt > claim.at) return { refused: text('giveaways:notEndTime') };
			return changed(giveaway, { state: 'ending', claim });
		}
		if (giveaway.state === 'ending') {
			if (giveaway.claim && giveaway.claim.at + CLAIM_TIMEOUT_MS > claim.at)
				return { refused: text('giveaways:beingEnded', { owner: giveaway.claim.owner }) };
			return changed(giveaway, { claim });
		}
		return { refused: CLOSED(giveaway.state) };
	};
}

/**
 * A scheduled start whose time came: claimed like an ending (see claimEnding), the giveaway staying `scheduled` until
 * its message is posted; a claim older than CLAIM_TIMEOUT_MS may be taken over, keeping the post intent recorded.
 */
export function claimStart(id: string, claim: EndingClaim): Transition {
	return (giveaway) => {
		if (!giveaway) return missing(id);
		if (giveaway.state !== 'scheduled')
			return { refused: giveaway.state === 'active' ? text('giveaways:alreadyStarted') : CLOSED(giveaway.state) };
		if ((giveaway.startsAt ?? 0) > claim.at) return { refused: text('giveaways:notStartTime') };
		if (giveaway.claim && giveaway.claim.at + CLAIM_TIMEOUT_MS > claim.at)
			return { refused: text('giveaways:beingStarted', { owner: giveaway.claim.owner }) };
		return changed(giveaway, { claim });
	};
}

/** The end of a scheduled giveaway that starts with the message posted at `postedAt`: the duration counts from then. */
export function endOnceStarted(giveaway: Giveaway, postedAt: number): number {
	return postedAt + (giveaway.durationMs ?? giveaway.endsAt - (giveaway.startsAt ?? giveaway.createdAt));
}

/** scheduled -> active once its message is posted; the claim is released with it. */
export function activate(id: string, token: string, now: number): Transition {
	return (giveaway) => {
		const next = holding(giveaway, id, token, now, (current) => {
			const postedAt = current.post?.startedAt ?? now;
			return { state: 'active', startedAt: postedAt, endsAt: endOnceStarted(current, postedAt) };
		});
		return isRefusal(next) ? next : { ...next, claim: null };
	};
}

/** Refuses unless `token` still holds the claim (of an ending, or of a scheduled start); refreshes the claim's time otherwise. */
function holding(
	giveaway: Giveaway | undefined,
	id: string,
	token: string,
	now: number,
	patch: (giveaway: Giveaway) => Partial<Giveaway>
): Giveaway | Refusal {
	if (!giveaway) return missing(id);
	if ((giveaway.state !== 'ending' && giveaway.state !== 'scheduled' && giveaway.state !== 'ended') || giveaway.claim?.token !== token)
		return { refused: text('giveaways:claimLost') };
	return changed(giveaway, { ...patch(giveaway), claim: { ...giveaway.claim, at: now } });
}

/**
 * What is sent once (see service.ts, deliverOnce): the ending's announcement, a scheduled giveaway's message, the host's
 * list, a winner's claim DM (`dm:<round>:<user>`) or an auto-reroll's announcement (`reroll:<round>`).
 */
export type Delivery = 'announcement' | 'post' | 'hostList' | `dm:${number}:${string}` | `reroll:${number}`;

/** Where a delivery is recorded. */
export function deliveryOf(giveaway: Giveaway, delivery: Delivery): Announcement | null {
	const [kind, round, userId] = delivery.split(':');
	if (kind === 'dm') return giveaway.claimRounds?.[Number(round)]?.dms[userId!] ?? null;
	if (kind === 'reroll') return giveaway.claimRounds?.[Number(round)]?.rerollAnnouncement ?? null;
	return giveaway[delivery as 'announcement' | 'post' | 'hostList'] ?? null;
}

function deliveryPatch(giveaway: Giveaway, delivery: Delivery, value: Announcement): Partial<Giveaway> {
	const [kind, roundText, userId] = delivery.split(':');
	if (kind !== 'dm' && kind !== 'reroll') return { [delivery]: value };
	const rounds = [...(giveaway.claimRounds ?? [])];
	const round = rounds[Number(roundText)];
	if (!round) return {};
	rounds[Number(roundText)] = kind === 'dm' ? { ...round, dms: { ...round.dms, [userId!]: value } } : { ...round, rerollAnnouncement: value };
	return { claimRounds: rounds };
}

/** Winners are recorded once: a takeover keeps the ones its predecessor drew. */
export function recordWinners(id: string, token: string, winners: string[], now: number): Transition {
	return (giveaway) => holding(giveaway, id, token, now, (current) => ({ winners: current.winners ?? winners }));
}

/** The holder is about to send; an intent already recorded (by a predecessor) is kept, nonce and all. */
export function recordIntent(id: string, delivery: Delivery, token: string, nonce: string, now: number): Transition {
	return (giveaway) =>
		holding(giveaway, id, token, now, (current) =>
			deliveryPatch(current, delivery, deliveryOf(current, delivery) ?? { nonce, startedAt: now, messageId: null, failure: null })
		);
}

/**
 * The message exists (or failed for good). Recorded whoever holds the claim now: it is a fact about the channel, and
 * losing it would make the next holder send a second one.
 */
export function recordResult(id: string, delivery: Delivery, result: { messageId: string } | { failure: string }): Transition {
	return (giveaway) => {
		if (!giveaway) return missing(id);
		const current = deliveryOf(giveaway, delivery);
		if (!current) return { refused: text('giveaways:nothingToSend') };
		if (current.messageId) return giveaway;
		const next = 'messageId' in result ? { ...current, messageId: result.messageId, failure: null } : { ...current, failure: result.failure };
		return changed(giveaway, {
			...deliveryPatch(giveaway, delivery, next),
			...(delivery === 'post' && 'messageId' in result ? { messageId: result.messageId } : {})
		});
	};
}

export const recordAnnouncementIntent = (id: string, token: string, nonce: string, now: number) =>
	recordIntent(id, 'announcement', token, nonce, now);
export const recordAnnouncementResult = (id: string, result: { messageId: string } | { failure: string }) => recordResult(id, 'announcement', result);

/** ending -> ended; the claim is released with it. */
export function finishEnding(id: string, token: string, now: number): Transition {
	return (giveaway) => {
		const next = holding(giveaway, id, token, now, () => ({ state: 'ended', endedAt: now }));
		return isRefusal(next) ? next : { ...next, claim: null };
	};
}

export function recordReroll(id: string, reroll: Reroll): Transition {
	return (giveaway) => {
		if (!giveaway) return missing(id);
		if (giveaway.state !== 'ended') return { refused: giveaway.state === 'cancelled' ? CLOSED('cancelled') : text('giveaways:onlyEndedReroll') };
		const waiting = waitingRound(giveaway);
		if (waiting) return { refused: text('giveaways:claimsPending', { deadline: `<t:${Math.floor(waiting.deadline / 1000)}:f>` }) };
		return changed(giveaway, { rerolls: [...giveaway.rerolls, reroll] });
	};
}

// --- claims ------------------------------------------------------------------------------------------------------

/** The last claim round while it still decides something: not closed, with winners who have not claimed. */
export function waitingRound(giveaway: Giveaway): ClaimRound | null {
	const round = giveaway.claimRounds?.at(-1);
	if (!round || round.closed) return null;
	return round.winners.some((winner) => round.claimedAt[winner] === undefined) ? round : null;
}

function newRound(winners: string[], deadline: number): ClaimRound {
	return { winners, deadline, claimedAt: {}, dms: {}, replaced: null, replacements: null, rerollAnnouncement: null, closed: false };
}

/** The ending's winners start their window once told (after the announcement); a takeover keeps the round opened. */
export function openClaimRound(id: string, token: string, now: number): Transition {
	return (giveaway) =>
		holding(giveaway, id, token, now, (current) =>
			current.claimWindowMs && (current.claimRounds ?? []).length === 0 && (current.winners ?? []).length > 0
				? { claimRounds: [newRound(current.winners!, now + current.claimWindowMs)] }
				: {}
		);
}

/**
 * A winner's Claim click. Only a winner of a round can claim, only in its window and before the auto-reroll froze who
 * is replaced; claiming twice changes nothing.
 */
export function claimPrize(id: string, userId: string, now: number): Transition {
	return (giveaway) => {
		if (!giveaway) return missing(id);
		const rounds = giveaway.claimRounds ?? [];
		let index = rounds.length - 1;
		while (index >= 0 && !rounds[index]!.winners.includes(userId)) index--;
		const round = rounds[index];
		if (!round) return { refused: text('giveaways:notWinner') };
		if (round.claimedAt[userId] !== undefined) return giveaway;
		if (round.replaced !== null || now > round.deadline) return { refused: text('giveaways:claimPassed') };
		const claimRounds = [...rounds];
		claimRounds[index] = { ...round, claimedAt: { ...round.claimedAt, [userId]: now } };
		return changed(giveaway, { claimRounds });
	};
}

/**
 * Claims the auto-reroll, like an ending: an ended giveaway whose waiting round's window has passed (the winners who
 * did not claim are frozen then), or whose auto-reroll claim has timed out (its holder died; it is taken over).
 */
export function claimAutoReroll(id: string, claim: EndingClaim): Transition {
	return (giveaway) => {
		if (!giveaway) return missing(id);
		if (giveaway.state !== 'ended') return { refused: text('giveaways:onlyEndedReroll') };
		if (giveaway.claim) {
			if (giveaway.claim.at + CLAIM_TIMEOUT_MS > claim.at) return { refused: text('giveaways:beingRerolled', { owner: giveaway.claim.owner }) };
			return changed(giveaway, { claim });
		}
		const round = waitingRound(giveaway);
		if (!round) return { refused: text('giveaways:noClaimWaiting') };
		if (round.deadline > claim.at) return { refused: text('giveaways:claimWindowOpen') };
		const claimRounds = [...giveaway.claimRounds!];
		claimRounds[claimRounds.length - 1] = { ...round, replaced: round.winners.filter((winner) => round.claimedAt[winner] === undefined) };
		return changed(giveaway, { claim, claimRounds });
	};
}

function lastRoundPatch(giveaway: Giveaway, patch: (round: ClaimRound) => Partial<ClaimRound>): Partial<Giveaway> {
	const claimRounds = [...(giveaway.claimRounds ?? [])];
	const round = claimRounds.at(-1);
	if (!round) return {};
	claimRounds[claimRounds.length - 1] = { ...round, ...patch(round) };
	return { claimRounds };
}

/** The replacements are recorded once (a takeover keeps its predecessor's), at most one per winner replaced. */
export function recordReplacements(id: string, token: string, drawn: string[], now: number): Transition {
	return (giveaway) =>
		holding(giveaway, id, token, now, (current) =>
			lastRoundPatch(current, (round) => ({ replacements: round.replacements ?? drawn.slice(0, round.replaced?.length ?? 0) }))
		);
}

/**
 * The auto-reroll is announced: the round closes, the replacements become current winners (recorded as a reroll by
 * `auto`), and they get a round of their own.
 */
export function closeRound(id: string, token: string, now: number): Transition {
	return (giveaway) =>
		holding(giveaway, id, token, now, (current) => {
			const round = current.claimRounds?.at(-1);
			if (!round || round.closed || !round.replaced) return {};
			const replacements = round.replacements ?? [];
			const winners = [...currentWinners(current).filter((winner) => !round.replaced!.includes(winner)), ...replacements];
			const claimRounds = [...current.claimRounds!];
			claimRounds[claimRounds.length - 1] = { ...round, closed: true };
			if (replacements.length > 0) claimRounds.push(newRound(replacements, now + (current.claimWindowMs ?? 0)));
			return { claimRounds, rerolls: [...current.rerolls, { at: now, byId: 'auto', winners }] };
		});
}

/** The auto-reroll is done (its DMs sent): the claim is released. */
export function releaseClaim(id: string, token: string, now: number): Transition {
	return (giveaway) => {
		const next = holding(giveaway, id, token, now, () => ({}));
		return isRefusal(next) ? next : { ...next, claim: null };
	};
}

/** Everyone who has won this giveaway so far: a reroll draws among the others. */
export function pastWinners(giveaway: Giveaway): string[] {
	return [...new Set([...(giveaway.winners ?? []), ...giveaway.rerolls.flatMap((reroll) => reroll.winners)])];
}

/** The winners shown now: the latest reroll's, else the original draw. */
export function currentWinners(giveaway: Giveaway): string[] {
	return giveaway.rerolls.at(-1)?.winners ?? giveaway.winners ?? [];
}

/** When the scheduler must look at this giveaway next: its end, or when an ending claim may be taken over. */
export function nextDueAt(giveaway: Giveaway): number | null {
	if (giveaway.state === 'scheduled') return giveaway.claim ? giveaway.claim.at + CLAIM_TIMEOUT_MS : (giveaway.startsAt ?? 0);
	if (giveaway.state === 'active') return giveaway.endsAt;
	if (giveaway.state === 'ending') return (giveaway.claim?.at ?? 0) + CLAIM_TIMEOUT_MS;
	if (giveaway.state === 'ended') {
		if (giveaway.claim) return giveaway.claim.at + CLAIM_TIMEOUT_MS;
		return waitingRound(giveaway)?.deadline ?? null;
	}
	return null;
}

export function isOpen(giveaway: Giveaway): boolean {
	return giveaway.state === 'scheduled' || giveaway.state === 'active' || giveaway.state === 'paused' || giveaway.state === 'ending';
}

/** Ended or cancelled before `cutoff`: past the retention period, deleted with its entries. */
export function isPastRetention(giveaway: Giveaway, cutoff: number): boolean {
	return (giveaway.state === 'ended' || giveaway.state === 'cancelled') && giveaway.endedAt !== null && giveaway.endedAt < cutoff;
}

/** The giveaway's requirements; `requiredRoleId` (older records, or a single role) counts when they name no roles. */
export function requirementsOf(giveaway: Pick<Giveaway, 'requiredRoleId' | 'requirements'>): Requirements {
	const requirements = giveaway.requirements ?? NO_REQUIREMENTS;
	if (giveaway.requiredRoleId === null || requirements.requiredRoleIds.length > 0) return requirements;
	return { ...requirements, requiredRoleIds: [giveaway.requiredRoleId], requiredRolesMode: 'any' };
}

/** When entries opened: the counting start of `invites-during`. */
export function startedAtOf(giveaway: Pick<Giveaway, 'startedAt' | 'createdAt' | 'post'>): number {
	return giveaway.startedAt ?? giveaway.post?.startedAt ?? giveaway.createdAt;
}

/** The giveaway's bonus entries; none in records from before them. */
export function bonusOf(giveaway: Pick<Giveaway, 'bonus'>): BonusEntries {
	return giveaway.bonus ?? NO_BONUS;
}
