import { describe, expect, it } from 'vitest';
import { decide, useIncreases, type InviteSnapshot } from '../../../src/lib/invites/attribution.js';

function snapshot(invites: Array<[code: string, inviterId: string, uses: number, maxUses?: number]>, vanityUses?: number): InviteSnapshot {
	return {
		invites: Object.fromEntries(invites.map(([code, inviterId, uses, maxUses = 0]) => [code, { code, inviterId, uses, maxUses }])),
		vanity: vanityUses === undefined ? null : { code: 'cool', uses: vanityUses }
	};
}

/** A decision with no fetches taken while waiting. */
function decideNow(before: InviteSnapshot, after: InviteSnapshot, joins: number, canWait: boolean) {
	return decide(before, [], after, joins, canWait);
}

describe('useIncreases', () => {
	it('finds every rule: risen, new with uses, vanished one short of max, vanity', () => {
		const before = snapshot([['a', 'u1', 3], ['single', 'u2', 0, 1], ['limited', 'u3', 4, 5], ['deleted', 'u4', 2, 0]], 10);
		const after = snapshot([['a', 'u1', 4], ['fresh', 'u5', 2]], 11);
		expect(useIncreases(before, after)).toEqual([
			{ code: 'a', inviterId: 'u1', vanity: false, increase: 1 },
			{ code: 'fresh', inviterId: 'u5', vanity: false, increase: 2 },
			{ code: 'single', inviterId: 'u2', vanity: false, increase: 1 },
			{ code: 'limited', inviterId: 'u3', vanity: false, increase: 1 },
			{ code: 'cool', inviterId: null, vanity: true, increase: 1 }
		]);
	});

	it('sees nothing when nothing rose and a deleted unlimited invite vanished', () => {
		expect(useIncreases(snapshot([['a', 'u1', 3], ['gone', 'u2', 7]]), snapshot([['a', 'u1', 3]]))).toEqual([]);
	});
});

describe('decide', () => {
	it('credits a single join to the invite that rose', () => {
		const result = decideNow(snapshot([['a', 'u1', 0], ['b', 'u2', 5]]), snapshot([['a', 'u1', 1], ['b', 'u2', 5]]), 1, true);
		expect(result.attributions).toEqual([{ how: 'normal', code: 'a', inviterId: 'u1' }]);
		expect(result.snapshot.invites.a!.uses).toBe(1);
	});

	it('credits the vanity URL', () => {
		const result = decideNow(snapshot([], 3), snapshot([], 4), 1, true);
		expect(result.attributions).toEqual([{ how: 'vanity', code: 'cool', inviterId: null }]);
	});

	it('credits all queued joins to one invite that rose by at least that many, keeping the surplus for later joins', () => {
		const result = decideNow(snapshot([['a', 'u1', 0]]), snapshot([['a', 'u1', 5]]), 3, true);
		expect(result.attributions).toHaveLength(3);
		expect(new Set(result.attributions.map((attribution) => attribution.code))).toEqual(new Set(['a']));
		expect(result.snapshot.invites.a!.uses).toBe(3);
		const later = decideNow(result.snapshot, snapshot([['a', 'u1', 5]]), 2, true);
		expect(later.attributions.map((attribution) => attribution.code)).toEqual(['a', 'a']);
	});

	it('waits when several invites rose by more than the queued joins', () => {
		const before = snapshot([['a', 'u1', 0], ['b', 'u2', 0]]);
		const result = decideNow(before, snapshot([['a', 'u1', 1], ['b', 'u2', 1]]), 1, true);
		expect(result).toEqual({ attributions: [], wait: true, snapshot: before });
	});

	it('records "unknown" rather than guess between several invites', () => {
		const result = decideNow(snapshot([['a', 'u1', 0], ['b', 'u2', 0]]), snapshot([['a', 'u1', 1], ['b', 'u2', 1]]), 2, true);
		expect(result.attributions.map((attribution) => attribution.how)).toEqual(['unknown', 'unknown']);
		expect(result.snapshot.invites.b!.uses).toBe(1);
		const gaveUp = decideNow(snapshot([['a', 'u1', 0], ['b', 'u2', 0]]), snapshot([['a', 'u1', 1], ['b', 'u2', 1]]), 1, false);
		expect(gaveUp.attributions).toEqual([{ how: 'unknown', code: null, inviterId: null }]);
	});

	it('credits the inviter when every invite that rose is theirs', () => {
		const result = decideNow(snapshot([['a', 'u1', 0], ['b', 'u1', 0]]), snapshot([['a', 'u1', 1], ['b', 'u1', 1]]), 2, true);
		expect(result.attributions).toEqual([
			{ how: 'normal', code: null, inviterId: 'u1' },
			{ how: 'normal', code: null, inviterId: 'u1' }
		]);
	});

	it('records "unknown" when no invite rose, or fewer uses than joins', () => {
		expect(decideNow(snapshot([['a', 'u1', 1]]), snapshot([['a', 'u1', 1]]), 1, true).attributions[0]!.how).toBe('unknown');
		expect(decideNow(snapshot([['a', 'u1', 0], ['b', 'u2', 0]]), snapshot([['a', 'u1', 1], ['b', 'u2', 0]]), 2, true).attributions.map((a) => a.how)).toEqual([
			'unknown',
			'unknown'
		]);
	});

	it('credits a single-use invite that vanished on its last use', () => {
		const result = decideNow(snapshot([['once', 'u9', 0, 1]]), snapshot([]), 1, true);
		expect(result.attributions).toEqual([{ how: 'normal', code: 'once', inviterId: 'u9' }]);
		expect(result.snapshot.invites).toEqual({});
	});

	it('splits a queue in arrival order along the fetches taken while waiting', () => {
		const base = snapshot([['a', 'u1', 0], ['b', 'u2', 0]]);
		// Joins 1-2 came through a, then 3 through b, then 4-5 through a again; each fetch saw a little more.
		const timeline = [snapshot([['a', 'u1', 2], ['b', 'u2', 0]]), snapshot([['a', 'u1', 2], ['b', 'u2', 1]])];
		const result = decide(base, timeline, snapshot([['a', 'u1', 4], ['b', 'u2', 1]]), 5, true);
		expect(result.attributions.map((attribution) => attribution.code)).toEqual(['a', 'a', 'b', 'a', 'a']);
	});

	it('records a window that mixes invites as unknown, and credits the clean ones around it', () => {
		const base = snapshot([['a', 'u1', 0], ['b', 'u2', 0]]);
		const timeline = [snapshot([['a', 'u1', 1], ['b', 'u2', 0]])];
		const result = decide(base, timeline, snapshot([['a', 'u1', 2], ['b', 'u2', 1]]), 3, true);
		expect(result.attributions.map((attribution) => attribution.how)).toEqual(['normal', 'unknown', 'unknown']);
		expect(result.attributions[0]).toEqual({ how: 'normal', code: 'a', inviterId: 'u1' });
	});

	it('trusts no order when fewer uses than joins were counted', () => {
		const base = snapshot([['a', 'u1', 0], ['b', 'u2', 0]]);
		const result = decide(base, [snapshot([['a', 'u1', 1], ['b', 'u2', 0]])], snapshot([['a', 'u1', 1], ['b', 'u2', 1]]), 3, false);
		expect(result.attributions.map((attribution) => attribution.how)).toEqual(['unknown', 'unknown', 'unknown']);
	});
});
