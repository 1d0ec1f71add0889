import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drawWinners } from '../../../src/lib/giveaways/draw.js';

const entrantsArbitrary = fc.uniqueArray(fc.stringMatching(/^[0-9]{3,6}$/), { maxLength: 60 });

describe('drawWinners', () => {
	it('draws distinct winners, only valid entrants, as many as possible up to the count', async () => {
		await fc.assert(
			fc.asyncProperty(entrantsArbitrary, fc.integer({ min: 1, max: 70 }), fc.func(fc.boolean()), async (entrants, count, validity) => {
				const valid = new Set(entrants.filter((entrant) => validity(entrant)));
				const winners = await drawWinners(entrants, count, (userId) => valid.has(userId));
				expect(new Set(winners).size).toBe(winners.length);
				expect(winners.every((winner) => valid.has(winner))).toBe(true);
				expect(winners).toHaveLength(Math.min(count, valid.size));
			})
		);
	});

	it('counts an entrant listed twice once', async () => {
		const winners = await drawWinners(['a', 'a', 'a'], 3, () => true);
		expect(winners).toEqual(['a']);
	});

	it('checks validity only for the entrants it picks', async () => {
		const entrants = Array.from({ length: 10_000 }, (_, index) => String(index));
		let checked = 0;
		await drawWinners(entrants, 3, () => (checked++, true));
		expect(checked).toBe(3);
	});

	it('gives every subset of valid entrants the same chance (every sequence of random answers enumerated)', async () => {
		// 5 entrants, one invalid, 2 winners. The draw asks for at most 5 numbers, below 5, 4, 3, 2 and 1: all 120
		// sequences of answers are equally likely, so every pair of valid entrants must come out of the same number.
		const entrants = ['a', 'b', 'c', 'd', 'x'];
		const counts = new Map<string, number>();
		for (let sequence = 0; sequence < 120; sequence++) {
			const answers = [sequence % 5, Math.floor(sequence / 5) % 4, Math.floor(sequence / 20) % 3, Math.floor(sequence / 60) % 2, 0];
			let asked = 0;
			const winners = await drawWinners(
				entrants,
				2,
				(userId) => userId !== 'x',
				(max) => {
					expect(max).toBe(5 - asked);
					return answers[asked++]!;
				}
			);
			const key = [...winners].sort().join('');
			counts.set(key, (counts.get(key) ?? 0) + 1);
		}
		expect(Object.fromEntries(counts)).toEqual({ ab: 20, ac: 20, ad: 20, bc: 20, bd: 20, cd: 20 });
	});
});
