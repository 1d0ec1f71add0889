import { createClient } from '@redis/client';

/**
 * Redis tests run on a real server: REDIS_URL, or 127.0.0.1:6379. Each suite gets its own database number so that
 * flushing it never touches another suite's data. CI sets REQUIRE_REDIS=1, which turns a missing server into a
 * failure instead of a skip.
 */
const baseUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function redisTestUrl(database: number): string {
	const url = new URL(baseUrl);
	url.pathname = `/${database}`;
	return url.toString();
}

async function probe(): Promise<string | null> {
	const client = createClient({ url: baseUrl, socket: { connectTimeout: 1000, reconnectStrategy: false } });
	client.on('error', () => undefined);
	try {
		await client.connect();
		await client.ping();
		return null;
	} catch (error) {
		return (error as Error).message || String(error);
	} finally {
		if (client.isOpen) client.destroy();
	}
}

const problem = await probe();
if (problem !== null) {
	if (process.env.REQUIRE_REDIS === '1') throw new Error(`REQUIRE_REDIS=1 but no Redis server answers at ${baseUrl}: ${problem}`);
	console.warn(`Skipping Redis tests: no Redis server answers at ${baseUrl} (${problem}). Start one or set REDIS_URL.`);
}

/** True when a Redis server answers; suites use `describe.skipIf(!redisAvailable)`. */
export const redisAvailable = problem === null;

export { flushRedisDatabase } from './redis-flush.js';
