import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotProcess, DiscordEmulator } from '../harness/index.js';
import { eventually } from '../helpers/eventually.js';
import { flushRedisDatabase, redisAvailable, redisTestUrl } from '../helpers/redis.js';

const ADMIN = PermissionFlagsBits.ManageGuild | PermissionFlagsBits.SendMessages | PermissionFlagsBits.ViewChannel;
const MEMBER = PermissionFlagsBits.SendMessages | PermissionFlagsBits.ViewChannel;
const REDIS_URL = redisTestUrl(13);

/** The seed's acceptance tests for invite data, through the real bot and the emulator, on every adapter. */
describe.each([
	{ adapter: 'file', available: true },
	{ adapter: 'sqlite', available: true },
	{ adapter: 'redis', available: redisAvailable }
] as const)('invite tracking end to end: $adapter', ({ adapter, available }) => {
	let emulator: DiscordEmulator;
	let bot: BotProcess;
	let dataDir: string;
	let guildId: string;
	let channelId: string;
	let admin: string;
	let alice: string;
	let carol: string;

	beforeAll(async () => {
		if (!available) return;
		if (adapter === 'redis') await flushRedisDatabase(REDIS_URL);
		emulator = await DiscordEmulator.start();
		const guild = emulator.createGuild({ name: 'Invites', vanity: 'cool' });
		guildId = guild.id;
		channelId = guild.systemChannelId!;
		admin = emulator.createUser({ username: 'admin' }).id;
		alice = emulator.createUser({ username: 'alice' }).id;
		carol = emulator.createUser({ username: 'carol' }).id;
		for (const id of [admin, alice, carol]) emulator.addMember(guildId, id);
		emulator.createInvite(guildId, { code: 'alice1', inviterId: alice });
		emulator.createInvite(guildId, { code: 'once', inviterId: carol, maxUses: 1 });
		dataDir = mkdtempSync(join(tmpdir(), `supreme-invites-${adapter}-`));
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

	async function command(
		name: string,
		options: Record<string, string | number | boolean> = {},
		extra: { subcommand?: string; userId?: string; permissions?: bigint } = {}
	) {
		const handle = emulator.runCommand({
			guildId,
			channelId,
			userId: extra.userId ?? admin,
			name,
			options,
			memberPermissions: extra.permissions ?? ADMIN,
			...(extra.subcommand ? { subcommand: extra.subcommand } : {})
		});
		return { handle, reply: await handle.answer() };
	}

	async function invitesText(userId: string): Promise<string> {
		const { reply } = await command('invites', { user: userId });
		return String(reply.embeds[0]?.description ?? reply.content);
	}

	/** Joins are attributed asynchronously; poll the command a user would run until it shows the expected counts. */
	async function expectInvites(userId: string, expected: string): Promise<void> {
		let last = '';
		await eventually(
			async () => (last = await invitesText(userId)).includes(expected),
			`/invites to read "${expected}"`,
			10_000,
			() => last
		);
	}

	it.skipIf(!available)('attributes joins by every rule and shows the counts', async () => {
		const who = async (id: string) => String((await command('who-invited', { user: id })).reply.embeds[0]?.description);
		const m1 = emulator.joinViaInvite(guildId, 'alice1', { username: 'm1' }).id;
		await expectInvites(alice, '1 invite (1 regular');
		emulator.joinViaInvite(guildId, 'alice1', { username: 'm2' });
		await expectInvites(alice, '2 invites (2 regular, 0 left');
		const m3 = emulator.joinViaInvite(guildId, 'once', { username: 'm3' }).id;
		await expectInvites(carol, '1 invite (1 regular');
		const young = emulator.joinViaInvite(guildId, 'alice1', { username: 'young', createdAt: new Date(Date.now() - 3600_000) }).id;
		await expectInvites(alice, '2 invites (3 regular, 0 left, 1 fake');
		const vanity = emulator.joinViaVanity(guildId, { username: 'v' }).id;
		// Two joins inside one fetch window with one use between them are ambiguous by design: wait for the first.
		await eventually(async () => (await who(vanity)).includes('joined'), 'the vanity join to be recorded');
		const unknown = emulator.joinUnknown(guildId, { username: 'u' }).id;
		const robot = emulator.addBot(guildId, { username: 'robot' }).id;

		emulator.leave(guildId, m1);
		await expectInvites(alice, '1 invite (3 regular, 1 left, 1 fake');

		expect(await who(m3)).toMatch(new RegExp(`through an invite[\\s\\S]*<@${carol}> · code \`once\``));
		expect(await who(young)).toMatch(/fake/);
		await eventually(async () => (await who(robot)).includes('as a bot'), 'the bot join to be recorded');
		expect(await who(vanity)).toMatch(/vanity URL[\s\S]*code `cool`/);
		expect(await who(unknown)).toMatch(/unknown way/);

		const board = (await command('invite-leaderboard')).reply;
		expect(String(board.embeds[0]?.description)).toMatch(new RegExp(`1\\.\\*\\* <@(${alice}|${carol})>`));
		expect(emulator.unknownRoutes).toEqual([]);
	});

	it.skipIf(!available)('keeps the counts across a restart and a SIGKILL', async () => {
		const before = await invitesText(alice);
		await bot.restart('SIGTERM');
		expect(await invitesText(alice)).toBe(before);
		await bot.restart('SIGKILL');
		expect(await invitesText(alice)).toBe(before);
		expect(await invitesText(carol)).toContain('1 invite (1 regular');
	});

	it.skipIf(!available)('attributes joins made while the bot was stopped, at the next start', async () => {
		const before = await invitesText(carol);
		await bot.stop('SIGTERM');
		emulator.createInvite(guildId, { code: 'carol2', inviterId: carol });
		emulator.joinViaInvite(guildId, 'carol2', { username: 'while-away' });
		await bot.start();
		await bot.waitForLog(/while the bot was away 1 members joined \(1 credited, 0 unknown\)/);
		expect(before).toContain('1 invite (1 regular');
		expect(await invitesText(carol)).toContain('2 invites (2 regular');
	});

	it.skipIf(!available)('denies admin commands to members without Manage Server', async () => {
		for (const name of ['reset-invites', 'invite-config']) {
			const { reply } = await command(
				name,
				{},
				{ userId: alice, permissions: MEMBER, ...(name === 'invite-config' ? { subcommand: 'show' } : {}) }
			);
			expect(reply.ephemeral).toBe(true);
			expect(reply.content).toMatch(/permission/i);
		}
		const { reply } = await command('bonus-invites', { user: alice, amount: 5 }, { subcommand: 'add', userId: alice, permissions: MEMBER });
		expect(reply.ephemeral).toBe(true);
		expect(await invitesText(alice)).toContain('0 bonus');
	});

	it.skipIf(!available)('adds bonus invites and resets after confirmation, and the reset stays after a restart', async () => {
		const bonus = (await command('bonus-invites', { user: carol, amount: 3 }, { subcommand: 'add' })).reply;
		expect(bonus.content).toContain('5 invites (2 regular, 0 left, 0 fake, 3 bonus)');

		const { reply } = await command('reset-invites');
		expect(reply.ephemeral).toBe(true);
		const confirm = reply.components.flatMap((row: any) => row.components).find((button: any) => button.label === 'Reset');
		const stranger = emulator.clickButton({
			channelId,
			userId: alice,
			messageId: reply.message!.id,
			customId: confirm.custom_id,
			memberPermissions: ADMIN
		});
		expect((await stranger.answer()).content).toMatch(/Only the admin/);
		expect(await invitesText(alice)).not.toContain('0 invites');

		const click = emulator.clickButton({
			channelId,
			userId: admin,
			messageId: reply.message!.id,
			customId: confirm.custom_id,
			memberPermissions: ADMIN
		});
		const done = await click.waitForEdit((edit: any) => /Reset/.test(edit.content ?? ''));
		expect(done.content).toMatch(/2 members affected\. A backup was made first: `\d{8}T\d{9}Z-\d{2}-before-reset`/);
		expect(await invitesText(alice)).toContain('0 invites (0 regular, 0 left, 0 fake, 0 bonus)');
		expect(await invitesText(carol)).toContain('0 invites (0 regular, 0 left, 0 fake, 0 bonus)');

		await bot.restart('SIGKILL');
		expect(await invitesText(alice)).toContain('0 invites (0 regular');
		expect(await invitesText(carol)).toContain('0 invites (0 regular');
		emulator.joinViaInvite(guildId, 'alice1', { username: 'after-reset' });
		await expectInvites(alice, '1 invite (1 regular, 0 left');
	});
});
