import { describe, expect, it } from 'vitest';
import { settleGroup, useIncreases, type InviteSnapshot } from '../../../src/lib/invites/attribution.js';

function snapshot(invites: Array<[code: string, inviterId: string, uses: number, maxUses?: number]>, vanityUses?: number): InviteSnapshot {
	return {
		invites: Object.fromEntries(invites.map(([code, inviterId, uses, maxUses = 0]) => [code, { code, inviterId, uses, maxUses }])),
		vanity: vanityUses === undefined ? null : { code: 'cool', uses: vanityUses }
	};
}

/** Settles `joins` new members (m0, m1, ...) against the uses that rose from `before` to `after`. */
function settle(before: InviteSnapshot, after: InviteSnapshot, joins: number, quiet: boolean) {
	return settleGroup(
		useIncreases(before, after),
		Array.from({ length: joins }, (_, index) => ({ memberId: `m${index}`, previousInviterId: null })),
		quiet
	);
}

describe('useIncreases', () => {
	it('finds every rule: risen, new with uses, vanished one short of max, vanity', () => {
		const before = snapshot(
			[
				['a', 'u1', 3],
				['single', 'u2', 0, 1],
				['limited', 'u3', 4, 5],
				['deleted', 'u4', 2, 0]
			],
			10
		);
		const after = snapshot(
			[
				['a', 'u1', 4],
				['fresh', 'u5', 2]
			],
			11
		);
		expect(useIncreases(before, after)).toEqual([
			{ code: 'a', inviterId: 'u1', vanity: false, increase: 1 },
			{ code: 'fresh', inviterId: 'u5', vanity: false, increase: 2 },
			{ code: 'single', inviterId: 'u2', vanity: false, increase: 1 },
			{ code: 'limited', inviterId: 'u3', vanity: false, increase: 1 },
			{ code: 'cool', inviterId: null, vanity: true, increase: 1 }
		]);
	});

	it('sees nothing when nothing rose and a deleted unlimited invite vanished', () => {
		expect(
			useIncreases(
				snapshot([
					['a', 'u1', 3],
					['gone', 'u2', 7]
				]),
				snapshot([['a', 'u1', 3]])
			)
		).toEqual([]);
	});

	it('sees no use in a limited invite that vanished one short of max_uses after it expired', () => {
		const now = Date.now();
		const before: InviteSnapshot = { invites: { e: { code: 'e', inviterId: 'u1', uses: 0, maxUses: 1, expiresAt: now - 1 } }, vanity: null };
		expect(useIncreases(before, snapshot([]), now)).toEqual([]);
		const live: InviteSnapshot = { invites: { e: { code: 'e', inviterId: 'u1', uses: 0, maxUses: 1, expiresAt: now + 60_000 } }, vanity: null };
		expect(useIncreases(live, snapshot([]), now)).toHaveLength(1);
	});
});

describe('settleGroup', () => {
	it('credits each member individually when the group was quiet, exact, and from one inviter', () => {
		expect(
			settle(
				snapshot([
					['a', 'u1', 0],
					['b', 'u2', 5]
				]),
				snapshot([
					['a', 'u1', 2],
					['b', 'u2', 5]
				]),
				2,
				true
			)
		).toEqual([
			{ how: 'normal', code: 'a', inviterId: 'u1' },
			{ how: 'normal', code: 'a', inviterId: 'u1' }
		]);
		expect(settle(snapshot([], 3), snapshot([], 4), 1, true)).toEqual([{ how: 'vanity', code: 'cool', inviterId: null }]);
		// Two codes of one inviter: the inviter is certain, the code is not.
		expect(
			settle(
				snapshot([
					['a', 'u1', 0],
					['b', 'u1', 0]
				]),
				snapshot([
					['a', 'u1', 1],
					['b', 'u1', 1]
				]),
				2,
				true
			)[0]
		).toEqual({ how: 'normal', code: null, inviterId: 'u1' });
		expect(settle(snapshot([['once', 'u9', 0, 1]]), snapshot([]), 1, true)).toEqual([{ how: 'normal', code: 'once', inviterId: 'u9' }]);
	});

	it('never credits a member individually unless the group was quiet: a use may belong to a join still on its way', () => {
		const [only] = settle(snapshot([['a', 'u1', 0]]), snapshot([['a', 'u1', 1]]), 1, false);
		expect(only).toEqual({ how: 'burst', code: null, inviterId: 'u1', candidates: ['u1'], maybeNone: true });
	});

	it('deals a burst: per-inviter counts exact, each member with every possible inviter', () => {
		const result = settle(
			snapshot([
				['a', 'u1', 0],
				['b', 'u2', 0]
			]),
			snapshot([
				['a', 'u1', 2],
				['b', 'u2', 1]
			]),
			3,
			true
		);
		expect(result.map((attribution) => attribution.inviterId)).toEqual(['u1', 'u1', 'u2']);
		expect(
			result.every((attribution) => attribution.how === 'burst' && attribution.candidates!.join() === 'u1,u2' && !attribution.maybeNone)
		).toBe(true);
	});

	it('deals no more credits than uses when fewer uses than joins rose, and no more than joins when more rose', () => {
		const fewer = settle(
			snapshot([
				['a', 'u1', 0],
				['b', 'u2', 0]
			]),
			snapshot([
				['a', 'u1', 1],
				['b', 'u2', 0]
			]),
			2,
			true
		);
		expect(fewer.map((attribution) => attribution.inviterId)).toEqual(['u1', null]);
		expect(fewer.every((attribution) => attribution.maybeNone)).toBe(true);
		const more = settle(
			snapshot([
				['a', 'u1', 0],
				['b', 'u2', 0]
			]),
			snapshot([
				['a', 'u1', 2],
				['b', 'u2', 2]
			]),
			2,
			false
		);
		expect(
			more.filter((attribution) => attribution.inviterId === 'u1').length + more.filter((attribution) => attribution.inviterId === 'u2').length
		).toBe(2);
	});

	it('records unknown when no invite rose', () => {
		expect(settle(snapshot([['a', 'u1', 1]]), snapshot([['a', 'u1', 1]]), 2, true).map((attribution) => attribution.how)).toEqual([
			'unknown',
			'unknown'
		]);
	});

	it('gives a rejoining member back the share of their earlier inviter first', () => {
		const increases = useIncreases(
			snapshot([
				['a', 'u1', 0],
				['b', 'u2', 0]
			]),
			snapshot([
				['a', 'u1', 1],
				['b', 'u2', 1]
			])
		);
		const result = settleGroup(
			increases,
			[
				{ memberId: 'new', previousInviterId: null },
				{ memberId: 'back', previousInviterId: 'u2' }
			],
			true
		);
		expect(result.map((attribution) => attribution.inviterId)).toEqual(['u1', 'u2']);
	});
});
