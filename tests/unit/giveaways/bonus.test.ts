import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bonusLine, entriesOf, maxEntries, parseBonus, type BonusEntries } from '../../../src/lib/giveaways/bonus.js';
import { drawWeighted, type RandomInt } from '../../../src/lib/giveaways/draw.js';
import { inEnglish, readable } from '../../helpers/i18n.js';

const A = '111111111111111111';
const B = '222222222222222222';

/** A seeded generator (mulberry32): the statistical checks below are the same on every run. */
function seeded(seed: number): RandomInt {
	let state = seed >>> 0;
	return (max) => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * max);
	};
}

/** Upper 1e-6 quantiles of the chi-square distribution by degrees of freedom: a fair draw fails about once in a million. */
const CHI_SQUARE_LIMIT = [0, 23.93, 27.63, 30.66, 33.38, 35.89, 38.26];

function chiSquare(observed: number[], expected: number[]): number {
	return observed.reduce((sum, count, index) => sum + (count - expected[index]!) ** 2 / expected[index]!, 0);
}

describe('bonus entries', () => {
	it('parses roles, ids and boosters with their entries, and names what is wrong', () => {
		expect(parseBonus(`<@&${A}> x2, ${B}:3; boosters ×4`, 'highest')).toEqual({
			ok: true,
			bonus: {
				rules: [
					{ roleId: A, entries: 2 },
					{ roleId: B, entries: 3 },
					{ roleId: null, entries: 4 }
				],
				mode: 'highest'
			}
		});
		expect(parseBonus(null, null)).toEqual({ ok: true, bonus: { rules: [], mode: 'stack' } });
		expect(readable(parseBonus('@VIP x2', null))).toMatchObject({ ok: false, reason: expect.stringContaining('"@VIP x2" is not a bonus') });
		expect(readable(parseBonus(`<@&${A}> x1`, null))).toMatchObject({ ok: false, reason: expect.stringContaining('2 to 100 entries') });
		expect(readable(parseBonus(`<@&${A}> x2, <@&${A}> x3`, null))).toMatchObject({ ok: false, reason: expect.stringContaining('named twice') });
	});

	it('stacks the extra entries, or counts only the highest', () => {
		const rules = [
			{ roleId: A, entries: 2 },
			{ roleId: B, entries: 3 },
			{ roleId: null, entries: 2 }
		];
		const stack: BonusEntries = { rules, mode: 'stack' };
		const highest: BonusEntries = { rules, mode: 'highest' };
		const everything = { roleIds: [A, B], boosting: true };
		expect(entriesOf(stack, { roleIds: [], boosting: false })).toBe(1);
		expect(entriesOf(stack, everything)).toBe(5);
		expect(entriesOf(highest, everything)).toBe(3);
		expect(entriesOf(stack, { roleIds: [], boosting: true })).toBe(2);
		expect(maxEntries(stack)).toBe(5);
		expect(maxEntries(highest)).toBe(3);
		expect(inEnglish(bonusLine(stack, 'server boosters')!)).toBe(`Bonus entries: <@&${A}> ×2, <@&${B}> ×3, server boosters ×2 (they add up)`);
		expect(bonusLine({ rules: [], mode: 'stack' }, 'server boosters')).toBeNull();
	});
});

describe('drawWeighted', () => {
	const weightsArbitrary = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 12 });

	it('draws distinct winners with entries, as many as possible up to the count', async () => {
		await fc.assert(
			fc.asyncProperty(weightsArbitrary, fc.integer({ min: 1, max: 14 }), fc.integer(), async (weights, count, seed) => {
				const entrants = weights.map((_, index) => `u${index}`);
				const winners = await drawWeighted(entrants, count, (userId) => weights[Number(userId.slice(1))]!, 4, seeded(seed));
				expect(new Set(winners).size).toBe(winners.length);
				expect(winners.every((winner) => weights[Number(winner.slice(1))]! > 0)).toBe(true);
				expect(winners).toHaveLength(Math.min(count, weights.filter((weight) => weight > 0).length));
			})
		);
	});

	it('is uniform over the entries: the first winner is entrant i with probability w_i / Σw (chi-square, p = 1e-6)', async () => {
		await fc.assert(
			fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 6 }), fc.integer(), async (weights, seed) => {
				const entrants = weights.map((_, index) => `u${index}`);
				const random = seeded(seed);
				const draws = 3000;
				const observed = weights.map(() => 0);
				for (let draw = 0; draw < draws; draw++) {
					const [winner] = await drawWeighted(entrants, 1, (userId) => weights[Number(userId.slice(1))]!, 5, random);
					observed[Number(winner!.slice(1))]!++;
				}
				const sum = weights.reduce((a, b) => a + b, 0);
				const expected = weights.map((weight) => (draws * weight) / sum);
				expect(chiSquare(observed, expected)).toBeLessThan(CHI_SQUARE_LIMIT[weights.length - 1]!);
			}),
			{ numRuns: 30 }
		);
	});

	it('draws later winners as if the earlier winners’ entries were taken out of the hat', async () => {
		const weights = [1, 2, 3];
		const entrants = ['u0', 'u1', 'u2'];
		const random = seeded(7);
		const draws = 6000;
		const pairs = new Map<string, number>();
		for (let draw = 0; draw < draws; draw++) {
			const winners = await drawWeighted(entrants, 2, (userId) => weights[Number(userId.slice(1))]!, 3, random);
			pairs.set(winners.join(','), (pairs.get(winners.join(',')) ?? 0) + 1);
		}
		const orders = ['u0,u1', 'u0,u2', 'u1,u0', 'u1,u2', 'u2,u0', 'u2,u1'];
		const expected = orders.map((order) => {
			const [first, second] = order.split(',').map((id) => weights[Number(id.slice(1))]!) as [number, number];
			return (draws * first * second) / (6 * (6 - first));
		});
		expect(
			chiSquare(
				orders.map((order) => pairs.get(order) ?? 0),
				expected
			)
		).toBeLessThan(CHI_SQUARE_LIMIT[5]!);
	});

	it('looks up each picked entrant once, and only the picked ones', async () => {
		const entrants = Array.from({ length: 5000 }, (_, index) => String(index));
		const looked = new Map<string, number>();
		await drawWeighted(entrants, 3, (userId) => (looked.set(userId, (looked.get(userId) ?? 0) + 1), 1 + (Number(userId) % 3)), 3);
		expect(looked.size).toBeLessThan(100);
		expect([...looked.values()].every((times) => times === 1)).toBe(true);
	});
});
