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
		const handle = emulator.runCommand({ guildId, userId: admin, name, options, memberPermissions: ADMIN, ...(subcommand ? { subcommand } : {}) });
		return handle.reply();
	}

	async function aliceCounts(): Promise<string> {
		return JSON.stringify((await command('invites', { user: alice })).embeds[0] ?? null);
	}

	async function delayedGrantsWaiting(): Promise<string> {
		const reply = await command('autorole', {}, 'list');
		const field = (reply.embeds[0]?.fields as { name: string; value: string }[] | undefined)?.find((candidate) => candidate.name === 'Delayed grants waiting');
		return field?.value ?? '';
	}

	let leaves = 0;
	it.each(['SIGTERM', 'SIGKILL'] as const)('a member who joined before a %s restart leaves: goodbye, inviter left, rank role back, delayed role cancelled', async (signal) => {
		const joiner = emulator.joinViaInvite(guildId, 'alice1', { createdAt: new Date(Date.now() - 400 * 86_400_000) });
		await eventually(async () => emulator.memberRoles(guildId, alice).includes(rankRole), 'the rank role for alice');
		await eventually(async () => (await delayedGrantsWaiting()).startsWith('1'), 'one delayed grant waiting');

		await bot.restart(signal);
		await bot.waitForLog(/Invite tracking ready/);
		// The new session's GUILD_CREATE carried only the bot (no GUILD_PRESENCES): the joiner is not cached.

		emulator.leave(guildId, joiner.id);
		const goodbye = await emulator.waitForMessage(goodbyeChannel, (message) => message.content.includes(joiner.username), 10_000);
		expect(goodbye.content).toBe(`Goodbye ${joiner.username}, invited by <@${alice}>.`);
		leaves++;
		let counts = '';
		await eventually(async () => (counts = await aliceCounts()).includes(`${leaves} left`), "alice's left count", 10_000, () => counts);
		await eventually(async () => !emulator.memberRoles(guildId, alice).includes(rankRole), 'the rank role taken back');
		expect(await delayedGrantsWaiting()).toBe('0');
		expect(emulator.unknownRoutes).toEqual([]);
		expect(emulator.serverErrors).toEqual([]);
	});
});
