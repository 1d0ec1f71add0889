import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotProcess, DiscordEmulator } from '../harness/index.js';
import { eventually } from '../helpers/eventually.js';

const ADMIN = PermissionFlagsBits.ManageGuild | PermissionFlagsBits.SendMessages | PermissionFlagsBits.ViewChannel;
const MEMBER = PermissionFlagsBits.SendMessages | PermissionFlagsBits.ViewChannel;

/**
 * Issue 14, rule 10: an invite that vanishes one use short of its max_uses was used up by a join, unless it expired
 * (no INVITE_DELETE, discord-api-docs #7249) or a moderator deleted it (INVITE_DELETE while no join waits).
 */
describe('an invite that vanishes one use short of max_uses', () => {
	let emulator: DiscordEmulator;
	let bot: BotProcess;
	let dataDir: string;
	let guildId: string;
	let admin: string;

	beforeAll(async () => {
		emulator = await DiscordEmulator.start();
		guildId = emulator.createGuild({ name: 'Vanishing' }).id;
		admin = emulator.createUser({ username: 'admin' }).id;
		emulator.addMember(guildId, admin);
		dataDir = mkdtempSync(join(tmpdir(), 'supreme-vanishing-'));
		bot = new BotProcess({ apiUrl: emulator.apiUrl, dataDir, storageAdapter: 'file', env: { COMMAND_GUILD_IDS: guildId } });
		await bot.start();
		await bot.waitForLog(/Invite tracking ready/);
	});

	afterAll(async () => {
		if (bot?.running) await bot.stop('SIGKILL');
		await emulator?.stop();
		rmSync(dataDir, { recursive: true, force: true });
	});

	async function whoInvited(userId: string): Promise<string> {
		const reply = await emulator
			.runCommand({ guildId, userId: admin, name: 'who-invited', options: { user: userId }, memberPermissions: ADMIN })
			.answer();
		return JSON.stringify(reply.embeds[0] ?? reply.content);
	}

	async function expectWho(userId: string, pattern: RegExp): Promise<void> {
		let last = '';
		await eventually(
			async () => pattern.test((last = await whoInvited(userId))),
			`who-invited to match ${pattern}`,
			10_000,
			() => last
		);
	}

	/** An invite by a new inviter with max_uses 2, used once (credited), so it is one use short. */
	async function oneShortInvite(code: string, maxAge = 0) {
		const inviter = emulator.createUser({ username: `${code}-inviter` }).id;
		emulator.addMember(guildId, inviter);
		emulator.createInvite(guildId, { code, inviterId: inviter, maxUses: 2, maxAge });
		const first = emulator.joinViaInvite(guildId, code).id;
		await expectWho(first, new RegExp(`<@${inviter}>`));
		return inviter;
	}

	it('its last use is credited (Discord deletes it on that use)', async () => {
		const inviter = await oneShortInvite('last');
		const last = emulator.joinViaInvite(guildId, 'last').id;
		expect(emulator.invites(guildId).some((invite) => invite.code === 'last')).toBe(false);
		await expectWho(last, new RegExp(`<@${inviter}> · code \`last\``));
	});

	it('an expired invite is not a use: a join after its expiry is unknown, not credited to its inviter', async () => {
		const inviter = await oneShortInvite('timed', 2);
		// Past expires_at the emulator lists it no more and sends no INVITE_DELETE, as Discord does.
		await emulator.waitFor(() => !emulator.invites(guildId).some((invite) => invite.code === 'timed'), 5000, 'the invite to expire');
		const joiner = emulator.joinUnknown(guildId).id;
		await expectWho(joiner, /unknown way/);
		expect(await whoInvited(joiner)).not.toContain(inviter);
	});

	it('an invite a moderator deleted is not a use: a join after the INVITE_DELETE is unknown', async () => {
		const inviter = await oneShortInvite('deleted');
		emulator.deleteInvite('deleted');
		const joiner = emulator.joinUnknown(guildId).id;
		await expectWho(joiner, /unknown way/);
		expect(await whoInvited(joiner)).not.toContain(inviter);
	});
});

/**
 * Issue 14, rule 7: the start-up catch-up reads the member list through REST pages of 1000 (List Guild Members), not
 * op 8, which Discord limits to one full request per guild per 30 s; the pages are not cached.
 */
