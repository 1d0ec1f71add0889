import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The plugin's tests run the real bot against the repository's Discord emulator (see docs/plugins.md).
import { BotProcess, DiscordEmulator } from '../../../../tests/harness/index.js';
import { eventually } from '../../../../tests/helpers/eventually.js';
import { flushRedisDatabase, redisAvailable, redisTestUrl } from '../../../../tests/helpers/redis.js';

interface EmbedField {
	name: string;
	value: string;
}

const PLUGIN_DIR = fileURLToPath(new URL('..', import.meta.url));
const CLI = fileURLToPath(new URL('../../../../dist/cli/index.js', import.meta.url));
const REDIS_URL = redisTestUrl(8);
const MODERATOR = PermissionFlagsBits.ManageMessages | PermissionFlagsBits.SendMessages | PermissionFlagsBits.ViewChannel;
const MEMBER = PermissionFlagsBits.SendMessages | PermissionFlagsBits.ViewChannel;

/** The data CLI as an operator runs it, on the same settings as the bot. */
function dataCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
	const inherited = { ...process.env };
	for (const key of ['STORAGE_ADAPTER', 'DATA_DIR', 'SQLITE_PATH', 'REDIS_URL', 'BACKUP_DIR', 'PLUGINS', 'DISCORD_TOKEN']) delete inherited[key];
	const child = spawn(process.execPath, [CLI, '--quiet', ...args], {
		cwd: tmpdir(),
		env: { ...inherited, ...env },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (chunk) => (stdout += chunk));
	child.stderr.on('data', (chunk) => (stderr += chunk));
	return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('member-notes plugin end to end', () => {
	let emulator: DiscordEmulator;
	let bot: BotProcess;
	let dataDir: string;
	let guildId: string;
	let channelId: string;
	let modChannelId: string;
	let moderator: string;
	let member: string;
	let suspect: string;

	beforeAll(async () => {
		emulator = await DiscordEmulator.start();
		const guild = emulator.createGuild({ name: 'Notes' });
		guildId = guild.id;
		channelId = guild.systemChannelId!;
		modChannelId = emulator.createChannel(guildId, { name: 'moderators' }).id;
		moderator = emulator.createUser({ username: 'mod' }).id;
		member = emulator.createUser({ username: 'member' }).id;
		suspect = emulator.createUser({ username: 'suspect' }).id;
		for (const id of [moderator, member, suspect]) emulator.addMember(guildId, id);
		dataDir = mkdtempSync(join(tmpdir(), 'supreme-member-notes-'));
		// A path to the package folder: the loader reads its package.json "exports".
		bot = new BotProcess({ apiUrl: emulator.apiUrl, dataDir, env: { COMMAND_GUILD_IDS: guildId, PLUGINS: PLUGIN_DIR, OWNER_IDS: moderator } });
		await bot.start();
	});

	afterAll(async () => {
		if (bot?.running) await bot.stop('SIGKILL');
		await emulator?.stop();
		rmSync(dataDir, { recursive: true, force: true });
		if (redisAvailable) await flushRedisDatabase(REDIS_URL);
	});

	async function note(subcommand: string, options: Record<string, string | number> = {}, permissions = MODERATOR, userId = moderator) {
		return emulator.runCommand({ guildId, channelId, userId, name: 'note', subcommand, options, memberPermissions: permissions }).answer();
	}

	const listed = async () => String((await note('list', { member: suspect })).content);

	it('loads from a path and reports itself', () => {
		expect(bot.runOutput).toMatch(/Plugin loaded: member-notes 1\.0\.0 \(.*member-notes[\\/]dist[\\/]index\.js, namespaces: member-notes\)/);
		expect(bot.runOutput).toMatch(/Records loaded: .*member-notes=0/);
	});

	it('adds, lists and removes notes for moderators only', async () => {
		expect((await note('add', { member: suspect, text: 'spammed invites' })).content).toContain('Note #1 added');
		expect((await note('add', { member: suspect, text: 'second warning' }, PermissionFlagsBits.ManageGuild)).content).toContain('Note #2 added');
		const list = await listed();
		expect(list).toContain('#1');
		expect(list).toContain('spammed invites');
		expect(list).toContain(`<@${moderator}>`);
		expect(list).toContain('second warning');

		const refused = await note('add', { member: suspect, text: 'nope' }, MEMBER, member);
		expect(refused.content).toContain('Member notes are for moderators');
		expect(refused.flags).toBe(64);

		expect((await note('remove', { member: suspect, number: 2 })).content).toContain('Note #2 removed');
		expect((await note('remove', { member: suspect, number: 2 })).content).toContain('has no note #2');
		expect(await listed()).not.toContain('second warning');
		expect(emulator.unknownRoutes).toEqual([]);
	});

	it('shows its lines in /data-status', async () => {
		// /data-status defers, then edits in its embed.
		const reply = await emulator
			.runCommand({ guildId, channelId, userId: moderator, name: 'data-status', memberPermissions: PermissionFlagsBits.ManageGuild })
			.waitForEdit((edit) => edit.embeds.length > 0);
		const fields = (reply.embeds[0] as { fields?: EmbedField[] } | undefined)?.fields ?? [];
		expect(fields.find((field) => field.name === 'Plugins')?.value).toContain('member-notes 1.0.0: loaded (data: member-notes)');
		expect(fields.find((field) => field.name === 'member-notes')?.value).toContain('Notes: 1 on 1 member');
		expect(fields.find((field) => field.name === 'Records per namespace')?.value).toContain('member-notes 1');
	});

	it('posts the notes in the moderator channel when a noted member rejoins, and logs them without a channel', async () => {
		emulator.leave(guildId, suspect);
		emulator.joinUnknown(guildId, suspect);
		await eventually(() => Promise.resolve(bot.runOutput.includes('rejoined Notes with notes: #1 spammed invites')), 'the rejoin to be logged');

		expect((await note('channel', { channel: modChannelId })).content).toContain(`<#${modChannelId}>`);
		emulator.leave(guildId, suspect);
		emulator.joinUnknown(guildId, suspect);
		await eventually(
			() => Promise.resolve(emulator.messages(modChannelId).some((message) => message.content.includes('rejoined with 1 note'))),
			'the notes in #moderators'
		);
	});

	it('keeps the notes across a SIGKILL restart', async () => {
		await bot.restart('SIGKILL');
		expect(await listed()).toContain('spammed invites');
	});

	it('is in backups and comes back with a restore (data CLI)', async () => {
		await bot.stop();
		const env = { STORAGE_ADAPTER: 'file', DATA_DIR: dataDir };
		const backup = await dataCli(['backup'], env);
		expect(backup.code, backup.stderr).toBe(0);
		const id = backup.stdout.trim();
		const manifest = JSON.parse(readFileSync(join(dataDir, 'backups', id, 'manifest.json'), 'utf8')) as { counts: Record<string, number> };
		expect(manifest.counts['member-notes']).toBe(2);
		expect((await dataCli(['verify', id], env)).code).toBe(0);

		await bot.start();
		await note('remove', { member: suspect, number: 1 });
		expect(await listed()).toContain('has no notes');
		await bot.stop();

		const restore = await dataCli(['restore', id], env);
		expect(restore.code, restore.stderr).toBe(0);
		await bot.start();
		expect(await listed()).toContain('spammed invites');
	});

	it('migrates with the rest of the data: file -> sqlite -> redis', async () => {
		await bot.stop();
		const sqlitePath = join(dataDir, 'migrated.sqlite');
		const toSqlite = await dataCli(['migrate', '--to', 'sqlite', '--to-path', sqlitePath], { STORAGE_ADAPTER: 'file', DATA_DIR: dataDir });
		expect(toSqlite.code, toSqlite.stderr).toBe(0);

		const onSqlite = new BotProcess({
			apiUrl: emulator.apiUrl,
			dataDir,
			storageAdapter: 'sqlite',
			env: { COMMAND_GUILD_IDS: guildId, PLUGINS: PLUGIN_DIR, SQLITE_PATH: sqlitePath }
		});
		bot = onSqlite;
		await bot.start();
		expect(await listed()).toContain('spammed invites');
		await bot.stop();
		if (!redisAvailable) return;

		await flushRedisDatabase(REDIS_URL);
		const toRedis = await dataCli(['migrate', '--to', 'redis', '--to-url', REDIS_URL], {
			STORAGE_ADAPTER: 'sqlite',
			DATA_DIR: dataDir,
			SQLITE_PATH: sqlitePath
		});
		expect(toRedis.code, toRedis.stderr).toBe(0);
		bot = new BotProcess({
			apiUrl: emulator.apiUrl,
			dataDir,
			storageAdapter: 'redis',
			env: { COMMAND_GUILD_IDS: guildId, PLUGINS: PLUGIN_DIR, REDIS_URL }
		});
		await bot.start();
		expect(await listed()).toContain('spammed invites');
		await bot.stop();
	});

	it("loads from a package name in the working directory's node_modules", async () => {
		const workingDirectory = mkdtempSync(join(tmpdir(), 'supreme-plugin-cwd-'));
		try {
			mkdirSync(join(workingDirectory, 'node_modules'));
			// As `npm install ./member-notes` (or a published package) would leave it: a link in node_modules.
			symlinkSync(PLUGIN_DIR, join(workingDirectory, 'node_modules', 'supreme-bot-plugin-member-notes'), 'dir');
			bot = new BotProcess({
				apiUrl: emulator.apiUrl,
				dataDir,
				workingDirectory,
				env: { COMMAND_GUILD_IDS: guildId, PLUGINS: 'supreme-bot-plugin-member-notes' }
			});
			await bot.start();
			expect(bot.runOutput).toContain('Plugin loaded: member-notes');
			expect(await listed()).toContain('spammed invites');
			await bot.stop();
		} finally {
			rmSync(workingDirectory, { recursive: true, force: true });
		}
	});
});
