import { randomInt } from 'node:crypto';

/** `randomInt(max)`: an integer in [0, max), uniformly. crypto.randomInt in the bot; tests pass their own. */
export type RandomInt = (max: number) => number;

/**
 * Draws up to `count` distinct winners, uniformly, among the entrants that pass `isValid` (still a member, still
 * holding the required role). A partial Fisher–Yates shuffle: each step picks uniformly among the entrants not yet
 * looked at, and an invalid pick is dropped without a replacement, so every valid entrant is equally likely and
 * validity is checked only for the entrants actually picked (a few, not thousands).
 */
export async function drawWinners(
	entrants: readonly string[],
	count: number,
	isValid: (userId: string) => boolean | Promise<boolean>,
	random: RandomInt = randomInt
): Promise<string[]> {
	const pool = [...new Set(entrants)];
	const winners: string[] = [];
	let remaining = pool.length;
	while (winners.length < count && remaining > 0) {
		const index = random(remaining);
		const candidate = pool[index]!;
		// Move the pick out of the unseen part of the pool.
		pool[index] = pool[remaining - 1]!;
		remaining--;
		if (await isValid(candidate)) winners.push(candidate);
	}
	return winners;
}
