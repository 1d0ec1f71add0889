import { rmSync } from 'node:fs';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shardOf } from '../harness/emulator/snowflake.js';
import type { GuildRecord } from '../harness/emulator/types.js';
import { BotProcess, DiscordEmulator } from '../harness/index.js';
import { DashboardClient, startDashboardBot } from '../helpers/dashboard.js';
import { eventually } from '../helpers/eventually.js';
import { languageT } from '../helpers/i18n.js';
import { flushRedisDatabase, redisAvailable, redisTestUrl } from '../helpers/redis.js';

const REDIS_URL = redisTestUrl(14);

/**
 * The dashboard under `npm run start:sharded` (2 shards on one Redis): shard 0 serves HTTP and forwards each server's
 * calls to the shard that holds it, where that shard's own view and services answer.
 */
describe.skipIf(!redisAvailable)('dashboard, sharded (2 shards, redis)', () => {
	let emulator: DiscordEmulator;
	let bot: BotProcess;
	let dataDir: string;
	let base: string;
	/** One server on each shard: byShard[0] on shard 0, byShard[1] on shard 1. */
	const byShard: GuildRecord[] = [];
	let admin: { id: string };
	let member: { id: string };

	beforeAll(async () => {
		await flushRedisDatabase(REDIS_URL);
		emulator = await DiscordEmulator.start({ shardCount: 2 });
		admin = emulator.createUser({ username: 'admin' });
		member = emulator.createUser({ username: 'member' });
		// Guild ids made in the same millisecond land on the same shard: make them until both shards have one.
		while (byShard[0] === undefined || byShard[1] === undefined) {
			const guild = emulator.createGuild({ name: `Server ${Math.random().toString(36).slice(2, 8)}` });
			const shard = shardOf(guild.id, 2);
			if (byShard[shard] === undefined) {
				byShard[shard] = guild;
				const managers = emulator.createRole(guild.id, { name: 'Managers', permissions: PermissionFlagsBits.ManageGuild });
				emulator.addMember(guild.id, admin.id, { roles: [managers.id] });
				emulator.addMember(guild.id, member.id);
			} else {
				emulator.removeGuild(guild.id);
			}
			await new Promise((resolve) => setTimeout(resolve, 3));
		}
		({ bot, base, dataDir } = await startDashboardBot(emulator, {
			guildId: byShard.map((guild) => guild.id).join(','),
			ownerId: admin.id,
			dataDirPrefix: 'supreme-dashboard-sharded-',
			shardedRedisUrl: REDIS_URL
		}));
	}, 120_000);

	function shardPid(shard: number): number {
		const pid = Number(new RegExp(`shard ${shard} process started \\(pid (\\d+)\\)`).exec(bot.runOutput)?.[1]);
		expect(pid).toBeGreaterThan(0);
		return pid;
	}

	afterAll(async () => {
		if (bot?.running) await bot.stop('SIGTERM');
		await emulator?.stop();
		if (dataDir) rmSync(dataDir, { recursive: true, force: true });
		await flushRedisDatabase(REDIS_URL);
	});

	it('serves from shard 0 only, and lists the servers of both shards by name, with their language', async () => {
		expect(bot.logLines(/Dashboard listening/)).toHaveLength(1);
		const browser = new DashboardClient(base);
		await browser.login(emulator, admin.id);
		const listed = await browser.json('/api/guilds');
		expect(listed.status).toBe(200);
		const expected = [...byShard].sort((a, b) => a.name.localeCompare(b.name));
		expect(listed.body.guilds).toEqual(expected.map((guild) => expect.objectContaining({ id: guild.id, name: guild.name, language: 'en-US' })));
	});

	it("changes the welcome of shard 1's server through shard 0, and shard 1 greets the next member with it", async () => {
		const browser = new DashboardClient(base);
		await browser.login(emulator, admin.id);
		const guild = byShard[1]!;
		const api = `/api/guilds/${guild.id}/greetings/welcome`;
		const settings = { channelId: guild.systemChannelId!, message: 'Hello {user}, welcome to {server} from shard 1!' };
		// The preview renders on shard 1 too (the member is looked up there).
		const preview = await browser.json(`${api}/preview`, { method: 'POST', json: settings });
		expect(preview.status).toBe(200);
		expect(preview.body.content).toBe(`Hello <@${admin.id}>, welcome to ${guild.name} from shard 1!`);
		const saved = await browser.json(api, { method: 'PUT', json: settings });
		expect(saved.status).toBe(200);
		expect(saved.body.settings).toMatchObject({ channelId: guild.systemChannelId, message: settings.message });
		expect((await browser.json(api)).body.settings.message).toBe(settings.message);
		// Only shard 1 gets this server's gateway events: the greeting proves its in-memory settings changed.
		const newcomer = emulator.joinUnknown(guild.id, { username: 'newcomer' });
		const message = await emulator.waitForMessage(guild.systemChannelId!, (candidate) => candidate.content.includes(`<@${newcomer.id}>`), 15_000);
		expect(message.content).toBe(`Hello <@${newcomer.id}>, welcome to ${guild.name} from shard 1!`);
		// A refusal from the service on shard 1 comes back as it is: /setup-welcome's reason.
		const refused = await browser.json(api, { method: 'PUT', json: { ...settings, colour: 'blue' } });
		expect(refused.status).toBe(400);
		expect(refused.body.message).toContain('is not a colour');
	}, 30_000);

	it("refuses a member without Manage Server on shard 1's server, by shard 1's view, in the server's language", async () => {
		const browser = new DashboardClient(base);
		await browser.login(emulator, member.id);
		const guild = byShard[1]!;
		expect((await browser.json('/api/guilds')).body.guilds).toEqual([]);
		const refused = await browser.json(`/api/guilds/${guild.id}/greetings/welcome`);
		expect(refused.status).toBe(403);
		expect(refused.body).toEqual({ error: 'forbidden', message: 'You need the Manage Server permission in this server.' });
		await emulator
			.runCommand({
				guildId: guild.id,
				userId: admin.id,
				name: 'language',
				subcommand: 'set',
				options: { language: 'de' },
				memberPermissions: PermissionFlagsBits.ManageGuild
			})
			.answer();
		const german = await browser.json(`/api/guilds/${guild.id}/greetings/welcome`);
		expect(german.status).toBe(403);
		expect(german.body.message).toBe(languageT('de')('dashboard:manageServerNeeded'));
		// A server on no shard (the bot is not in it).
		expect((await browser.json('/api/guilds/123456789012345678/greetings/welcome')).status).toBe(404);
	});

	it("refuses a forged write to shard 1's server without the CSRF token, and nothing changes there", async () => {
		const browser = new DashboardClient(base);
		await browser.login(emulator, admin.id);
		const api = `/api/guilds/${byShard[1]!.id}/greetings/welcome`;
		const before = (await browser.json(api)).body.settings.message;
		const forged = await browser.json(api, {
			method: 'PUT',
			json: { channelId: byShard[1]!.systemChannelId!, message: 'Forged {user}' },
			csrf: false
		});
		expect(forged.status).toBe(403);
		expect(forged.body.error).toBe('csrf');
		expect(forged.body.message).toBe(languageT('de')('dashboard:csrf'));
		expect((await browser.json(api)).body.settings.message).toBe(before);
	});

	it('answers 503 when the server shard stops answering (a timeout), for the server and for the list', async () => {
		const browser = new DashboardClient(base);
		await browser.login(emulator, admin.id);
		const api = `/api/guilds/${byShard[1]!.id}/greetings/welcome`;
		const settings = { channelId: byShard[1]!.systemChannelId!, message: 'Before the freeze {user}' };
		expect((await browser.json(api, { method: 'PUT', json: settings })).status).toBe(200);
		const pid = shardPid(1);
		// A frozen process: alive for the manager, silent to shard 0's broadcastEval.
		process.kill(pid, 'SIGSTOP');
		try {
			const [overview, list] = await Promise.all([browser.json(`/api/guilds/${byShard[1]!.id}/overview`), browser.json('/api/guilds')]);
			expect(overview.status).toBe(503);
			expect(overview.body).toEqual({ error: 'shard_unavailable', message: languageT('de')('dashboard:shardUnavailable') });
			// Not a list without the servers of a shard that is away: the user would think them gone.
			expect(list.status).toBe(503);
			expect(list.body).toEqual({ error: 'shard_unavailable', message: languageT('en-US')('dashboard:shardUnavailable') });
			// A write is not "unavailable": it reached the shard's queue and may still be made, so the answer says so.
			const written = await browser.json(api, { method: 'PUT', json: { ...settings, message: 'Made late {user}' } });
			expect(written.status).toBe(504);
			expect(written.body).toEqual({ error: 'shard_timeout', message: languageT('de')('dashboard:shardTimeout') });
		} finally {
			process.kill(pid, 'SIGCONT');
		}
		await eventually(
			async () => (await browser.json(`/api/guilds/${byShard[1]!.id}/overview`)).status === 200,
			'shard 1 answering again',
			20_000
		);
		// Once the shard runs again, it makes the change it was sent: which is why the 504 asks to reload first.
		await eventually(async () => (await browser.json(api)).body.settings?.message === 'Made late {user}', 'the late change to be made', 20_000);
	}, 60_000);

	it('answers 503 in the server language while its shard restarts, and serves it again once back', async () => {
		const browser = new DashboardClient(base);
		await browser.login(emulator, admin.id);
		const guild = byShard[1]!;
		process.kill(shardPid(1), 'SIGKILL');
		await bot.waitForLog(/shard 1 exited \(SIGKILL\); restarting it/, 10_000);
		const away = await browser.json(`/api/guilds/${guild.id}/overview`);
		expect(away.status).toBe(503);
		expect(away.body).toEqual({ error: 'shard_unavailable', message: languageT('de')('dashboard:shardUnavailable') });
		// Shard 0's own server is not affected.
		expect((await browser.json(`/api/guilds/${byShard[0]!.id}/overview`)).status).toBe(200);
		await bot.waitForLog(/Supreme Bot ready: .*\(shard 1 of 2\)/, 60_000, 2);
		await eventually(async () => (await browser.json(`/api/guilds/${guild.id}/overview`)).status === 200, 'shard 1 answering again', 20_000);
		expect((await browser.json('/api/guilds')).body.guilds).toHaveLength(2);
	}, 90_000);
});
