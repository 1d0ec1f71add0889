import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotProcess, DiscordEmulator } from '../harness/index.js';
import { eventually } from '../helpers/eventually.js';

const ADMIN = PermissionFlagsBits.ManageGuild | PermissionFlagsBits.SendMessages | PermissionFlagsBits.ViewChannel;

/**
 * Discord's own rules (issue 14) through the real bot: the emulator enforces each one as Discord documents it
 * (sources beside the emulator code), the bot must cope.
 */
describe('members the bot has not cached: leaves after a restart', () => {
	let emulator: DiscordEmulator;
	let bot: BotProcess;
	let dataDir: string;
	let guildId: string;
	let goodbyeChannel: string;
	let admin: string;
	let alice: string;
	let rankRole: string;
	let delayedRole: string;

	beforeAll(async () => {
		emulator = await DiscordEmulator.start();
		const guild = emulator.createGuild({ name: 'Partials' });
		guildId = guild.id;
		goodbyeChannel = emulator.createChannel(guildId, { name: 'goodbye' }).id;
		admin = emulator.createUser({ username: 'admin' }).id;
		alice = emulator.createUser({ username: 'alice' }).id;
		for (const id of [admin, alice]) emulator.addMember(guildId, id);
		emulator.createInvite(guildId, { code: 'alice1', inviterId: alice });
		rankRole = emulator.createRole(guildId, { name: 'Recruiter' }).id;
		delayedRole = emulator.createRole(guildId, { name: 'Regular' }).id;
		dataDir = mkdtempSync(join(tmpdir(), 'supreme-partials-'));
		bot = new BotProcess({ apiUrl: emulator.apiUrl, dataDir, storageAdapter: 'file', env: { COMMAND_GUILD_IDS: guildId } });
		await bot.start();
		await bot.waitForLog(/Invite tracking ready/);
		await command('setup-goodbye', { channel: goodbyeChannel, message: 'Goodbye {username}, invited by {inviter}.' });
		await command('invite-config', { invites: 1, role: rankRole }, 'rank-role-add');
		await command('autorole', { role: delayedRole, delay: '1h' }, 'add');
	});

	afterAll(async () => {
		if (bot?.running) await bot.stop('SIGKILL');
		await emulator?.stop();
		rmSync(dataDir, { recursive: true, force: true });
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
		return handle.answer();
	}

	async function aliceCounts(): Promise<string> {
		return JSON.stringify((await command('invites', { user: alice })).embeds[0] ?? null);
	}

	async function delayedGrantsWaiting(): Promise<string> {
		const reply = await command('autorole', {}, 'list');
		const field = (reply.embeds[0]?.fields as { name: string; value: string }[] | undefined)?.find(
			(candidate) => candidate.name === 'Delayed grants waiting'
		);
		return field?.value ?? '';
	}

	let leaves = 0;
	it.each(['SIGTERM', 'SIGKILL'] as const)(
		'a member who joined before a %s restart leaves: goodbye, inviter left, rank role back, delayed role cancelled',
		async (signal) => {
			const joiner = emulator.joinViaInvite(guildId, 'alice1', { createdAt: new Date(Date.now() - 400 * 86_400_000) });
			await eventually(() => Promise.resolve(emulator.memberRoles(guildId, alice).includes(rankRole)), 'the rank role for alice');
			await eventually(async () => (await delayedGrantsWaiting()).startsWith('1'), 'one delayed grant waiting');

			await bot.restart(signal);
			await bot.waitForLog(/Invite tracking ready/);
			// The new session's GUILD_CREATE carried only the bot (no GUILD_PRESENCES): the joiner is not cached.

			emulator.leave(guildId, joiner.id);
			const goodbye = await emulator.waitForMessage(goodbyeChannel, (message) => message.content.includes(joiner.username), 10_000);
			expect(goodbye.content).toBe(`Goodbye ${joiner.username}, invited by <@${alice}>.`);
			leaves++;
			let counts = '';
			await eventually(
				async () => (counts = await aliceCounts()).includes(`${leaves} left`),
				"alice's left count",
				10_000,
				() => counts
			);
			await eventually(() => Promise.resolve(!emulator.memberRoles(guildId, alice).includes(rankRole)), 'the rank role taken back');
			expect(await delayedGrantsWaiting()).toBe('0');
			expect(emulator.unknownRoutes).toEqual([]);
			expect(emulator.serverErrors).toEqual([]);
		}
	);
});

describe('members in rules screening (pending)', () => {
	let emulator: DiscordEmulator;
	let bot: BotProcess;
	let dataDir: string;
	let guildId: string;
	let welcomeChannel: string;
	let admin: string;
	let alice: string;
	let instantRole: string;
	let delayedRole: string;

	beforeAll(async () => {
		emulator = await DiscordEmulator.start();
		const guild = emulator.createGuild({ name: 'Screened' });
		guildId = guild.id;
		welcomeChannel = emulator.createChannel(guildId, { name: 'welcome' }).id;
		admin = emulator.createUser({ username: 'admin' }).id;
		alice = emulator.createUser({ username: 'alice' }).id;
		for (const id of [admin, alice]) emulator.addMember(guildId, id);
		emulator.createInvite(guildId, { code: 'alice1', inviterId: alice });
		instantRole = emulator.createRole(guildId, { name: 'Member' }).id;
		delayedRole = emulator.createRole(guildId, { name: 'Regular' }).id;
		dataDir = mkdtempSync(join(tmpdir(), 'supreme-screening-'));
		bot = new BotProcess({ apiUrl: emulator.apiUrl, dataDir, storageAdapter: 'file', env: { COMMAND_GUILD_IDS: guildId, LOG_LEVEL: 'debug' } });
		await bot.start();
		await bot.waitForLog(/Invite tracking ready/);
		await command('setup-welcome', { channel: welcomeChannel, message: 'Welcome {user}, invited by {inviter}.' });
		await command('autorole', { role: instantRole }, 'add');
		await command('autorole', { role: delayedRole, delay: '1h' }, 'add');
	});

	afterAll(async () => {
		if (bot?.running) await bot.stop('SIGKILL');
		await emulator?.stop();
		rmSync(dataDir, { recursive: true, force: true });
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
		return handle.answer();
	}

	const welcomes = (userId: string) => emulator.messages(welcomeChannel).filter((message) => message.content.includes(`<@${userId}>`));

	async function delayedDueAt(): Promise<number | null> {
		const reply = await command('autorole', {}, 'list');
		const field = (reply.embeds[0]?.fields as { name: string; value: string }[] | undefined)?.find(
			(candidate) => candidate.name === 'Delayed grants waiting'
		);
		const due = /<t:(\d+):R>/.exec(field?.value ?? '');
		return due ? Number(due[1]) * 1000 : null;
	}

	it('a pending member gets no role and no welcome until they pass screening, across a crash; the delay starts then', async () => {
		const carol = emulator.joinViaInvite(guildId, 'alice1', { username: 'carol' }, { pending: true });
		await bot.waitForLog(new RegExp(`Member ${carol.id} of guild ${guildId} is in rules screening: the welcome waits`));
		await bot.waitForLog(new RegExp(`Member ${carol.id} of guild ${guildId} is in rules screening: auto-roles wait`));
		await bot.restart('SIGKILL');
		await bot.waitForLog(/Invite tracking ready/);
		expect(emulator.memberRoles(guildId, carol.id)).toEqual([]);
		expect(emulator.member(guildId, carol.id)?.pending).toBe(true);
		expect(welcomes(carol.id)).toEqual([]);
		expect(await delayedDueAt()).toBeNull();

		const passedAt = Date.now();
		emulator.passScreening(guildId, carol.id);
		const welcome = await emulator.waitForMessage(welcomeChannel, (message) => message.content.includes(`<@${carol.id}>`), 10_000);
		expect(welcome.content).toBe(`Welcome <@${carol.id}>, invited by <@${alice}>.`);
		await eventually(() => Promise.resolve(emulator.memberRoles(guildId, carol.id).includes(instantRole)), 'the auto-role after screening');
		expect(await delayedDueAt()).toBeGreaterThanOrEqual(Math.floor(passedAt / 1000) * 1000 + 3_600_000);
	});

	it('a member who passes screening while the bot is stopped gets what waited at the next start', async () => {
		const dave = emulator.joinViaInvite(guildId, 'alice1', { username: 'dave' }, { pending: true });
		await bot.waitForLog(new RegExp(`Member ${dave.id} of guild ${guildId} is in rules screening: the welcome waits`));
		await bot.waitForLog(new RegExp(`Member ${dave.id} of guild ${guildId} is in rules screening: auto-roles wait`));
		await bot.stop('SIGTERM');
		emulator.passScreening(guildId, dave.id);
		await bot.start();
		await emulator.waitForMessage(welcomeChannel, (message) => message.content.includes(`<@${dave.id}>`), 10_000);
		await eventually(() => Promise.resolve(emulator.memberRoles(guildId, dave.id).includes(instantRole)), 'the auto-role at the next start');
	});

	it('welcomes at join when the server turned after-screening off; roles still wait', async () => {
		await command('setup-welcome', { channel: welcomeChannel, message: 'Welcome {user}, invited by {inviter}.', 'after-screening': false });
		const erin = emulator.joinViaInvite(guildId, 'alice1', { username: 'erin' }, { pending: true });
		await emulator.waitForMessage(welcomeChannel, (message) => message.content.includes(`<@${erin.id}>`), 10_000);
		await bot.waitForLog(new RegExp(`Member ${erin.id} of guild ${guildId} is in rules screening: auto-roles wait`));
		expect(emulator.memberRoles(guildId, erin.id)).toEqual([]);
		emulator.passScreening(guildId, erin.id);
		await eventually(() => Promise.resolve(emulator.memberRoles(guildId, erin.id).includes(instantRole)), 'the auto-role after screening');
		expect(welcomes(erin.id)).toHaveLength(1);
		expect(emulator.unknownRoutes).toEqual([]);
		expect(emulator.serverErrors).toEqual([]);
	});
});

describe('command contexts', () => {
	it('registers every command for servers only (contexts Guild), not offered in DMs, and a second start changes none of them', async () => {
		const emulator = await DiscordEmulator.start();
		const guild = emulator.createGuild({ name: 'Contexts' });
		const member = emulator.createUser({ username: 'member' }).id;
		emulator.addMember(guild.id, member);
		const dataDir = mkdtempSync(join(tmpdir(), 'supreme-contexts-'));
		// Registered globally (no COMMAND_GUILD_IDS): contexts apply to global commands.
		const bot = new BotProcess({ apiUrl: emulator.apiUrl, dataDir, storageAdapter: 'file' });
		try {
			await bot.start();
			await eventually(() => Promise.resolve(emulator.commands().length > 0), 'global commands registered');
			const commands = emulator.commands();
			expect(commands.filter((command) => JSON.stringify(command.contexts) !== '[0]').map((command) => command.name)).toEqual([]);
			expect(() => emulator.runCommand({ userId: member, name: 'invites' })).toThrow(/not available in DMs/);
			expect((await emulator.runCommand({ guildId: guild.id, userId: member, name: 'invites' }).answer()).embeds).toHaveLength(1);

			const identities = () => emulator.commands().map((command) => `${command.name}:${command.id}:${command.version}`);
			const registered = identities();
			const before = emulator.requests.length;
			await bot.restart('SIGTERM');
			await bot.waitForLog(/Invite tracking ready/);
			// One bulk overwrite per start; Discord keeps the id and version of every command that did not change.
			const writes = emulator.requests.slice(before).filter((request) => /^(POST|PUT|PATCH|DELETE) \/applications\//.test(request.route));
			expect(writes.map((request) => request.route)).toEqual(['PUT /applications/:applicationId/commands']);
			expect(identities()).toEqual(registered);
		} finally {
			if (bot.running) await bot.stop('SIGKILL');
			await emulator.stop();
			rmSync(dataDir, { recursive: true, force: true });
		}
	});
});

describe('requests Discord would refuse are not made', () => {
	it('200 joins without Manage Server (and an auto-role it can no longer give) cause at most a handful of 403s; invites are read again once the permission is back', async () => {
		const emulator = await DiscordEmulator.start();
		const guild = emulator.createGuild({ name: 'Refused' });
		const guildId = guild.id;
		const admin = emulator.createUser({ username: 'admin' }).id;
		const alice = emulator.createUser({ username: 'alice' }).id;
		for (const id of [admin, alice]) emulator.addMember(guildId, id);
		emulator.createInvite(guildId, { code: 'alice1', inviterId: alice });
		const role = emulator.createRole(guildId, { name: 'Joined' }).id;
		const dataDir = mkdtempSync(join(tmpdir(), 'supreme-refused-'));
		const bot = new BotProcess({ apiUrl: emulator.apiUrl, dataDir, storageAdapter: 'file', env: { COMMAND_GUILD_IDS: guildId } });
		const fullPermissions =
			PermissionFlagsBits.ViewChannel |
			PermissionFlagsBits.SendMessages |
			PermissionFlagsBits.ManageGuild |
			PermissionFlagsBits.ManageRoles |
			PermissionFlagsBits.ManageChannels;
		try {
			await bot.start();
			await bot.waitForLog(/Invite tracking ready/);
			await emulator
				.runCommand({ guildId, userId: admin, name: 'autorole', options: { role }, subcommand: 'add', memberPermissions: ADMIN })
				.answer();
			emulator.setBotPermissions(guildId, fullPermissions & ~PermissionFlagsBits.ManageGuild & ~PermissionFlagsBits.ManageRoles);
			const before = emulator.requests.length;
			const joiners = Array.from({ length: 200 }, () => emulator.joinViaInvite(guildId, 'alice1'));
			const invitesOf = async (userId: string) =>
				JSON.stringify(
					(
						await emulator
							.runCommand({ guildId, userId: admin, name: 'who-invited', options: { user: userId }, memberPermissions: ADMIN })
							.answer()
					).embeds[0] ?? null
				);
			let last = '';
			await eventually(
				async () => /unknown/i.test((last = await invitesOf(joiners.at(-1)!.id))),
				'the last join recorded as unknown',
				30_000,
				() => last
			);
			const refused = emulator.requests
				.slice(before)
				.filter((request) => request.status === 401 || request.status === 403 || request.status === 429);
			expect(refused.length, refused.map((request) => `${request.route} ${request.status}`).join(', ')).toBeLessThanOrEqual(3);
			expect(emulator.memberRoles(guildId, joiners[0]!.id)).toEqual([]);
			const shown = await emulator
				.runCommand({ guildId, userId: admin, name: 'invite-config', subcommand: 'show', memberPermissions: ADMIN })
				.answer();
			expect(JSON.stringify(shown.embeds[0])).toContain('cannot be read: the bot lacks the Manage Server permission');

			emulator.setBotPermissions(guildId, fullPermissions);
			await bot.waitForLog(/Invites of guild \d+ are readable again/);
			const late = emulator.joinViaInvite(guildId, 'alice1');
			await eventually(
				async () => (last = await invitesOf(late.id)).includes(`<@${alice}>`),
				'the join after the permission came back credited to alice',
				10_000,
				() => last
			);
			await eventually(() => Promise.resolve(emulator.memberRoles(guildId, late.id).includes(role)), 'the auto-role given again');
		} finally {
			if (bot.running) await bot.stop('SIGKILL');
			await emulator.stop();
			rmSync(dataDir, { recursive: true, force: true });
		}
	});
});
