import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type RedisClientType } from '@redis/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotProcess, DiscordEmulator } from '../harness/index.js';
import { freePort } from '../helpers/free-port.js';
import { flushRedisDatabase, redisAvailable, redisTestUrl } from '../helpers/redis.js';

const REDIS_URL = redisTestUrl(2);
const HEALTH_TOKEN = 'health-endpoint-test-token-8c1f2e';
const REQUESTS = 20;

/** The health endpoint of the real bot on Redis: loopback only, a bearer token, a cheap /healthz, a cached /status. */
describe.skipIf(!redisAvailable)('health endpoint (HEALTH_HOST, HEALTH_TOKEN)', () => {
	let emulator: DiscordEmulator;
	let bot: BotProcess;
	let dataDir: string;
	let port: number;
	let raw: RedisClientType;
	const auth = { authorization: `Bearer ${HEALTH_TOKEN}` };

	beforeAll(async () => {
		await flushRedisDatabase(REDIS_URL);
		raw = createClient({ url: REDIS_URL }) as RedisClientType;
		await raw.connect();
		// Data of an earlier version: the bot moves it at start, which leaves an event in its status.
		await raw.set('invites::legacy', JSON.stringify({ value: 1 }));
		emulator = await DiscordEmulator.start();
		const guild = emulator.createGuild({ name: 'Health' });
		dataDir = mkdtempSync(join(tmpdir(), 'supreme-health-'));
		port = await freePort();
		bot = new BotProcess({
			apiUrl: emulator.apiUrl,
			dataDir,
			storageAdapter: 'redis',
			env: { COMMAND_GUILD_IDS: guild.id, REDIS_URL, HEALTH_PORT: String(port), HEALTH_TOKEN }
		});
		await bot.start();
		await bot.waitForLog(/Invite tracking ready/);
	}, 90_000);

	afterAll(async () => {
		if (bot?.running) await bot.stop('SIGTERM');
		await emulator?.stop();
		await raw?.close();
		if (dataDir) rmSync(dataDir, { recursive: true, force: true });
		await flushRedisDatabase(REDIS_URL);
	});

	it('answers 401 without the bearer token and never logs it', async () => {
		const base = `http://127.0.0.1:${port}`;
		const refused: Array<Record<string, string>> = [{}, { authorization: 'Bearer wrong-token-of-some-length' }, { authorization: HEALTH_TOKEN }];
		for (const headers of refused) {
			for (const path of ['/healthz', '/status']) {
				const response = await fetch(`${base}${path}`, { headers });
				expect(response.status, `${path} with ${JSON.stringify(headers)}`).toBe(401);
				expect(response.headers.get('www-authenticate')).toBe('Bearer');
				expect(await response.text()).not.toMatch(/invites|redis/i);
			}
		}
		const healthy = await fetch(`${base}/healthz`, { headers: auth });
		expect(healthy.status).toBe(200);
		expect(await healthy.text()).toBe('ok\n');
		expect(bot.output).toMatch(/Health endpoint listening on 127\.0\.0\.1 port \d+ \(\/healthz, \/status; bearer token required\)/);
		expect(bot.output).not.toContain(HEALTH_TOKEN);
	});

	it('listens on loopback only by default: another address of the machine is refused', async () => {
		// 127.0.0.2 reaches this machine too (all of 127/8 is loopback on Linux), but not a server bound to 127.0.0.1.
		await expect(fetch(`http://127.0.0.2:${port}/healthz`, { headers: auth })).rejects.toThrow();
	});

	it('serves /status without paths, event text or member data', async () => {
		const response = await fetch(`http://127.0.0.1:${port}/status`, { headers: auth });
		const text = await response.text();
		expect(response.status).toBe(200);
		const report = JSON.parse(text) as {
			storage: { adapter: string; healthy: boolean; counts: Record<string, number>; events: Array<Record<string, unknown>> };
		};
		expect(report).toMatchObject({ healthy: true, gateway: { connected: true, guilds: 1 }, storage: { adapter: 'redis', healthy: true } });
		expect(report.storage.counts.invites).toBe(1);
		expect(report.storage.events.length).toBeGreaterThan(0);
		for (const event of report.storage.events) expect(Object.keys(event).sort()).toEqual(['at', 'level']);
		expect(text).not.toContain(dataDir);
		expect(text).not.toContain(tmpdir());
		expect(text).not.toContain('legacy');
		expect(text).not.toContain(HEALTH_TOKEN);
	});

	it('answers /healthz with a ping and /status from a cache: no keyspace walk per request', async () => {
		const scans = async () => Number(/cmdstat_scan:calls=(\d+)/.exec(await raw.info('commandstats'))?.[1] ?? 0);
		const base = `http://127.0.0.1:${port}`;
		const beforeHealthz = await scans();
		for (let request = 0; request < REQUESTS; request++) expect((await fetch(`${base}/healthz`, { headers: auth })).status).toBe(200);
		const healthzScans = (await scans()) - beforeHealthz;
		const beforeStatus = await scans();
		const reports = [];
		for (let request = 0; request < REQUESTS; request++)
			reports.push((await (await fetch(`${base}/status`, { headers: auth })).json()) as { generatedAt: string });
		const statusScans = (await scans()) - beforeStatus;
		// A walk per request would be at least one SCAN each; the bot's own timers may add a few meanwhile.
		expect(healthzScans).toBeLessThan(REQUESTS / 2);
		expect(statusScans).toBeLessThan(REQUESTS / 2);
		expect(new Set(reports.map((report) => report.generatedAt)).size).toBeLessThan(REQUESTS / 2);
	});
});
