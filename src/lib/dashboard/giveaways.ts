import { currentWinners, type Giveaway } from '../giveaways/state.js';

/** A giveaway as the page lists it. */
export function giveawayView(giveaway: Giveaway) {
	const iso = (at: number | null | undefined) => (at === null || at === undefined ? null : new Date(at).toISOString());
	return {
		id: giveaway.id,
		prize: giveaway.prize,
		description: giveaway.description,
		state: giveaway.state,
		channelId: giveaway.channelId,
		messageId: giveaway.messageId,
		hostId: giveaway.hostId,
		winnerCount: giveaway.winnerCount,
		entries: giveaway.entryCount,
		startsAt: iso(giveaway.startsAt),
		endsAt: iso(giveaway.endsAt),
		remainingMs: giveaway.remainingMs,
		endedAt: iso(giveaway.endedAt),
		winners: currentWinners(giveaway),
		rerolls: giveaway.rerolls.length,
		drop: giveaway.drop === true
	};
}
