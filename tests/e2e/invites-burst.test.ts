import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MemberRecord } from '../../src/lib/invites/records.js';
import { openStorage } from '../../src/storage-adapters/index.js';
import { BotProcess, DiscordEmulator } from '../harness/index.js';
import { eventually } from '../helpers/eventually.js';

const ADMIN = PermissionFlagsBits.ManageGuild | PermissionFlagsBits.SendMessages | PermissionFlagsBits.ViewChannel;

/** Invite tracking under pressure: bursts, rate limits, missing permissions and rank roles, through the real bot. */
describe('invite tracking under pressure', () => {
	let emulator: DiscordEmulator;
	let bot: BotProcess;
	let dataDir: string;

	beforeEach(async () => {
		emulator = await DiscordEmulator.start();
		dataDir = mkdtempSync(join(tmpdir(), 'supreme-burst-'));
	});

	afterEach(async () => {
		if (bot?.running) await bot.stop('SIGKILL');
		await emulator.stop();
		rmSync(dataDir, { recursive: true, force: true });
	});

	async function startBot(guildId: string) {
		bot = new BotProcess({ apiUrl: emulator.apiUrl, dataDir, storageAdapter: 'file', env: { COMMAND_GUILD_IDS: guildId } });
		await bot.start();
		await bot.waitForLog(/Invite tracking ready/);
	}

	async function whoInvited(guildId: string, channelId: string, userId: string): Promise<string> {
		const reply = await emulator
			.runCommand({ guildId, channelId, userId, name: 'who-invited', options: { user: userId }, memberPermissions: ADMIN })
			.answer();
		return String(reply.embeds[0]?.description);
	}

	/** Reads what the bot recorded, the way the data tools do: from its storage once it has stopped. */
	async function recordedJoins(guildId: string): Promise<Map<string, MemberRecord>> {
		await bot.stop('SIGTERM');
		const storage = await openStorage({
			adapter: 'file',
			dataDir,
			sqlitePath: join(dataDir, 'bot.sqlite'),
			redisUrl: '',
			backupDir: join(dataDir, 'backups'),
			backupKeep: 20
		});
		try {
			const records = new Map<string, MemberRecord>();
			for (const [key, record] of await storage.entries<MemberRecord>('join-history')) {
				if (key.startsWith(`${guildId}:`)) records.set(key.slice(guildId.length + 1), record);
			}
			return records;
		} finally {
			await storage.close();
		}
	}

	it(
		'credits each inviter exactly and no member wrongly in a 1000-join burst through 5 invites, with fewer invite fetches than joins',
		{ timeout: 120_000 },
		async () => {
			const guild = emulator.createGuild({ name: 'Raid' });
			const inviters = Array.from({ length: 5 }, (_, index) => emulator.createUser({ username: `inviter${index}` }).id);
			const codes = inviters.map((inviterId, index) => {
				emulator.addMember(guild.id, inviterId);
				return emulator.createInvite(guild.id, { code: `code${index}`, inviterId }).code;
			});
			await startBot(guild.id);
			const fetchesBefore = emulator.countRequests('GET /guilds/:guildId/invites');

			const truth = new Map<string, string>();
			let last = '';
			for (let index = 0; index < 1000; index++) {
				// Runs through one invite and switches, with some interleaving, as people follow different links.
				const which = index % 50 < 40 ? Math.floor(index / 50) % 5 : index % 5;
				const member = emulator.joinViaInvite(guild.id, codes[which]!, { username: `raider${index}` });
				truth.set(member.id, inviters[which]!);
				last = member.id;
				if (index % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 5));
			}
			// Joins are attributed in order: once the last one is recorded, every one is.
			await eventually(
				async () => (await whoInvited(guild.id, guild.systemChannelId!, last)).includes('joined'),
				'the last join to be recorded',
				60_000
			);
			const fetches = emulator.countRequests('GET /guilds/:guildId/invites') - fetchesBefore;

			const records = await recordedJoins(guild.id);
			let wrong = 0;
			let individual = 0;
			const credited = new Map<string, number>();
			const truthCounts = new Map<string, number>();
			for (const [memberId, inviterId] of truth) {
				const join = records.get(memberId)?.joins.at(-1);
				expect(join, `join of ${memberId} recorded`).toBeDefined();
				truthCounts.set(inviterId, (truthCounts.get(inviterId) ?? 0) + 1);
				const carried = records.get(memberId)?.credit?.inviterId;
				if (carried) credited.set(carried, (credited.get(carried) ?? 0) + 1);
				if (join!.how !== 'normal') continue;
				individual++;
				if (join!.inviterId !== inviterId) wrong++;
			}
			console.log(
				`1000-join burst: ${wrong} wrong individual credits, ${individual} individual, ${fetches} invite fetches, credited ${JSON.stringify([...credited.values()])}`
			);
			expect(wrong).toBe(0);
			expect(fetches).toBeLessThan(1000);
			// Every use is a join through that inviter's invite: the burst credits are exact per inviter.
			for (const [inviterId, count] of truthCounts) expect(credited.get(inviterId) ?? 0, `credits of ${inviterId}`).toBe(count);
		}
	);

	it('waits out 429s on invite fetches and still attributes the join', async () => {
		const guild = emulator.createGuild({ name: 'Limited' });
		const alice = emulator.createUser({ username: 'alice' }).id;
		emulator.addMember(guild.id, alice);
		emulator.createInvite(guild.id, { code: 'slow', inviterId: alice });
		await startBot(guild.id);
		emulator.rateLimit('GET /guilds/:guildId/invites', { count: 2, retryAfterMs: 300 });
		const member = emulator.joinViaInvite(guild.id, 'slow', { username: 'patient' }).id;
		await eventually(
			async () => (await whoInvited(guild.id, guild.systemChannelId!, member)).includes(`<@${alice}> · code \`slow\``),
			'the join to be credited'
		);
		expect(emulator.requests.filter((request) => request.route === 'GET /guilds/:guildId/invites' && request.status === 429)).toHaveLength(2);
	});

	it('records joins as unknown without Manage Server, says why, and keeps running', async () => {
		const guild = emulator.createGuild({ name: 'No perms', botPermissions: PermissionFlagsBits.SendMessages | PermissionFlagsBits.ViewChannel });
		const alice = emulator.createUser({ username: 'alice' }).id;
		emulator.addMember(guild.id, alice);
		emulator.createInvite(guild.id, { code: 'hidden', inviterId: alice });
		await startBot(guild.id);
		expect(bot.output).toMatch(/Cannot read the invites of guild \d+: the bot lacks the Manage Server permission/);
		const member = emulator.joinViaInvite(guild.id, 'hidden', { username: 'm' }).id;
		await eventually(
			async () => (await whoInvited(guild.id, guild.systemChannelId!, member)).includes('unknown way'),
			'the join to be recorded as unknown'
		);
		expect(bot.running).toBe(true);
	});

	it('gives rank roles when an inviter reaches a total and takes them away when it falls below', async () => {
		const guild = emulator.createGuild({ name: 'Ranks' });
		const admin = emulator.createUser({ username: 'admin' }).id;
		const alice = emulator.createUser({ username: 'alice' }).id;
		for (const id of [admin, alice]) emulator.addMember(guild.id, id);
		const recruiter = emulator.createRole(guild.id, { name: 'Recruiter', position: 5 });
		const tooHigh = emulator.createRole(guild.id, { name: 'Above the bot', position: 60 });
		emulator.createInvite(guild.id, { code: 'rank', inviterId: alice });
		await startBot(guild.id);
		const configure = (role: string) =>
			emulator
				.runCommand({
					guildId: guild.id,
					channelId: guild.systemChannelId!,
					userId: admin,
					name: 'invite-config',
					subcommand: 'rank-role-add',
					options: { invites: 2, role },
					memberPermissions: ADMIN
				})
				.answer();
		expect((await configure(tooHigh.id)).content).toMatch(/not below the bot's highest role/);
		const rankRoles = ((await configure(recruiter.id)).embeds[0] as { fields?: Array<{ name: string; value: string }> }).fields?.find(
			(field) => field.name === 'Rank roles'
		);
		expect(rankRoles?.value).toContain(`2 invites → <@&${recruiter.id}>`);

		emulator.joinViaInvite(guild.id, 'rank', { username: 'one' });
		const second = emulator.joinViaInvite(guild.id, 'rank', { username: 'two' }).id;
		await eventually(
			() => Promise.resolve(emulator.memberRoles(guild.id, alice).includes(recruiter.id)),
			'alice to get the rank role',
			10_000,
			() =>
				bot.output
					.split('\n')
					.filter((line) => /WARN|ERROR/.test(line))
					.join(' | ')
		);
		expect(emulator.memberRoles(guild.id, alice)).not.toContain(tooHigh.id);

		emulator.leave(guild.id, second);
		await eventually(
			() => Promise.resolve(!emulator.memberRoles(guild.id, alice).includes(recruiter.id)),
			'alice to lose the rank role below the total'
		);
	});
});
