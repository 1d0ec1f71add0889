import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotProcess, DiscordEmulator } from '../harness/index.js';
import { ChildRedis, redisServerAvailable } from '../helpers/child-redis.js';
import { freePort } from '../helpers/free-port.js';
import { eventually } from '../helpers/eventually.js';
import { filesUnder, inviteTotal, isCreditedJoin, runAs, setUpGuild, sleep, whoInvited, writeResult, type GuildSetup } from './_shared.js';

const PASSWORD = 'outage-test-redis-password-7f3a';
const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.Outage.reliability-secret-token-value';
const OUTAGE_MS = Number(process.env.RELIABILITY_OUTAGE_MS ?? 10_000);
/**
 * The Redis server goes away for OUTAGE_MS while the bot runs: the bot stays up and connected to the gateway, commands
 * answer an ephemeral error that says what is wrong, a join in the outage is recorded afterwards or reported, and
 * everything works again once Redis is back. The same run is scanned for secrets (token, Redis password).
 */
describe.skipIf(!redisServerAvailable)('Redis outage (a child redis-server stopped mid-run)', () => {
	let emulator: DiscordEmulator;
	let redis: ChildRedis;
	let bot: BotProcess;
	let dataDir: string;
	let redisDir: string;
	let setup: GuildSetup;

	beforeAll(async () => {
		redisDir = mkdtempSync(join(tmpdir(), 'supreme-outage-redis-'));
		dataDir = mkdtempSync(join(tmpdir(), 'supreme-outage-data-'));
		redis = new ChildRedis(await freePort(), redisDir, PASSWORD);
		await redis.start();
		emulator = await DiscordEmulator.start();
		setup = setUpGuild(emulator);
		bot = new BotProcess({
			apiUrl: emulator.apiUrl,
			dataDir,
			token: TOKEN,
			storageAdapter: 'redis',
			env: { COMMAND_GUILD_IDS: setup.guildId, REDIS_URL: redis.url, LOG_LEVEL: 'debug' }
		});
		await bot.start();
		await bot.waitForLog(/Invite tracking ready/, 30_000);
	}, 60_000);

	afterAll(async () => {
		if (bot?.running) await bot.stop('SIGKILL');
		await emulator?.stop();
		redis?.process?.kill('SIGKILL');
		for (const dir of [dataDir, redisDir]) if (dir) rmSync(dir, { recursive: true, force: true });
	});

	it(
		'stays up, answers a clear error, keeps the gateway, records the outage join once Redis is back, and recovers',
		{ timeout: OUTAGE_MS + 90_000 },
		async () => {
			const before = emulator.joinViaInvite(setup.guildId, setup.code).id;
			await eventually(async () => isCreditedJoin(await whoInvited(emulator, setup, before), setup), 'the first join to be recorded');
			const [session] = emulator.connectedSessions;
			expect(session).toBeDefined();

			await redis.stop();
			const outageStart = Date.now();
			const during = emulator.joinViaInvite(setup.guildId, setup.code).id;
			const replies = [];
			const reads = [];
			while (Date.now() - outageStart < OUTAGE_MS) {
				// A change needs the storage; /invites is answered from the counts in memory.
				replies.push(await runAs(emulator, setup, 'bonus-invites', { user: setup.inviter, amount: 1 }, undefined, { subcommand: 'add' }));
				reads.push(await runAs(emulator, setup, 'invites', { user: setup.inviter }));
				expect(bot.running, 'the bot process is still up').toBe(true);
				await sleep(1000);
			}
			await redis.start();
			const outageMs = Date.now() - outageStart;

			// What users saw: an answer only they can see, saying what is wrong, never an empty count or silence.
			expect(replies.length).toBeGreaterThanOrEqual(3);
			for (const reply of replies) {
				expect(reply.ephemeral, JSON.stringify(reply)).toBe(true);
				expect(reply.content).toMatch(/storage is unavailable/i);
			}
			for (const reply of reads) expect(String(reply.embeds[0]?.description)).toMatch(/1 invite \(1 regular, 0 left, 0 fake, 0 bonus\)/);
			// The gateway session lived through the outage: no reconnect, no new IDENTIFY.
			expect(emulator.connectedSessions).toEqual([session]);
			expect(emulator.gateway.identifies).toHaveLength(1);

			// Back: commands answer again, new joins are recorded, and the outage join is recorded or was reported.
			// /who-invited reads the stored record: it answers again once the client has reconnected (backoff up to 2 s).
			await eventually(
				async () => isCreditedJoin(await whoInvited(emulator, setup, before), setup),
				'stored data to be readable after Redis is back',
				30_000
			);
			expect(await inviteTotal(emulator, setup)).toBeGreaterThanOrEqual(1);
			const after = emulator.joinViaInvite(setup.guildId, setup.code).id;
			await eventually(
				async () => isCreditedJoin(await whoInvited(emulator, setup, after), setup),
				'a join after the outage to be recorded',
				20_000
			);
			// The join made during the outage waited for the storage and was stored once it was back.
			await eventually(
				async () => (await whoInvited(emulator, setup, during)).includes('joined'),
				'the join made during the outage to be recorded',
				20_000
			);
			const duringCredited = isCreditedJoin(await whoInvited(emulator, setup, during), setup);
			expect(
				bot.logLines(new RegExp(`Join of member ${during} .*waiting for the storage`)).length,
				'the waiting join is in the log'
			).toBeGreaterThan(0);
			expect(bot.logLines(/Redis .*error/).length, 'the outage is in the log').toBeGreaterThan(0);

			writeResult('redis-outage', {
				outageMs,
				changesDuringOutage: replies.length,
				readsDuringOutage: reads.length,
				answeredWithError: replies.filter((reply) => reply.ephemeral && /storage is unavailable/i.test(reply.content)).length,
				gatewayReconnects: emulator.gateway.identifies.length - 1,
				joinDuringOutage: duringCredited ? 'recorded after recovery, credited to its inviter' : 'recorded after recovery, inviter unknown',
				joinAfterOutage: 'recorded'
			});
		}
	);

	it('writes no secret (token, Redis password) to logs, data or backups, and keeps them private', async () => {
		await bot.stop('SIGTERM');
		expect(bot.output).not.toContain(TOKEN);
		expect(bot.output).not.toContain(PASSWORD);
		const files = filesUnder(dataDir);
		expect(files.some((path) => path.includes('backups'))).toBe(true);
		const { readFileSync, statSync } = await import('node:fs');
		for (const path of files) {
			const text = readFileSync(path, 'latin1');
			expect(text, path).not.toContain(TOKEN);
			expect(text, path).not.toContain(PASSWORD);
			expect(statSync(path).mode & 0o077, `${path} is private`).toBe(0);
		}
	});
});
