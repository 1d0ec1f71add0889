import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BotProcess, DiscordEmulator } from '../harness/index.js';
import { eventually } from '../helpers/eventually.js';

const ADMIN = PermissionFlagsBits.ManageGuild | PermissionFlagsBits.SendMessages | PermissionFlagsBits.ViewChannel;

/**
 * The orders of events in which invite credits used to be wrong or lost (issue 16), each through the real bot and the
 * emulator: a leave before its join is written, a join without an invite next to a join whose event is late, joins
 * and leaves made while the bot was stopped and seen before its baseline, and joins missed by a session that could
 * not resume.
 */
describe('invite tracking in every order of events', () => {
	let emulator: DiscordEmulator;
	let bot: BotProcess;
	let dataDir: string;
	let guildId: string;
	let channelId: string;
	let admin: string;
	let alice: string;
	let bob: string;

	beforeEach(async () => {
		emulator = await DiscordEmulator.start();
		dataDir = mkdtempSync(join(tmpdir(), 'supreme-orders-'));
		const guild = emulator.createGuild({ name: 'Orders' });
		guildId = guild.id;
		channelId = guild.systemChannelId!;
		admin = emulator.createUser({ username: 'admin' }).id;
		alice = emulator.createUser({ username: 'alice' }).id;
		bob = emulator.createUser({ username: 'bob' }).id;
		for (const id of [admin, alice, bob]) emulator.addMember(guildId, id);
		emulator.createInvite(guildId, { code: 'alice1', inviterId: alice });
		emulator.createInvite(guildId, { code: 'bob1', inviterId: bob });
		bot = new BotProcess({ apiUrl: emulator.apiUrl, dataDir, storageAdapter: 'file', env: { COMMAND_GUILD_IDS: guildId } });
		await bot.start();
		await bot.waitForLog(/Invite tracking ready/);
	});

	afterEach(async () => {
		if (bot?.running) await bot.stop('SIGKILL');
		await emulator.stop();
		rmSync(dataDir, { recursive: true, force: true });
	});

	async function invitesText(userId: string): Promise<string> {
		const reply = await emulator
			.runCommand({ guildId, channelId, userId: admin, name: 'invites', options: { user: userId }, memberPermissions: ADMIN })
			.answer();
		return String(reply.embeds[0]?.description);
	}

	async function who(userId: string): Promise<string> {
		const reply = await emulator
			.runCommand({ guildId, channelId, userId: admin, name: 'who-invited', options: { user: userId }, memberPermissions: ADMIN })
			.answer();
		return String(reply.embeds[0]?.description);
	}

	async function expectInvites(userId: string, expected: string): Promise<void> {
		let last = '';
		await eventually(
			async () => (last = await invitesText(userId)).includes(expected),
			`/invites to read "${expected}"`,
			15_000,
			() => last
		);
	}

	it('counts a leave that arrives while its join is still being attributed', async () => {
		const raider = emulator.joinViaInvite(guildId, 'alice1', { username: 'raider' }).id;
		emulator.leave(guildId, raider);
		await expectInvites(alice, '0 invites (1 regular, 1 left');
		expect(await who(raider)).toMatch(/not in the server now/);
	});

	it('says neither welcome nor goodbye to a member who left before the join was recorded, and keeps goodbye after welcome', async () => {
		const welcomeChannel = emulator.createChannel(guildId, { name: 'welcome' }).id;
		const goodbyeChannel = emulator.createChannel(guildId, { name: 'goodbye' }).id;
		const setup = async (name: string, channel: string, message: string) =>
			emulator.runCommand({ guildId, channelId, userId: admin, name, options: { channel, message }, memberPermissions: ADMIN }).reply();
		await setup('setup-welcome', welcomeChannel, 'Welcome {user}');
		await setup('setup-goodbye', goodbyeChannel, 'Goodbye {user}');
		const mentions = (channel: string, userId: string) =>
			emulator.messages(channel).filter((message) => JSON.stringify(message).includes(`<@${userId}>`));

		// Leaves while its join is still queued (the join waits for quiet before it is recorded).
		const raider = emulator.joinViaInvite(guildId, 'alice1', { username: 'raider' }).id;
		emulator.leave(guildId, raider);
		await expectInvites(alice, '0 invites (1 regular, 1 left');
		// Stays: welcomed once recorded, then its goodbye, never before.
		const guest = emulator.joinViaInvite(guildId, 'bob1', { username: 'guest' }).id;
		await emulator.waitForMessage(welcomeChannel, (message) => JSON.stringify(message).includes(`<@${guest}>`), 15_000);
		emulator.leave(guildId, guest);
		await emulator.waitForMessage(goodbyeChannel, (message) => JSON.stringify(message).includes(`<@${guest}>`), 15_000);
		const [welcomed] = mentions(welcomeChannel, guest);
		const [goodbye] = mentions(goodbyeChannel, guest);
		expect(BigInt(goodbye!.id) > BigInt(welcomed!.id)).toBe(true);
		// The raider's join and leave were handled before the guest's: no message of theirs is still on its way.
		expect(mentions(welcomeChannel, raider)).toEqual([]);
		expect(mentions(goodbyeChannel, raider)).toEqual([]);
	});

	it('never credits a join without an invite with the use of a join whose event is late', async () => {
		const discovery = emulator.joinUnknown(guildId, { username: 'discovery' }).id;
		const invited = emulator.joinViaInvite(guildId, 'alice1', { username: 'invited' }, { eventDelayMs: 100 }).id;
		await eventually(async () => (await who(invited)).includes('joined'), 'the late join to be recorded', 15_000);
		for (const memberId of [discovery, invited]) expect(await who(memberId)).not.toMatch(/through an invite/);
		expect(await who(discovery)).toMatch(/one of <@\d+>, or without an invite — joined during a burst/);
		expect(await invitesText(alice)).toContain('1 invite (1 regular, 0 left');
	});

	it('reconciles joins and leaves made while the bot was stopped before it attributes a new join', async () => {
		const early = emulator.joinViaInvite(guildId, 'alice1', { username: 'early' }).id;
		await expectInvites(alice, '1 invite (1 regular');
		await bot.stop('SIGTERM');
		emulator.leave(guildId, early);
		const away = emulator.joinViaInvite(guildId, 'alice1', { username: 'away' }).id;
		// The baseline at start waits out a 429, so the next join arrives before it.
		emulator.rateLimit('GET /guilds/:guildId/invites', { count: 1, retryAfterMs: 1500 });
		await bot.start();
		const fresh = emulator.joinViaInvite(guildId, 'bob1', { username: 'fresh' }).id;
		await eventually(async () => (await who(fresh)).includes('joined'), 'the new join to be recorded', 15_000);
		await eventually(async () => (await who(away)).includes('joined'), 'the join made while away to be recorded', 15_000);
		await expectInvites(alice, '1 invite (2 regular, 1 left');
		await expectInvites(bob, '1 invite (1 regular, 0 left');
		// Individually credited to bob, or one of a group with bob in it: never to alice alone.
		expect(await who(fresh)).not.toContain(`Inviter: <@${alice}>`);
		expect(await who(fresh)).toContain(`<@${bob}>`);
	});

	it('records joins missed while a session could not resume, from the member list', async () => {
		emulator.invalidateSessions(false);
		// discord.js waits 1-5 s before it identifies again: this join's event goes to no session.
		const missed = emulator.joinViaInvite(guildId, 'alice1', { username: 'missed' }).id;
		await emulator.waitFor(() => emulator.connectedSessions.length > 0, 20_000, 'a new session');
		await new Promise((resolve) => setTimeout(resolve, 500));
		await eventually(async () => (await who(missed)).includes('joined'), 'the missed join to be recorded', 15_000);
		await expectInvites(alice, '1 invite (1 regular');
		const after = emulator.joinViaInvite(guildId, 'bob1', { username: 'after' }).id;
		await eventually(async () => (await who(after)).includes(`<@${bob}> · code \`bob1\``), 'the next join to be credited to bob', 15_000);
	});
});
