import { describe, expect, it } from 'vitest';
import {
	CLAIM_TIMEOUT_MS,
	claimAutoReroll,
	claimEnding,
	claimPrize,
	closeRound,
	createGiveaway,
	currentWinners,
	finishEnding,
	isRefusal,
	nextDueAt,
	openClaimRound,
	pastWinners,
	recordIntent,
	recordReplacements,
	recordResult,
	recordReroll,
	recordWinners,
	releaseClaim,
	waitingRound,
	type Giveaway,
	type Transition
} from '../../../src/lib/giveaways/state.js';
import { inEnglish } from '../../helpers/i18n.js';

const T0 = 1_700_000_000_000;
const WINDOW = 60_000;

function ok(transition: Transition, giveaway: Giveaway | undefined): Giveaway {
	const next = transition(giveaway);
	if (isRefusal(next)) throw new Error(`refused: ${inEnglish(next.refused)}`);
	return next;
}

function refused(transition: Transition, giveaway: Giveaway | undefined): string {
	const next = transition(giveaway);
	if (!isRefusal(next)) throw new Error('not refused');
	return inEnglish(next.refused);
}

/** A two-winner giveaway with a claim window, ended at T0 + 10 s with winners a and b (round 0 open until + WINDOW). */
function ended(claimWindowMs: number | null = WINDOW): Giveaway {
	let giveaway = createGiveaway({
		id: 'g1',
		guildId: 'guild',
		channelId: 'chan',
		hostId: 'host',
		prize: 'Nitro',
		description: null,
		winnerCount: 2,
		requiredRoleId: null,
		durationMs: 10_000,
		claimWindowMs,
		now: T0
	});
	const at = T0 + 10_000;
	giveaway = ok(claimEnding('g1', { token: 't', owner: 'p', at }), giveaway);
	giveaway = ok(recordWinners('g1', 't', ['a', 'b'], at), giveaway);
	giveaway = ok(openClaimRound('g1', 't', at), giveaway);
	return ok(finishEnding('g1', 't', at), giveaway);
}

