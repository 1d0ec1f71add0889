import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BotProcess, DiscordEmulator } from '../harness/index.js';
import { flushRedisDatabase, redisAvailable, redisTestUrl } from '../helpers/redis.js';
import { inviteTotal, isCreditedJoin, ROUNDS, setUpGuild, sleep, unreadableDataFiles, whoInvited, writeResult } from './_shared.js';

const REDIS_URL = redisTestUrl(7);

/**
 * kill -9 under a join burst. A join is *acknowledged* once /who-invited, asked while the bot runs, shows it credited
 * to its inviter: the bot has told a user it happened. After every SIGKILL and restart each acknowledged join must
 * still be shown and counted, and every data file must parse.
 */
describe.each([
	{ adapter: 'file', available: true },
	{ adapter: 'sqlite', available: true },
	{ adapter: 'redis', available: redisAvailable }
] as const)('kill -9 under a join burst: $adapter', ({ adapter, available }) => {
	const cleanups: Array<() => Promise<void> | void> = [];
	afterAll(async () => {
		for (const cleanup of cleanups.reverse()) await cleanup();
	});

	it.skipIf(!available)(`loses no acknowledged join in ${ROUNDS} rounds`, { timeout: 60_000 + ROUNDS * 30_000 }, async () => {
		if (adapter === 'redis') await flushRedisDatabase(REDIS_URL);
		const emulator = await DiscordEmulator.start();
		const dataDir = mkdtempSync(join(tmpdir(), `supreme-kill9-${adapter}-`));
		const setup = setUpGuild(emulator);
		const bot = new BotProcess({
			apiUrl: emulator.apiUrl,
			dataDir,
			storageAdapter: adapter,
			env: { COMMAND_GUILD_IDS: setup.guildId, REDIS_URL }
		});
		cleanups.push(
			() => emulator.stop(),
			() => rmSync(dataDir, { recursive: true, force: true }),
			async () => {
				if (bot.running) await bot.stop('SIGKILL');
				if (adapter === 'redis') await flushRedisDatabase(REDIS_URL);
			}
		);
		const startBot = async () => {
			await bot.start();
			await bot.waitForLog(/Invite tracking ready/, 30_000).catch(() => undefined);
		};
		await startBot();

		const acknowledged: string[] = [];
		let sent = 0;
		const lost: string[] = [];
		for (let round = 0; round < ROUNDS; round++) {
			// The burst: joins every few ms with a short pause now and then, until the kill. The tracker records a burst
			// once it goes quiet (250 ms) or at the latest after 3 s (src/lib/invites/stream.ts), so the kill comes within
			// 0.3-4.3 s: before, during and after writes. The poller asks /who-invited about the oldest join not yet
			// acknowledged, one question at a time, and the kill comes between two questions at a random moment.
			const members: string[] = [];
			let killed = false;
			const burst = (async () => {
				while (!killed) {
					members.push(emulator.joinViaInvite(setup.guildId, setup.code).id);
					sent++;
					await sleep(Math.random() < 0.1 ? 300 + Math.random() * 300 : 2 + Math.random() * 8);
				}
			})();
			const killAt = Date.now() + 300 + Math.random() * 4000;
			let next = 0;
			while (Date.now() < killAt) {
				if (next < members.length && isCreditedJoin(await whoInvited(emulator, setup, members[next]!), setup)) {
					acknowledged.push(members[next]!);
					next++;
				} else await sleep(5);
			}
			await bot.stop('SIGKILL');
			killed = true;
			await burst;

			await startBot();
			// This round's acknowledged joins, one by one, and a sample of the earlier rounds' (all of them are checked at
			// the end); the count, derived from the member records, must include every acknowledged join.
			const earlier = acknowledged.slice(0, acknowledged.length - next);
			const sample = [...earlier.filter(() => Math.random() < 40 / Math.max(40, earlier.length)), ...acknowledged.slice(-next)];
			for (const memberId of sample) if (!isCreditedJoin(await whoInvited(emulator, setup, memberId), setup)) lost.push(memberId);
			expect(lost, `round ${round + 1}: acknowledged joins missing after kill -9`).toEqual([]);
			expect(await inviteTotal(emulator, setup)).toBeGreaterThanOrEqual(acknowledged.length);
		}
		for (const memberId of acknowledged) if (!isCreditedJoin(await whoInvited(emulator, setup, memberId), setup)) lost.push(memberId);
		expect(lost, 'acknowledged joins missing at the end').toEqual([]);
		// A run in which no join was ever acknowledged before a kill proves nothing.
		expect(acknowledged.length, 'joins acknowledged before the kills').toBeGreaterThan(0);

		await bot.stop('SIGTERM');
		const unreadable = adapter === 'redis' ? [] : unreadableDataFiles(dataDir);
		expect(unreadable).toEqual([]);
		writeResult(`kill9-${adapter}`, {
			adapter,
			rounds: ROUNDS,
			joinsSent: sent,
			acknowledged: acknowledged.length,
			lost: lost.length,
			unreadableFiles: unreadable.length
		});
		expect(emulator.serverErrors).toEqual([]);
	});
});