describe('start-up catch-up of a large server', () => {
	it('lists 2500 members in 3 pages, is not held up by the op 8 limit on a restart within 30 s, and keeps few members cached', async () => {
		const emulator = await DiscordEmulator.start();
		const guildId = emulator.createGuild({ name: 'Large' }).id;
		const alice = emulator.createUser({ username: 'alice' }).id;
		emulator.addMember(guildId, alice);
		emulator.createInvite(guildId, { code: 'alice1', inviterId: alice });
		for (let index = 0; index < 2500; index++) emulator.addMember(guildId, emulator.createUser().id);
		const dataDir = mkdtempSync(join(tmpdir(), 'supreme-large-'));
		const bot = new BotProcess({ apiUrl: emulator.apiUrl, dataDir, storageAdapter: 'file', env: { COMMAND_GUILD_IDS: guildId } });
		try {
			await bot.start();
			await bot.waitForLog(/Invite tracking ready/);
			await bot.stop('SIGTERM');
			// Joins while the bot is away, and a full op 8 member request just made: its limit holds for 30 s.
			const away = Array.from({ length: 3 }, () => emulator.joinViaInvite(guildId, 'alice1').id);
			emulator.gateway.markAllMembersRequested(guildId, Date.now());
			const pagesBefore = emulator.countRequests('GET /guilds/:guildId/members');
			await bot.start();
			const ready = await bot.waitForLog(/Invite tracking ready/, 20_000);
			expect(bot.runOutput).toMatch(/while the bot was away 3 members joined \(3 credited, 0 unknown\)/);
			// 2505 members (the bot, alice, 2500, 3 joiners): pages of 1000, 1000 and 505.
			expect(emulator.countRequests('GET /guilds/:guildId/members') - pagesBefore).toBe(3);
			expect(emulator.gateway.memberRequestsLimited).toBe(0);
			// The pages were not kept: the cache holds the bot (GUILD_CREATE) and little else, not 2505 members.
			const cached = Number(/(\d+) members cached/.exec(ready)?.[1]);
			expect(cached).toBeLessThan(10);
			expect(away).toHaveLength(3);
		} finally {
			if (bot.running) await bot.stop('SIGKILL');
			await emulator.stop();
			rmSync(dataDir, { recursive: true, force: true });
		}
	});
});

/**
 * Issue 14, rule 6, second half: the bot makes no request it knows Discord would refuse, and tries again once a
 * channel, role or member update says it may. Here: entry-count edits of a giveaway message in a channel whose
 * overwrites hide it from the bot (CHANNEL_UPDATE), then show it again.
 */
