import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotProcess, DiscordEmulator } from '../harness/index.js';
import type { ApiMessage } from '../harness/emulator/types.js';
import { eventually } from '../helpers/eventually.js';
import { flushRedisDatabase, redisAvailable, redisTestUrl } from '../helpers/redis.js';

const ADMIN = PermissionFlagsBits.ManageGuild | PermissionFlagsBits.SendMessages | PermissionFlagsBits.ViewChannel;
const REDIS_URL = redisTestUrl(15);
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const WELCOME_TEMPLATE =
	'Welcome {user} ({username}) to {server}! You are member {memberCount}, invited by {inviter} ({inviterCount} invites) with {inviteCode}; account age {accountAge}.';

/** Welcome, goodbye and auto-roles through the real bot and the emulator, across restarts and crashes, on every adapter. */
describe.each([
	{ adapter: 'file', available: true },
	{ adapter: 'sqlite', available: true },
	{ adapter: 'redis', available: redisAvailable }
] as const)('welcome, goodbye and auto-roles end to end: $adapter', ({ adapter, available }) => {
	let emulator: DiscordEmulator;
	let bot: BotProcess;
	let dataDir: string;
	let guildId: string;
	let welcomeChannel: string;
	let goodbyeChannel: string;
	let admin: string;
	let alice: string;
	const roles: Record<'humans' | 'bots' | 'all' | 'delayed' | 'doomed' | 'tooHigh' | 'managed', string> = {} as never;

	beforeAll(async () => {
		if (!available) return;
		if (adapter === 'redis') await flushRedisDatabase(REDIS_URL);
		emulator = await DiscordEmulator.start();
		const guild = emulator.createGuild({ name: 'Welcome Hall' });
		guildId = guild.id;
		welcomeChannel = emulator.createChannel(guildId, { name: 'welcome' }).id;
		goodbyeChannel = emulator.createChannel(guildId, { name: 'goodbye' }).id;
		admin = emulator.createUser({ username: 'admin' }).id;
		alice = emulator.createUser({ username: 'alice' }).id;
		for (const id of [admin, alice]) emulator.addMember(guildId, id);
		emulator.createInvite(guildId, { code: 'alice1', inviterId: alice });
		roles.humans = emulator.createRole(guildId, { name: 'Human' }).id;
		roles.bots = emulator.createRole(guildId, { name: 'Robot' }).id;
		roles.all = emulator.createRole(guildId, { name: 'Everyone' }).id;
		roles.delayed = emulator.createRole(guildId, { name: 'Verified' }).id;
		roles.doomed = emulator.createRole(guildId, { name: 'Doomed' }).id;
		roles.tooHigh = emulator.createRole(guildId, { name: 'Boss', position: 60 }).id;
		roles.managed = emulator.createRole(guildId, { name: 'Booster', managed: true, position: 5 }).id;
		dataDir = mkdtempSync(join(tmpdir(), `supreme-welcome-${adapter}-`));
		bot = new BotProcess({ apiUrl: emulator.apiUrl, dataDir, storageAdapter: adapter, env: { COMMAND_GUILD_IDS: guildId, REDIS_URL } });
		await bot.start();
		await bot.waitForLog(/Invite tracking ready/);
	});

	afterAll(async () => {
		if (!available) return;
		if (bot?.running) await bot.stop('SIGKILL');
		await emulator?.stop();
		rmSync(dataDir, { recursive: true, force: true });
		if (adapter === 'redis') await flushRedisDatabase(REDIS_URL);
	});

	async function command(name: string, options: Record<string, string | number | boolean> = {}, subcommand?: string) {
		const handle = emulator.runCommand({
			guildId,
			userId: admin,
			name,
			options,
			memberPermissions: ADMIN,
			...(subcommand ? { subcommand } : {})
		});
		return { handle, reply: await handle.answer() };
	}

	/** /welcome-test defers (it may draw a card), then edits in its answer. */
	async function welcomeTest(kind: 'welcome' | 'goodbye' = 'welcome'): Promise<string> {
		const { handle, reply } = await command('welcome-test', { kind });
		expect(reply.ephemeral).toBe(true);
		return (await handle.waitForEdit((edit) => edit.content.length > 0, 10_000)).content;
	}

	async function autoroleList(): Promise<string> {
		const { reply } = await command('autorole', {}, 'list');
		return JSON.stringify(reply.embeds[0]);
	}

	const hasRole = (userId: string, roleId: string) => emulator.memberRoles(guildId, userId).includes(roleId);
	const pngOf = (message: ApiMessage) => emulator.attachmentData(message.attachments[0]!)?.subarray(0, 8);

	it.skipIf(!available)('refuses invalid setups with the reason', async () => {
		const unknown = (await command('setup-welcome', { channel: welcomeChannel, message: 'Hi {user}, welcome to {guild}' })).reply;
		expect(unknown.ephemeral).toBe(true);
		expect(unknown.content).toContain('Unknown placeholder {guild}');
		expect(unknown.content).toContain('{user} {username} {server} {memberCount} {inviter} {inviterCount} {inviteCode} {accountAge}');

		const tooLong = (await command('setup-welcome', { channel: welcomeChannel, message: `${'x'.repeat(1995)}{server}` })).reply;
		expect(tooLong.content).toMatch(/Discord allows 2,000/);
		const banner = (await command('setup-goodbye', { channel: goodbyeChannel, message: 'Bye', banner: 'banner.png' })).reply;
		expect(banner.content).toMatch(/`generated` or an image URL/);
		expect(await welcomeTest()).toMatch(/Welcome messages are off/);
		const muted = emulator.createChannel(guildId, {
			name: 'muted',
			permissionOverwrites: [
				{ id: emulator.botUser.id, type: 'member', deny: PermissionFlagsBits.SendMessages | PermissionFlagsBits.AttachFiles }
			]
		}).id;
		const noPermission = (await command('setup-welcome', { channel: muted, message: 'Hi {user}', banner: 'generated' })).reply;
		expect(noPermission.content).toBe(`Cannot use <#${muted}>: the bot lacks Send Messages, Attach Files in #muted.`);

		const high = (await command('autorole', { role: roles.tooHigh }, 'add')).reply;
		expect(high.content).toMatch(/Boss is not below the bot's highest role/);
		const managed = (await command('autorole', { role: roles.managed }, 'add')).reply;
		expect(managed.content).toMatch(/Booster is managed by an integration/);
		const delay = (await command('autorole', { role: roles.delayed, delay: '8d' }, 'add')).reply;
		expect(delay.content).toMatch(/8d is too long: delays go up to 7d/);
		expect(await autoroleList()).toContain('"description":"none"');
		expect(emulator.unknownRoutes).toEqual([]);
	});

	it.skipIf(!available)(
		'welcome configured, restart and crash, a member joins: the welcome arrives filled in with its card; roles by kind; goodbye on leave',
		async () => {
			const setup = (await command('setup-welcome', { channel: welcomeChannel, message: WELCOME_TEMPLATE, banner: 'generated', dm: true }))
				.reply;
			expect(setup.content).toContain(`<#${welcomeChannel}>`);
			await command('setup-goodbye', {
				channel: goodbyeChannel,
				message: 'Goodbye {username}, invited by {inviter} with {inviteCode}. {memberCount} left.',
				embed: true
			});
			await command('autorole', { role: roles.humans, for: 'humans' }, 'add');
			await command('autorole', { role: roles.bots, for: 'bots' }, 'add');
			const all = (await command('autorole', { role: roles.all }, 'add')).reply;
			expect(all.content).toBe('Everyone will be given to everyone when they join.');

			await bot.restart('SIGTERM');
			await bot.restart('SIGKILL');
			await bot.waitForLog(/Invite tracking ready/);

			const bob = emulator.joinViaInvite(guildId, 'alice1', { username: 'bob' }).id;
			const memberCount = emulator.guild(guildId)!.members.size;
			const welcome = await emulator.waitForMessage(welcomeChannel, (message) => message.content.includes(`<@${bob}>`), 15_000);
			expect(welcome.content).toBe(
				`Welcome <@${bob}> (bob) to Welcome Hall! You are member ${memberCount}, invited by <@${alice}> (1 invites) with alice1; account age 1 year.`
			);
			expect(welcome.attachments).toHaveLength(1);
			expect(welcome.attachments[0]!.filename).toBe('welcome.png');
			expect(pngOf(welcome)).toEqual(PNG_SIGNATURE);
			const dm = await emulator.waitForDm(bob, () => true, 15_000);
			expect(dm.content).toBe(welcome.content);
			expect(pngOf(dm)).toEqual(PNG_SIGNATURE);

			await emulator.waitFor(() => hasRole(bob, roles.humans) && hasRole(bob, roles.all), 10_000, 'bob to get the human and all roles');
			const robot = emulator.addBot(guildId, { username: 'robot' }).id;
			await emulator.waitFor(() => hasRole(robot, roles.bots) && hasRole(robot, roles.all), 10_000, 'the bot to get the bot and all roles');
			expect(hasRole(bob, roles.bots)).toBe(false);
			expect(hasRole(robot, roles.humans)).toBe(false);
			// Bots get the channel welcome, never a DM.
			await emulator.waitForMessage(welcomeChannel, (message) => message.content.includes(`<@${robot}>`), 15_000);
			expect(emulator.dmMessages(robot)).toEqual([]);

			emulator.leave(guildId, bob);
			const goodbye = await emulator.waitForMessage(goodbyeChannel, () => true, 15_000);
			expect(goodbye.content).toBe('');
			expect(goodbye.embeds[0]?.description).toBe(`Goodbye bob, invited by <@${alice}> with alice1. ${memberCount} left.`);
			expect(emulator.unknownRoutes).toEqual([]);
			expect(emulator.serverErrors).toEqual([]);
		}
	);

	it.skipIf(!available)('gives a delayed role after a crash in between, and drops a deleted role from the config', async () => {
		const added = (await command('autorole', { role: roles.delayed, for: 'humans', delay: '5s' }, 'add')).reply;
		expect(added.content).toBe('Verified will be given to humans 5s after they join.');
		const carol = emulator.joinViaInvite(guildId, 'alice1', { username: 'carol' }).id;
		await eventually(async () => (await autoroleList()).includes('"value":"1 (next'), 'the delayed grant to be stored');
		await bot.stop('SIGKILL');
		await bot.start();
		expect(await bot.waitForLog(/Auto-roles: \d+ delayed grant/)).toMatch(/1 delayed grant waiting/);
		await emulator.waitFor(() => hasRole(carol, roles.delayed), 15_000, 'carol to get the delayed role');
		await eventually(async () => (await autoroleList()).includes('"value":"0"'), 'no delayed grant left');

		await command('autorole', { role: roles.doomed, for: 'all' }, 'add');
		expect(await autoroleList()).toContain(`<@&${roles.doomed}>`);
		emulator.deleteRole(guildId, roles.doomed);
		await bot.waitForLog(new RegExp(`Auto-role ${roles.doomed} dropped from the config of guild ${guildId}: the role was deleted`));
		expect(await autoroleList()).not.toContain(roles.doomed);
	});

	it.skipIf(!available)('previews with /welcome-test; a deleted channel is logged once and reported, without crashing', async () => {
		expect(await welcomeTest()).toBe(`The welcome message was sent to <#${welcomeChannel}> and to you by DM.`);
		await emulator.waitForMessage(welcomeChannel, (message) => message.content.includes(`<@${admin}>`));

		emulator.deleteChannel(welcomeChannel);
		emulator.joinViaInvite(guildId, 'alice1', { username: 'dave' });
		emulator.joinViaInvite(guildId, 'alice1', { username: 'erin' });
		let last = '';
		await eventually(
			async () => (last = await welcomeTest()).includes('2 member messages were not sent'),
			'two missed welcomes to be reported',
			15_000,
			() => last
		);
		expect(last).toContain(`The welcome message could not be sent: the channel ${welcomeChannel} no longer exists.`);
		expect(bot.running).toBe(true);
		expect(bot.runOutput.match(/Welcome messages in guild \d+ \(Welcome Hall\) are not being sent/g)).toHaveLength(1);

		const off = (await command('welcome-disable', { kind: 'both' })).reply;
		expect(off.content).toBe('Welcome messages are now off.\nGoodbye messages are now off.');
		expect(await welcomeTest('goodbye')).toMatch(/Goodbye messages are off/);
	});
});
