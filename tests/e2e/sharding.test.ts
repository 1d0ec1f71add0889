import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage-adapters/index.js';
import { shardOf } from '../harness/emulator/snowflake.js';
import { BotProcess, DiscordEmulator } from '../harness/index.js';
import { runDataCli } from '../helpers/data-cli.js';
import { freePortRun } from '../helpers/free-port.js';
import { eventually } from '../helpers/eventually.js';
import { flushRedisDatabase, redisAvailable, redisTestUrl } from '../helpers/redis.js';

const ADMIN = PermissionFlagsBits.ManageGuild | PermissionFlagsBits.SendMessages | PermissionFlagsBits.ViewChannel;
const REDIS_URL = redisTestUrl(5);
const SHARDED_ENTRY = fileURLToPath(new URL('../../dist/sharded.js', import.meta.url));

/** `npm run start:sharded`: two shard processes on one Redis, each serving its own guilds. */
describe.skipIf(!redisAvailable)('sharded start (2 shards, redis)', () => {
	let emulator: DiscordEmulator;
	let bot: BotProcess;
	let dataDir: string;
	let healthPort: number;
	const guilds: Array<{ id: string; channelId: string; inviter: string; code: string }> = [];

	beforeAll(async () => {
		await flushRedisDatabase(REDIS_URL);
		emulator = await DiscordEmulator.start({ shardCount: 2 });
		// Guild ids made in the same millisecond land on the same shard: make them until both shards have one.
		while (new Set(guilds.map((guild) => shardOf(guild.id, 2))).size < 2) {
			const guild = emulator.createGuild({ name: `Guild ${guilds.length}` });
			const inviter = emulator.createUser({ username: `inviter${guilds.length}` }).id;
			emulator.addMember(guild.id, inviter);
			const { code } = emulator.createInvite(guild.id, { code: `inv${guilds.length}`, inviterId: inviter });
			guilds.push({ id: guild.id, channelId: guild.systemChannelId!, inviter, code });
			await new Promise((resolve) => setTimeout(resolve, 3));
		}
		dataDir = mkdtempSync(join(tmpdir(), 'supreme-sharded-'));
		healthPort = await freePortRun(2);
		bot = new BotProcess({
			apiUrl: emulator.apiUrl,
			dataDir,
			storageAdapter: 'redis',
			entry: 'dist/sharded.js',
			readyCount: 2,
			readyTimeoutMs: 60_000,
			// SHARD_COUNT unset: 'auto' asks the emulator's GET /gateway/bot, which recommends 2.
			env: { COMMAND_GUILD_IDS: guilds.map((guild) => guild.id).join(','), REDIS_URL, HEALTH_PORT: String(healthPort) }
		});
		await bot.start();
	}, 120_000);

	afterAll(async () => {
		if (bot?.running) await bot.stop('SIGTERM');
		await emulator?.stop();
		if (dataDir) rmSync(dataDir, { recursive: true, force: true });
		await flushRedisDatabase(REDIS_URL);
	});

	async function invitesText(guild: (typeof guilds)[number]): Promise<string> {
		const reply = await emulator
			.runCommand({
				guildId: guild.id,
				channelId: guild.channelId,
				userId: guild.inviter,
				name: 'invites',
				options: { user: guild.inviter },
				memberPermissions: ADMIN
			})
			.answer();
		return String(reply.embeds[0]?.description ?? reply.content);
	}

	async function expectInvites(guild: (typeof guilds)[number], count: number): Promise<void> {
		let last = '';
		const expected = `${count} ${count === 1 ? 'invite' : 'invites'} (${count} regular`;
		await eventually(
			async () => (last = await invitesText(guild)).includes(expected),
			`/invites in guild ${guild.id} to read "${expected}"`,
			20_000,
			() => last
		);
	}

	it('spawns the recommended shard count, each shard identifying with its own shard id and one startup backup for the fleet', () => {
		expect(bot.runOutput).toMatch(/Sharding: spawning 2 shards \(recommended by Discord\)/);
		expect(emulator.gateway.identifies.map((identify) => identify.shard.join('/')).sort()).toEqual(['0/2', '1/2']);
		expect(bot.logLines(/Supreme Bot ready: .*\(shard 0 of 2\)/)).toHaveLength(1);
		expect(bot.logLines(/Supreme Bot ready: .*\(shard 1 of 2\)/)).toHaveLength(1);
		expect(bot.logLines(/Startup backup made:/)).toHaveLength(1);
		expect(bot.logLines(/Startup backup skipped: another shard made it/)).toHaveLength(1);
		expect(readdirSync(join(dataDir, 'backups')).filter((name) => name.includes('startup'))).toHaveLength(1);
	});

	it('serves a health endpoint per shard: shard N on HEALTH_PORT + N, each reporting its own guilds', async () => {
		for (const shard of [0, 1]) {
			const base = `http://127.0.0.1:${healthPort + shard}`;
			expect((await fetch(`${base}/healthz`)).status).toBe(200);
			const status = (await (await fetch(`${base}/status`)).json()) as { gateway: { connected: boolean; guilds: number } };
			expect(status.gateway).toEqual({ connected: true, guilds: guilds.filter((guild) => shardOf(guild.id, 2) === shard).length });
		}
	});

	it('tracks joins and answers commands on both shards', async () => {
		for (const guild of guilds) {
			emulator.joinViaInvite(guild.id, guild.code);
			emulator.joinViaInvite(guild.id, guild.code);
		}
		for (const guild of guilds) await expectInvites(guild, 2);
	}, 60_000);

	it('respawns a shard killed with SIGKILL; nothing acknowledged is lost and the other shard keeps serving', async () => {
		const victim = guilds.find((guild) => shardOf(guild.id, 2) === 1)!;
		const survivor = guilds.find((guild) => shardOf(guild.id, 2) === 0)!;
		const pid = Number(/shard 1 process started \(pid (\d+)\)/.exec(bot.runOutput)?.[1]);
		expect(pid).toBeGreaterThan(0);
		process.kill(pid, 'SIGKILL');
		await bot.waitForLog(/shard 1 exited \(SIGKILL\); restarting it/, 10_000);
		// The other shard is untouched: its guild keeps counting while shard 1 is down.
		emulator.joinViaInvite(survivor.id, survivor.code);
		await expectInvites(survivor, 3);
		await bot.waitForLog(/Supreme Bot ready: .*\(shard 1 of 2\)/, 60_000, 2);
		await expectInvites(victim, 2);
		emulator.joinViaInvite(victim.id, victim.code);
		await expectInvites(victim, 3);
		expect(emulator.unknownRoutes).toEqual([]);
		expect(emulator.serverErrors).toEqual([]);
	}, 90_000);

	it('reloads every shard when the data CLI restores a backup under them', async () => {
		const regular = async (guild: (typeof guilds)[number]) => Number(/(\d+) regular/.exec(await invitesText(guild))?.[1]);
		const before = new Map<string, number>();
		for (const guild of guilds) before.set(guild.id, await regular(guild));
		// A backup of the data as it is, then bonus invites in every guild, then the restore.
		const storage = await openStorage({
			adapter: 'redis',
			dataDir,
			sqlitePath: join(dataDir, 'bot.sqlite'),
			redisUrl: REDIS_URL,
			backupDir: join(dataDir, 'backups'),
			backupKeep: 20
		});
		const backup = await storage.backup('manual').finally(() => storage.close());
		for (const guild of guilds) {
			await emulator
				.runCommand({
					guildId: guild.id,
					channelId: guild.channelId,
					userId: guild.inviter,
					name: 'bonus-invites',
					subcommand: 'add',
					options: { user: guild.inviter, amount: 2 },
					memberPermissions: ADMIN
				})
				.answer();
			expect(await invitesText(guild)).toContain(`(${before.get(guild.id)} regular, 0 left, 0 fake, 2 bonus)`);
		}
		const restore = await runDataCli(['restore', backup.id], { STORAGE_ADAPTER: 'redis', REDIS_URL, DATA_DIR: dataDir });
		expect(restore.code, restore.stderr).toBe(0);
		// Each shard notices within its check interval and reloads what it holds in memory: the bonus is gone.
		for (const guild of guilds) await expectInvites(guild, before.get(guild.id)!);
		expect(bot.logLines(/stored data was replaced by another process/)).toHaveLength(2);
	}, 90_000);

	it('stops every shard cleanly on SIGTERM (storage flushed, exit 0)', async () => {
		const exit = await bot.stop('SIGTERM');
		expect(exit).toMatchObject({ code: 0, forced: false });
		expect(bot.logLines(/Shutdown complete/)).toHaveLength(2);
		expect(bot.runOutput).toMatch(/Sharding: all shards stopped/);
	}, 30_000);
});

describe('sharded start refusals', () => {
	it.each(['file', 'sqlite'])('refuses STORAGE_ADAPTER=%s with one line and exit 1', (adapter) => {
		const cwd = mkdtempSync(join(tmpdir(), 'supreme-sharded-refusal-'));
		try {
			const run = spawnSync(process.execPath, [SHARDED_ENTRY], {
				cwd,
				env: { PATH: process.env.PATH, DISCORD_TOKEN: 'test-token', STORAGE_ADAPTER: adapter },
				encoding: 'utf8'
			});
			expect(run.status).toBe(1);
			expect(run.stderr.trim().split('\n')).toEqual([
				`Sharded start refused: STORAGE_ADAPTER=${adapter} keeps data for one process; set STORAGE_ADAPTER=redis (and REDIS_URL) to run shards, or use npm start`
			]);
			expect(run.stdout).toBe('');
		} finally {
			rmSync(cwd, { recursive: true, force: true });
		}
	});
});