describe('a channel the bot may no longer see', () => {
	it('makes no count edit there while its overwrite denies View Channel, and edits again after the overwrite is lifted', async () => {
		const emulator = await DiscordEmulator.start();
		const guild = emulator.createGuild({ name: 'Hidden' });
		const guildId = guild.id;
		const channelId = guild.systemChannelId!;
		const admin = emulator.createUser({ username: 'admin' }).id;
		emulator.addMember(guildId, admin);
		const entrants = Array.from({ length: 9 }, (_, index) => emulator.createUser({ username: `entrant${index}` }).id);
		for (const id of entrants) emulator.addMember(guildId, id);
		const dataDir = mkdtempSync(join(tmpdir(), 'supreme-hidden-'));
		const bot = new BotProcess({ apiUrl: emulator.apiUrl, dataDir, storageAdapter: 'file', env: { COMMAND_GUILD_IDS: guildId } });
		const giveawayMessage = () =>
			emulator.messages(channelId).find((message) => message.author.id === emulator.botUser.id && message.components.length > 0)!;
		const enter = async (userId: string) => {
			const message = giveawayMessage();
			const customId = (message.components[0] as any).components[0].custom_id as string;
			const handle = emulator.clickButton({ channelId, userId, messageId: message.id, customId, memberPermissions: MEMBER });
			const reply = await handle.reply();
			return reply.deferred ? (await handle.waitForEdit(() => true, 15_000)).content : reply.content;
		};
		try {
			await bot.start();
			await bot.waitForLog(/Giveaways ready/);
			const started = emulator.runCommand({
				guildId,
				channelId,
				userId: admin,
				name: 'giveaway',
				subcommand: 'start',
				options: { prize: 'Nitro', duration: '1h', winners: 1 },
				memberPermissions: ADMIN
			});
			const first = await started.reply();
			if (first.deferred) await started.waitForEdit(() => true, 15_000);
			const messageId = giveawayMessage().id;
			const edits = () =>
				emulator.requests.filter((request) => request.method === 'PATCH' && request.path === `/channels/${channelId}/messages/${messageId}`);

			emulator.setChannelOverwrites(channelId, [{ id: emulator.botUser.id, type: 'member', deny: PermissionFlagsBits.ViewChannel }]);
			// Entries over 12 s: the bot would edit the count at once, then every 5 s.
			for (const userId of entrants.slice(0, 8)) {
				expect(await enter(userId)).toMatch(/You entered/);
				await new Promise((resolve) => setTimeout(resolve, 1500));
			}
			const refused = edits().filter((request) => request.status === 403);
			expect(refused.map((request) => `${request.route} ${request.status}`)).toEqual([]);

			emulator.setChannelOverwrites(channelId, []);
			expect(await enter(entrants[8]!)).toMatch(/You entered/);
			await emulator.waitFor(
				() => String((giveawayMessage().embeds[0] as any)?.description ?? '').includes('Entries: **9**'),
				15_000,
				'the entry count of 9 on the message'
			);
			expect(edits().filter((request) => request.status === 403)).toEqual([]);
		} finally {
			if (bot.running) await bot.stop('SIGKILL');
			await emulator.stop();
			rmSync(dataDir, { recursive: true, force: true });
		}
	});
});

describe('a role given to the bot', () => {
	it('reads invites again after GUILD_MEMBER_UPDATE gives the bot a role with Manage Server, without a restart', async () => {
		const emulator = await DiscordEmulator.start();
		const guildId = emulator.createGuild({ name: 'Promoted' }).id;
		const admin = emulator.createUser({ username: 'admin' }).id;
		const alice = emulator.createUser({ username: 'alice' }).id;
		for (const id of [admin, alice]) emulator.addMember(guildId, id);
		emulator.createInvite(guildId, { code: 'alice1', inviterId: alice });
		const managers = emulator.createRole(guildId, { name: 'Managers', permissions: PermissionFlagsBits.ManageGuild }).id;
		emulator.setBotPermissions(guildId, PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages | PermissionFlagsBits.ManageChannels);
		const dataDir = mkdtempSync(join(tmpdir(), 'supreme-promoted-'));
		const bot = new BotProcess({ apiUrl: emulator.apiUrl, dataDir, storageAdapter: 'file', env: { COMMAND_GUILD_IDS: guildId } });
		const who = async (userId: string) =>
			JSON.stringify(
				(
					await emulator
						.runCommand({ guildId, userId: admin, name: 'who-invited', options: { user: userId }, memberPermissions: ADMIN })
						.answer()
				).embeds[0] ?? null
			);
		try {
			await bot.start();
			await bot.waitForLog(/Invite tracking ready: 0 guilds tracked, 1 without permission/);
			const before = emulator.countRequests('GET /guilds/:guildId/invites');
			const early = Array.from({ length: 20 }, () => emulator.joinViaInvite(guildId, 'alice1').id);
			let last = '';
			await eventually(
				async () => /unknown/i.test((last = await who(early.at(-1)!))),
				'the early joins recorded as unknown',
				15_000,
				() => last
			);
			expect(emulator.countRequests('GET /guilds/:guildId/invites') - before).toBe(0);

			const botRoles = emulator.memberRoles(guildId, emulator.botUser.id);
			emulator.updateMember(guildId, emulator.botUser.id, { roles: [...botRoles, managers] });
			await bot.waitForLog(/Invites of guild \d+ are readable again/);
			const late = emulator.joinViaInvite(guildId, 'alice1').id;
			await eventually(
				async () => (last = await who(late)).includes(`<@${alice}>`),
				'the late join credited to alice',
				10_000,
				() => last
			);
		} finally {
			if (bot.running) await bot.stop('SIGKILL');
			await emulator.stop();
			rmSync(dataDir, { recursive: true, force: true });
		}
	});
});