describe('giveaway claims (state machine)', () => {
	it('opens one round for the winners once told; a takeover does not open a second one; none without a window', () => {
		const giveaway = ended();
		expect(giveaway.claimRounds).toHaveLength(1);
		expect(giveaway.claimRounds![0]).toMatchObject({ winners: ['a', 'b'], deadline: T0 + 10_000 + WINDOW, claimedAt: {}, closed: false });
		expect(nextDueAt(giveaway)).toBe(T0 + 10_000 + WINDOW);
		const plain = ended(null);
		expect(plain.claimRounds).toBeUndefined();
		expect(nextDueAt(plain)).toBeNull();
		// openClaimRound again (a takeover of the ending) keeps the first round and its deadline.
		const again = ok(openClaimRound('g1', 't2', T0 + 50_000), { ...giveaway, state: 'ending', claim: { token: 't2', owner: 'q', at: T0 } });
		expect(again.claimRounds).toEqual(giveaway.claimRounds);
	});

	it('only a winner claims, in time, once; claiming twice changes nothing', () => {
		const giveaway = ended();
		expect(refused(claimPrize('g1', 'stranger', T0 + 20_000), giveaway)).toMatch(/Only the winners/);
		const claimed = ok(claimPrize('g1', 'a', T0 + 20_000), giveaway);
		expect(claimed.claimRounds![0]!.claimedAt).toEqual({ a: T0 + 20_000 });
		expect(ok(claimPrize('g1', 'a', T0 + 30_000), claimed)).toBe(claimed);
		expect(refused(claimPrize('g1', 'b', T0 + 10_000 + WINDOW + 1), claimed)).toMatch(/has passed/);
		const both = ok(claimPrize('g1', 'b', T0 + 30_000), claimed);
		// Everyone claimed: nothing left to reroll, nothing to schedule.
		expect(waitingRound(both)).toBeNull();
		expect(nextDueAt(both)).toBeNull();
		expect(refused(claimAutoReroll('g1', { token: 'r', owner: 'p', at: T0 + 10_000 + WINDOW + 1 }), both)).toMatch(/No prize is waiting/);
	});

	it('the auto-reroll is claimed once after the window, freezes who is replaced, keeps its replacements, and opens the next round', () => {
		const claimedA = ok(claimPrize('g1', 'a', T0 + 20_000), ended());
		const deadline = T0 + 10_000 + WINDOW;
		expect(refused(claimAutoReroll('g1', { token: 'r1', owner: 'p1', at: deadline - 1 }), claimedA)).toMatch(/not passed/);
		const held = ok(claimAutoReroll('g1', { token: 'r1', owner: 'p1', at: deadline + 1 }), claimedA);
		expect(held.claimRounds![0]!.replaced).toEqual(['b']);
		// A second process, or a second timer, stands back while the claim is fresh.
		expect(refused(claimAutoReroll('g1', { token: 'r2', owner: 'p2', at: deadline + 2 }), held)).toMatch(/being rerolled by p1/);
		// Once frozen, a late claim by b is refused even if b's clock says it is in time.
		expect(refused(claimPrize('g1', 'b', deadline - 5), held)).toMatch(/has passed/);
		// A manual reroll waits for the claims.
		expect(refused(recordReroll('g1', { at: deadline, byId: 'host', winners: ['x'] }), held)).toMatch(/to claim/);
		let next = ok(recordReplacements('g1', 'r1', ['c', 'd'], deadline + 3), held);
		// One winner replaced: one replacement, however many were drawn.
		expect(next.claimRounds![0]!.replacements).toEqual(['c']);
		// A takeover (the claim timed out) keeps them and cannot record other ones.
		const takeoverAt = deadline + 3 + CLAIM_TIMEOUT_MS + 1;
		expect(nextDueAt(next)).toBe(deadline + 3 + CLAIM_TIMEOUT_MS);
		next = ok(claimAutoReroll('g1', { token: 'r2', owner: 'p2', at: takeoverAt }), next);
		expect(refused(recordReplacements('g1', 'r1', ['z'], takeoverAt), next)).toMatch(/claim was lost/);
		next = ok(recordReplacements('g1', 'r2', ['z'], takeoverAt), next);
		expect(next.claimRounds![0]!.replacements).toEqual(['c']);
		next = ok(recordIntent('g1', 'reroll:0', 'r2', 'nonce-1', takeoverAt), next);
		next = ok(recordIntent('g1', 'reroll:0', 'r2', 'nonce-2', takeoverAt), next);
		expect(next.claimRounds![0]!.rerollAnnouncement).toMatchObject({ nonce: 'nonce-1', messageId: null });
		next = ok(recordResult('g1', 'reroll:0', { messageId: 'm1' }), next);
		next = ok(closeRound('g1', 'r2', takeoverAt), next);
		next = ok(closeRound('g1', 'r2', takeoverAt + 1), next);
		expect(next.claimRounds).toHaveLength(2);
		expect(next.claimRounds![0]).toMatchObject({ closed: true, rerollAnnouncement: { messageId: 'm1' } });
		expect(next.claimRounds![1]).toMatchObject({ winners: ['c'], deadline: takeoverAt + WINDOW, closed: false });
		expect(currentWinners(next)).toEqual(['a', 'c']);
		expect(pastWinners(next).sort()).toEqual(['a', 'b', 'c']);
		expect(next.rerolls).toEqual([{ at: takeoverAt, byId: 'auto', winners: ['a', 'c'] }]);
		// The replacement's DM is recorded in its round; then the claim is released and the next deadline is watched.
		next = ok(recordIntent('g1', 'dm:1:c', 'r2', 'dm-nonce', takeoverAt), next);
		next = ok(recordResult('g1', 'dm:1:c', { messageId: 'dm1' }), next);
		expect(next.claimRounds![1]!.dms.c).toMatchObject({ nonce: 'dm-nonce', messageId: 'dm1' });
		next = ok(releaseClaim('g1', 'r2', takeoverAt), next);
		expect(next.claim).toBeNull();
		expect(nextDueAt(next)).toBe(takeoverAt + WINDOW);
		// b, replaced, cannot claim any more; c can.
		expect(refused(claimPrize('g1', 'b', takeoverAt), next)).toMatch(/has passed/);
		expect(ok(claimPrize('g1', 'c', takeoverAt + 5), next).claimRounds![1]!.claimedAt).toEqual({ c: takeoverAt + 5 });
	});

	it('with nobody left to draw, the auto-reroll closes the last round without opening another', () => {
		const deadline = T0 + 10_000 + WINDOW;
		let giveaway = ok(claimAutoReroll('g1', { token: 'r', owner: 'p', at: deadline + 1 }), ended());
		giveaway = ok(recordReplacements('g1', 'r', [], deadline + 1), giveaway);
		giveaway = ok(releaseClaim('g1', 'r', deadline + 1), ok(closeRound('g1', 'r', deadline + 1), giveaway));
		expect(giveaway.claimRounds).toHaveLength(1);
		expect(currentWinners(giveaway)).toEqual([]);
		expect(nextDueAt(giveaway)).toBeNull();
		expect(ok(recordReroll('g1', { at: deadline + 2, byId: 'host', winners: ['x'] }), giveaway).rerolls).toHaveLength(2);
	});
});
