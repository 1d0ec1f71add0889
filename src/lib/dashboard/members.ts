import type { Client } from 'discord.js';

/** Display names for ids the page lists (leaderboards); unknown or deleted users stay null. */
export async function userNames(client: Client, ids: readonly string[]): Promise<Map<string, string | null>> {
	const names = new Map<string, string | null>();
	await Promise.all(
		[...new Set(ids)].map(async (id) => {
			const user = client.users.cache.get(id) ?? (await client.users.fetch(id).catch(() => null));
			names.set(id, user ? (user.globalName ?? user.username) : null);
		})
	);
	return names;
}
