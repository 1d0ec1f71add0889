import { createClient } from '@redis/client';

/** Empties one Redis database; fails at once (no retries) when no server answers, so callers can tell. */
export async function flushRedisDatabase(url: string): Promise<void> {
	const client = createClient({ url, socket: { connectTimeout: 1000, reconnectStrategy: false } });
	client.on('error', () => undefined);
	await client.connect();
	try {
		await client.flushDb();
	} finally {
		await client.close();
	}
}
