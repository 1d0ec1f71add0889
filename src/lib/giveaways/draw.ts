import { randomInt } from 'node:crypto';

/** `randomInt(max)`: an integer in [0, max), uniformly. crypto.randomInt in the bot; tests pass their own. */
export type RandomInt = (max: number) => number;

/**
 * Draws up to `count` distinct winners, uniformly, among the entrants that pass `isValid` (still a member, still
 * meeting the requirements). Every valid entrant has one entry; see drawWeighted.
 */
export async function drawWinners(
	entrants: readonly string[],
	count: number,
	isValid: (userId: string) => boolean | Promise<boolean>,
	random: RandomInt = randomInt
): Promise<string[]> {
	return drawWeighted(entrants, count, async (userId) => ((await isValid(userId)) ? 1 : 0), 1, random);
}

/**
 * Draws up to `count` distinct winners, each step picking a remaining entrant with probability proportional to their
 * entries (`entriesOf`: 0 for one who may not win, at most `maxEntries`), as if every entry were a ticket in a hat
 * and a winner's other tickets were taken out.
 *
 * Rejection sampling, so that entries are looked up only for the entrants actually picked (a few, not thousands, each
 * one a Discord lookup): pick an entrant uniformly among those left, then keep them with probability
 * entries / maxEntries, else put them back. Given that a pick is kept, entrant i was kept with probability
 * (1/n)(w_i/W) / Σ_j (1/n)(w_j/W) = w_i / Σ_j w_j: exactly proportional to the entries. An entrant with no entries is
 * dropped from the hat at once. Each entrant's entries are looked up once.
 */
export async function drawWeighted(
	entrants: readonly string[],
	count: number,
	entriesOf: (userId: string) => number | Promise<number>,
	maxEntries: number,
	random: RandomInt = randomInt
): Promise<string[]> {
	const pool = [...new Set(entrants)];
	const known = new Map<string, number>();
	const winners: string[] = [];
	let remaining = pool.length;
	while (winners.length < count && remaining > 0) {
		const index = random(remaining);
		const candidate = pool[index]!;
		let entries = known.get(candidate);
		if (entries === undefined) {
			entries = Math.min(maxEntries, Math.max(0, Math.floor(await entriesOf(candidate))));
			known.set(candidate, entries);
		}
		// Put back: a member with fewer entries than the most anyone can have is kept only sometimes.
		if (entries > 0 && entries < maxEntries && random(maxEntries) >= entries) continue;
		// Out of the hat: a winner, or an entrant who may not win.
		pool[index] = pool[remaining - 1]!;
		remaining--;
		if (entries > 0) winners.push(candidate);
	}
	return winners;
}
