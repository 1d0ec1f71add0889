import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../src/lib/giveaways/duration.js';
import {
	CLAIM_TIMEOUT_MS,
	cancel,
	claimEnding,
	countEntry,
	createGiveaway,
	endNow,
	finishEnding,
	isRefusal,
	moveEntrantsOut,
	nextDueAt,
	pause,
	recordAnnouncementIntent,
	recordAnnouncementResult,
	recordReroll,
	recordWinners,
	resume,
	type Giveaway,
	type Transition
} from '../../../src/lib/giveaways/state.js';
import { inEnglish, readable } from '../../helpers/i18n.js';

const T0 = 1_700_000_000_000;
const base = () =>
	createGiveaway({
		id: 'g1',
		guildId: 'guild',
		channelId: 'chan',
		hostId: 'host',
		prize: 'Nitro',
		description: null,
		winnerCount: 2,
		requiredRoleId: null,
		durationMs: 10_000,
		now: T0
	});

function ok(transition: Transition, giveaway: Giveaway | undefined): Giveaway {
	const next = transition(giveaway);
	if (isRefusal(next)) throw new Error(`refused: ${inEnglish(next.refused)}`);
	return next;
}

function refused(transition: Transition, giveaway: Giveaway | undefined): string {
	const next = transition(giveaway);
	if (!isRefusal(next)) throw new Error('expected a refusal');
	return inEnglish(next.refused);
}

describe('giveaway state machine', () => {
	it('counts entries and leaves; closed giveaways refuse both', () => {
		let giveaway = ok(countEntry('g1', 1), base());
		giveaway = ok(countEntry('g1', 1), giveaway);
		expect(giveaway.entryCount).toBe(2);
		giveaway = ok(countEntry('g1', -1), giveaway);
		expect(giveaway.entryCount).toBe(1);
		const paused = ok(pause('g1', T0 + 4000), giveaway);
		expect(refused(countEntry('g1', 1), paused)).toMatch(/paused/);
		expect(refused(countEntry('g1', -1), ok(cancel('g1', T0), giveaway))).toMatch(/cancelled/);
		expect(refused(countEntry('g1', 1), undefined)).toMatch(/no giveaway/);
	});

	it('turns the entrant list of a record from before the entries namespace into a count, once', () => {
		const { entryCount: _, ...legacy } = { ...base(), entrants: ['u1', 'u2', 'u2'] };
		const moved = ok(moveEntrantsOut('g1'), legacy as Giveaway);
		expect(moved.entryCount).toBe(2);
		expect(moved).not.toHaveProperty('entrants');
		expect(refused(moveEntrantsOut('g1'), moved)).toMatch(/already moved/);
	});

	it('pause keeps the time left and resume gives it back', () => {
		const paused = ok(pause('g1', T0 + 4000), base());
		expect(paused.remainingMs).toBe(6000);
		expect(nextDueAt(paused)).toBeNull();
		expect(refused(pause('g1', T0 + 5000), paused)).toMatch(/already paused/);
		const resumed = ok(resume('g1', T0 + 60_000), paused);
		expect(resumed.state).toBe('active');
		expect(resumed.endsAt).toBe(T0 + 66_000);
		expect(refused(resume('g1', T0), resumed)).toMatch(/not paused/);
	});

	it('claims an ending only once it is due, and only once', () => {
		const giveaway = base();
		expect(refused(claimEnding('g1', { token: 'a', owner: 'p1', at: T0 + 9999 }), giveaway)).toMatch(/not reached/);
		const claimed = ok(claimEnding('g1', { token: 'a', owner: 'p1', at: T0 + 10_000 }), giveaway);
		expect(claimed.state).toBe('ending');
		expect(refused(claimEnding('g1', { token: 'b', owner: 'p2', at: T0 + 10_001 }), claimed)).toMatch(/being ended by p1/);
		expect(nextDueAt(claimed)).toBe(T0 + 10_000 + CLAIM_TIMEOUT_MS);
	});

	it('lets a timed-out claim be taken over, keeping the winners and the announcement intent', () => {
		let giveaway = ok(claimEnding('g1', { token: 'a', owner: 'p1', at: T0 + 10_000 }), base());
		giveaway = ok(recordWinners('g1', 'a', ['u1'], T0 + 10_001), giveaway);
		giveaway = ok(recordAnnouncementIntent('g1', 'a', 'nonce-a', T0 + 10_002), giveaway);
		const late = T0 + 10_002 + CLAIM_TIMEOUT_MS;
		expect(refused(claimEnding('g1', { token: 'b', owner: 'p2', at: late - 1 }), giveaway)).toMatch(/being ended/);
		const taken = ok(claimEnding('g1', { token: 'b', owner: 'p2', at: late }), giveaway);
		// The old holder can no longer act.
		expect(refused(finishEnding('g1', 'a', late), taken)).toMatch(/lost/);
		expect(refused(recordWinners('g1', 'a', ['u9'], late), taken)).toMatch(/lost/);
		// The new holder cannot change what was decided.
		const redrawn = ok(recordWinners('g1', 'b', ['u9'], late), taken);
		expect(redrawn.winners).toEqual(['u1']);
		const intent = ok(recordAnnouncementIntent('g1', 'b', 'nonce-b', late), redrawn);
		expect(intent.announcement?.nonce).toBe('nonce-a');
		const announced = ok(recordAnnouncementResult('g1', { messageId: 'm1' }), intent);
		expect(ok(recordAnnouncementResult('g1', { messageId: 'm2' }), announced).announcement?.messageId).toBe('m1');
		const ended = ok(finishEnding('g1', 'b', late + 1), announced);
		expect(ended).toMatchObject({ state: 'ended', claim: null, endedAt: late + 1 });
		expect(nextDueAt(ended)).toBeNull();
		expect(refused(claimEnding('g1', { token: 'c', owner: 'p3', at: late + 10 * CLAIM_TIMEOUT_MS }), ended)).toMatch(/ended/);
	});

	it('ends early, cancels, and rerolls only what it should', () => {
		const early = ok(endNow('g1', T0 + 1000), ok(pause('g1', T0 + 500), base()));
		expect(early).toMatchObject({ state: 'active', endsAt: T0 + 1000 });
		const cancelled = ok(cancel('g1', T0 + 2000), base());
		expect(cancelled.state).toBe('cancelled');
		expect(refused(endNow('g1', T0), cancelled)).toMatch(/cancelled/);
		expect(refused(recordReroll('g1', { at: T0, byId: 'host', winners: [] }), base())).toMatch(/ended/);
	});
});

describe('parseDuration', () => {
	it('reads units, combinations and bare seconds', () => {
		expect(parseDuration('2s')).toEqual({ ok: true, ms: 2000 });
		expect(parseDuration('1h30m')).toEqual({ ok: true, ms: 5_400_000 });
		expect(parseDuration('1 week')).toEqual({ ok: true, ms: 604_800_000 });
		expect(parseDuration(' 3 ')).toEqual({ ok: true, ms: 3000 });
	});

	it('refuses what is not a duration, too short or too long', () => {
		expect(readable(parseDuration('soon'))).toMatchObject({ ok: false, reason: expect.stringMatching(/not a duration/) });
		expect(parseDuration('0s')).toMatchObject({ ok: false });
		expect(parseDuration('-5s')).toMatchObject({ ok: false });
		expect(readable(parseDuration('0.4s'))).toMatchObject({ ok: false, reason: expect.stringMatching(/at least 1 second/) });
		expect(readable(parseDuration('400d'))).toMatchObject({ ok: false, reason: expect.stringMatching(/at most 365 days/) });
	});
});
