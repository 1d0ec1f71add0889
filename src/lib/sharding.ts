import { RouteBases, Routes } from 'discord.js';
import type { Config } from '../config.js';
import { describeError } from './secrets.js';

/** Why `npm run start:sharded` cannot run with this config, or null. Shards are processes: only Redis is shared safely. */
export function shardedStartRefusal(config: Pick<Config, 'storageAdapter'>): string | null {
	if (config.storageAdapter === 'redis') return null;
	return `Sharded start refused: STORAGE_ADAPTER=${config.storageAdapter} keeps data for one process; set STORAGE_ADAPTER=redis (and REDIS_URL) to run shards, or use npm start`;
}

/**
 * The shard count `GET /gateway/bot` recommends, asked at DISCORD_API_URL when it is set. discord.js'
 * fetchRecommendedShardCount always asks discord.com, which a REST proxy (or the test emulator) would not see.
 */
export async function fetchRecommendedShards(config: Pick<Config, 'discordApiUrl' | 'discordToken'>): Promise<number> {
	const base = config.discordApiUrl === null ? RouteBases.api : `${config.discordApiUrl}/v10`;
	let response: Response;
	try {
		response = await fetch(`${base}${Routes.gatewayBot()}`, { headers: { Authorization: `Bot ${config.discordToken.replace(/^Bot\s*/i, '')}` } });
	} catch (error) {
		throw new Error(`the recommended shard count could not be fetched: ${describeError(error)}`);
	}
	if (response.status === 401) throw new Error('DISCORD_TOKEN was refused by Discord (401 Unauthorized)');
	if (!response.ok) throw new Error(`the recommended shard count could not be fetched: HTTP ${response.status}`);
	const { shards } = (await response.json()) as { shards?: unknown };
	if (typeof shards !== 'number' || !Number.isInteger(shards) || shards < 1) throw new Error('GET /gateway/bot answered without a shard count');
	return shards;
}
