import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotProcess, DiscordEmulator, type GuildRecord } from '../harness/index.js';

const COMMAND_WRITES = /^(POST|PUT|PATCH|DELETE) \/applications\//;

describe('BotProcess with a Sapphire fixture bot', () => {
	let emulator: DiscordEmulator;
	let guild: GuildRecord;
	let dataDir: string;
	let bot: BotProcess;

	beforeAll(async () => {
		emulator = await DiscordEmulator.start({ heartbeatIntervalMs: 2000 });
		guild = emulator.createGuild({ name: 'Runner' });
		dataDir = mkdtempSync(join(tmpdir(), 'supreme-runner-'));
		bot = new BotProcess({
			apiUrl: emulator.apiUrl,
			dataDir,
			entry: 'tests/harness/fixtures/sapphire-bot.mjs',
			env: { COMMAND_GUILD_IDS: guild.id }
		});
		await bot.start();
	});

	afterAll(async () => {
		if (bot?.running) await bot.stop('SIGKILL');
		await emulator?.stop();
		rmSync(dataDir, { recursive: true, force: true });
	});

	it('starts the bot, which registers its global and guild commands', () => {
		expect(bot.running).toBe(true);
		expect(bot.runOutput).toMatch(/Supreme Bot ready/);
		expect(emulator.commands().map((command) => command.name)).toEqual(['invites']);
		expect(emulator.commands(guild.id).map((command) => command.name)).toEqual(['config']);
		expect(emulator.unknownRoutes).toEqual([]);
	});

	it('answers a slash command run by a member', async () => {
		const member = emulator.createUser({ username: 'dana' });
		emulator.addMember(guild.id, member.id);
		const reply = await emulator.runCommand({ guildId: guild.id, userId: member.id, name: 'invites' }).reply();
		expect(reply.content).toBe('dana has 0 invites');
		const handle = emulator.runCommand({ guildId: guild.id, userId: member.id, name: 'config', subcommand: 'fake-days', options: { days: 7 } });
		expect((await handle.reply()).ephemeral).toBe(true);
		expect((await handle.waitForEdit()).content).toBe('fake-days saved');
	});

	it('restarts with SIGTERM and registers nothing on the second start (Sapphire sees identical commands)', async () => {
		const before = emulator.requests.length;
		const firstPid = bot.pid;
		const exit = await bot.restart('SIGTERM');
		expect(exit).toEqual({ code: 0, signal: null, forced: false });
		expect(bot.pid).not.toBe(firstPid);
		const secondStart = emulator.requests.slice(before).map((request) => request.route);
		expect(secondStart).toContain('GET /applications/:applicationId/commands');
		expect(secondStart.filter((route) => COMMAND_WRITES.test(route))).toEqual([]);
	});

	it('stops with SIGKILL and reports the signal', async () => {
		const exit = await bot.stop('SIGKILL');
		expect(exit.signal).toBe('SIGKILL');
		expect(bot.running).toBe(false);
	});
});

describe('BotProcess failures', () => {
	it('rejects with the output when the process exits before it is ready', async () => {
		const bot = new BotProcess({ apiUrl: 'http://127.0.0.1:9/api', dataDir: tmpdir(), entry: 'tests/harness/fixtures/exits-early.mjs' });
		await expect(bot.start()).rejects.toThrow(/exited \(code 1.*\n.*DISCORD_TOKEN is required/s);
	});

	it('says to build when the entry is missing', async () => {
		const bot = new BotProcess({ apiUrl: 'http://127.0.0.1:9/api', dataDir: tmpdir(), entry: 'dist/not-built.js' });
		await expect(bot.start()).rejects.toThrow(/npm run build/);
	});
});

describe('the real bot (dist/index.js) against the emulator', () => {
	it('logs in, registers its commands, and a second start changes none of them', async () => {
		const emulator = await DiscordEmulator.start();
		const guild = emulator.createGuild({ name: 'Real bot' });
		const dataDir = mkdtempSync(join(tmpdir(), 'supreme-real-'));
		const bot = new BotProcess({ apiUrl: emulator.apiUrl, dataDir, storageAdapter: 'file' });
		try {
			await bot.start();
			const identities = () =>
				[...emulator.commands(), ...emulator.commands(guild.id)].map((command) => `${command.name}:${command.id}:${command.version}`);
			const registered = identities();
			expect(registered.length).toBeGreaterThan(10);
			const before = emulator.requests.length;
			await bot.restart();
			// The bot registers with one bulk overwrite (PUT); Discord keeps the id and version of an unchanged command.
			const secondStart = emulator.requests.slice(before).map((request) => request.route);
			expect(secondStart.filter((route) => COMMAND_WRITES.test(route))).toEqual(['PUT /applications/:applicationId/commands']);
			expect(identities()).toEqual(registered);
			expect(emulator.unknownRoutes).toEqual([]);
			expect(emulator.serverErrors).toEqual([]);
			expect((await bot.stop('SIGTERM')).code).toBe(0);
		} finally {
			if (bot.running) await bot.stop('SIGKILL');
			await emulator.stop();
			rmSync(dataDir, { recursive: true, force: true });
		}
	});
});
