import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BotProcess, DiscordEmulator } from '../harness/index.js';

interface EmbedField {
	name: string;
	value: string;
}

const FIXTURES = fileURLToPath(new URL('./fixtures/plugins/', import.meta.url));
const fixture = (name: string) => join(FIXTURES, name);
const MEMBER_NOTES = fileURLToPath(new URL('../../examples/plugins/member-notes/', import.meta.url));
const MODERATOR = PermissionFlagsBits.ManageGuild | PermissionFlagsBits.SendMessages | PermissionFlagsBits.ViewChannel;

/** The loader's failure isolation and clash refusals, through the real bot process. */
describe('plugin loading', () => {
	let emulator: DiscordEmulator;
	let guildId: string;
	let channelId: string;
	let userId: string;
	const dataDirs: string[] = [];
	const bots: BotProcess[] = [];

	beforeAll(async () => {
		emulator = await DiscordEmulator.start();
		const guild = emulator.createGuild({ name: 'Plugins' });
		guildId = guild.id;
		channelId = guild.systemChannelId!;
		userId = emulator.createUser({ username: 'mod' }).id;
		emulator.addMember(guildId, userId);
	});

	afterAll(async () => {
		for (const bot of bots) if (bot.running) await bot.stop('SIGKILL');
		await emulator?.stop();
		for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
	});

	function botWith(env: Record<string, string>): BotProcess {
		const dataDir = mkdtempSync(join(tmpdir(), 'supreme-plugins-'));
		dataDirs.push(dataDir);
		const bot = new BotProcess({ apiUrl: emulator.apiUrl, dataDir, env: { COMMAND_GUILD_IDS: guildId, ...env } });
		bots.push(bot);
		return bot;
	}

	/** Starts a bot that must refuse to start; returns what it printed. */
	async function refusedStart(env: Record<string, string>): Promise<string> {
		const bot = botWith(env);
		await expect(bot.start()).rejects.toThrow(/exited \(code 1/);
		return bot.runOutput;
	}

	it('reports broken plugins by name with their error and starts without them', async () => {
		const bot = botWith({ PLUGINS: [fixture('broken-import'), fixture('commonjs'), fixture('broken-register'), MEMBER_NOTES].join(',') });
		await bot.start();
		const output = bot.runOutput;
		expect(output).toMatch(/Plugin .*broken-import failed to load and was skipped: broken on purpose while importing/);
		expect(output).toMatch(
			/Plugin .*commonjs failed to load and was skipped: .*index\.js is a CommonJS module: it would get the CommonJS copy of @sapphire\/framework/
		);
		expect(output).toMatch(/Plugin broken-register failed to load and was skipped: broken on purpose in register/);
		expect(output).toContain('Plugin loaded: member-notes');
		// Its namespace stays declared: its data is still backed up even though its code did not run.
		expect(output).toMatch(/Records loaded: .*broken-register=0/);

		const added = await emulator
			.runCommand({
				guildId,
				channelId,
				userId,
				name: 'note',
				subcommand: 'add',
				options: { member: userId, text: 'still works' },
				memberPermissions: MODERATOR
			})
			.answer();
		expect(added.content).toContain('Note #1 added');
		// /data-status defers, then edits in its embed.
		const status = await emulator
			.runCommand({ guildId, channelId, userId, name: 'data-status', memberPermissions: MODERATOR })
			.waitForEdit((edit) => edit.embeds.length > 0);
		const plugins = String((status.embeds[0] as { fields?: EmbedField[] } | undefined)?.fields?.find((field) => field.name === 'Plugins')?.value);
		expect(plugins).toContain('member-notes 1.0.0: loaded');
		expect(plugins).toContain('**broken-register: not loaded**: broken on purpose in register');
		expect(plugins).toMatch(/broken-import: not loaded/);
		await bot.stop();
	});

	it("answers a plugin's command in the server's language, from the plugin's own language files", async () => {
		const german = emulator.createGuild({ name: 'Notizen', community: true, preferredLocale: 'de' });
		emulator.addMember(german.id, userId);
		const bot = botWith({ PLUGINS: MEMBER_NOTES, COMMAND_GUILD_IDS: `${guildId},${german.id}` });
		await bot.start();
		const note = (target: { id: string; systemChannelId: string | null }, subcommand: string, options: Record<string, string | number>) =>
			emulator
				.runCommand({
					guildId: target.id,
					channelId: target.systemChannelId!,
					userId,
					name: 'note',
					subcommand,
					options,
					memberPermissions: MODERATOR,
					locale: 'en-US'
				})
				.answer();
		// The member's client is in English; the server speaks German (its Community language), and so does the plugin.
		expect((await note(german, 'add', { member: userId, text: 'kommt oft zu spät' })).content).toBe(`Notiz #1 zu <@${userId}> hinzugefügt.`);
		expect((await note(german, 'remove', { member: userId, number: 7 })).content).toBe(`<@${userId}> hat keine Notiz #7 (siehe /note list).`);
		expect((await note({ id: guildId, systemChannelId: channelId }, 'list', { member: userId })).content).toMatch(
			/^Notes on <@\d+>:|has no notes\.$/
		);
		await bot.stop();
	});

	it('refuses to start on a broken plugin with PLUGIN_FAILURE=abort', async () => {
		const output = await refusedStart({ PLUGINS: fixture('broken-import'), PLUGIN_FAILURE: 'abort' });
		expect(output).toMatch(/Plugin .*broken-import failed to load: broken on purpose while importing \(PLUGIN_FAILURE=abort stops the bot/);
		expect(output).not.toContain('Supreme Bot ready');

		const inRegister = await refusedStart({ PLUGINS: fixture('broken-register'), PLUGIN_FAILURE: 'abort' });
		expect(inRegister).toMatch(/Plugin broken-register failed to load: broken on purpose in register \(PLUGIN_FAILURE=abort/);
	});

	it('refuses two plugins claiming one command name, naming both', async () => {
		const output = await refusedStart({ PLUGINS: `${MEMBER_NOTES},${fixture('clash-command')}` });
		expect(output).toMatch(
			/Piece name clash: command "note" is claimed by plugin member-notes \(.*note\.js\) and by plugin clash-command \(.*clash-command.*note\.js\)/
		);
	});

	it('refuses a plugin replacing a core piece', async () => {
		const output = await refusedStart({ PLUGINS: fixture('clash-core') });
		expect(output).toMatch(
			/Piece name clash: listener "ready" is claimed by (the core|plugin clash-core) \(.*\) and by (plugin clash-core|the core)/
		);
	});

	it('refuses a plugin claiming a core namespace, and two plugins of one name', async () => {
		const namespace = await refusedStart({ PLUGINS: fixture('clash-namespace') });
		expect(namespace).toMatch(/Storage namespace clash: "invites" is claimed by plugin clash-namespace \(.*\) and by the core/);
		const name = await refusedStart({ PLUGINS: `${MEMBER_NOTES},${fixture('same-name')}` });
		expect(name).toMatch(/Plugin name clash: "member-notes" is the name of both .*member-notes.* and .*same-name/);
	});

	it('names a plugin that is not installed', async () => {
		const bot = botWith({ PLUGINS: 'supreme-bot-plugin-that-does-not-exist' });
		await bot.start();
		expect(bot.runOutput).toMatch(
			/Plugin supreme-bot-plugin-that-does-not-exist failed to load and was skipped: package supreme-bot-plugin-that-does-not-exist is not installed \(looked in .*node_modules/
		);
		await bot.stop();
	});
});
