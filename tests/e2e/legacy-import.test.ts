import { readdirSync, readFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotProcess, DiscordEmulator } from '../harness/index.js';
import { ADMIN } from '../reliability/_shared.js';
import { legacyFiles, OLD_TOTALS, writeLegacyFixture, type LegacyIds } from '../fixtures/supreme-bot2.js';
import { eventually } from '../helpers/eventually.js';
import { flushRedisDatabase, redisAvailable, redisTestUrl } from '../helpers/redis.js';

const REDIS_URL = redisTestUrl(12);

/** A bot started on a Supreme-BOT2 DATA_DIR, through the emulator, on every adapter (issue 15). */
describe.each([
	{ adapter: 'file', available: true },
	{ adapter: 'sqlite', available: true },
	{ adapter: 'redis', available: redisAvailable }
] as const)('Supreme-BOT2 import at start: $adapter', ({ adapter, available }) => {
	let emulator: DiscordEmulator;
	let bot: BotProcess;
	let dataDir: string;
	let ids: LegacyIds;
	let admin: string;
	let runningGiveaway: string;
	let endedGiveaway: string;
	let settingsText: string;
	let giveawayChannel: string;
	const env = () => ({ COMMAND_GUILD_IDS: ids.guildId, REDIS_URL });

	beforeAll(async () => {
		if (!available) return;
		if (adapter === 'redis') await flushRedisDatabase(REDIS_URL);
		emulator = await DiscordEmulator.start();
		const guild = emulator.createGuild({ name: 'Old Server' });
		const user = (name: string) => {
			const created = emulator.createUser({ username: name }).id;
			emulator.addMember(guild.id, created);
			return created;
		};
		admin = user('admin');
		ids = {
			guildId: guild.id,
			otherGuildId: '222222222222222222',
			inviters: [user('best'), user('second'), user('third')],
			members: [user('m0'), user('m1'), user('m2')],
			welcomeChannelId: emulator.createChannel(guild.id, { name: 'welcome' }).id,
			goodbyeChannelId: emulator.createChannel(guild.id, { name: 'goodbye' }).id,
			autoRoleId: emulator.createRole(guild.id, { name: 'Member' }).id
		};
		emulator.createInvite(guild.id, { code: 'best1', inviterId: ids.inviters[0] });
		dataDir = writeLegacyFixture(mkdtempSync(join(tmpdir(), `supreme-legacy-e2e-${adapter}-`)), ids);
		// Giveaways the old bot posted (same application: the bot's own user) in the layout of its giveaway-create: one
		// running, one ended; the fixture's third (800000000000000001) has no message any more.
		giveawayChannel = emulator.createChannel(guild.id, { name: 'giveaways' }).id;
		const end = Math.floor(Date.now() / 1000) + 3600;
		const dot = '<:dot:1460754381447237785>';
		runningGiveaway = emulator.postMessageAs(giveawayChannel, emulator.botUser, {
			embeds: [
				{
					title: 'Old Nitro',
					description: `${dot} Hosted by <@${admin}>\n${dot} Ends: <t:${end}:F> (<t:${end}:R>)\n${dot} Winners: **2**\n\n${dot} Participants: **0**`
				}
			],
			components: [{ type: 1, components: [{ type: 2, style: 1, label: 'Entry', custom_id: `giveaway_entry_${end}_2` }] }]
		}).id;
		const ended = Math.floor(Date.now() / 1000) - 3600;
		endedGiveaway = emulator.postMessageAs(giveawayChannel, emulator.botUser, {
			embeds: [
				{
					title: 'Old Hoodie',
					description: `${dot} Ended: <t:${ended}:R> (<t:${ended}:F>)\n${dot} Hosted by: <@${admin}>\n${dot} Participants: **1**\n${dot} Winners: <@${ids.members[2]}>`
				}
			],
			components: []
		}).id;
		const settingsPath = join(dataDir, 'settings.json');
		const settings = JSON.parse(readFileSync(settingsPath, 'utf8')) as Record<string, Record<string, unknown>>;
		settings[ids.guildId]![`giveaway_${runningGiveaway}`] = [ids.members[0], ids.members[1]];
		settings[ids.guildId]![`giveaway_${endedGiveaway}`] = [ids.members[2]];
		settingsText = JSON.stringify(settings, null, 2);
		writeFileSync(settingsPath, settingsText);
		bot = new BotProcess({ apiUrl: emulator.apiUrl, dataDir, storageAdapter: adapter, env: env() });
		await bot.start();
		await bot.waitForLog(/Invite tracking ready/);
	}, 120_000);

	afterAll(async () => {
		if (!available) return;
		if (bot?.running) await bot.stop('SIGKILL');
		await emulator?.stop();
		rmSync(dataDir, { recursive: true, force: true });
		if (adapter === 'redis') await flushRedisDatabase(REDIS_URL);
	});

	async function run(name: string, options: Record<string, string | number | boolean> = {}) {
		return emulator.runCommand({ guildId: ids.guildId, userId: admin, name, options, memberPermissions: ADMIN }).answer(10_000);
	}
	const text = (reply: Awaited<ReturnType<typeof run>>) => String(reply.embeds[0]?.description ?? reply.content);
	const totalOf = async (inviter: string) => Number(/has (-?\d+) invite/.exec(text(await run('invites', { user: inviter })))?.[1]);
	async function totalBecomes(inviter: string, expected: number): Promise<void> {
		let last = NaN;
		await eventually(
			async () => (last = await totalOf(inviter)) === expected,
			`the total of ${inviter} to be ${expected}`,
			10_000,
			() => String(last)
		);
	}

	it.skipIf(!available)('logs one summary, keeps the originals byte for byte in a legacy-import backup and in legacy-<time>/', () => {
		const summary = bot.logLines(/Supreme-BOT2 import done/);
		expect(summary).toHaveLength(1);
		expect(summary[0]).toMatch(/2 servers, 4 inviters, 3 join records, settings of 1 servers \(welcome 1, goodbye 1, auto-role 1\)/);
		expect(summary[0]).toMatch(/skipped invites\.json: test-guild-123: not a server id/);
		expect(summary[0]).toMatch(
			/giveaway .*800000000000000001 \(2 entrants\): its prize, end and winners live only in its Discord message, looked for once the bot is logged in/
		);
		expect(summary[0]).toMatch(/signed Discord CDN link/);
		const folder = readdirSync(dataDir).find((name) => name.startsWith('legacy-'));
		expect(folder).toBeDefined();
		const backup = readdirSync(join(dataDir, 'backups')).find((name) => name.endsWith('-legacy-import'))!;
		const manifest = JSON.parse(readFileSync(join(dataDir, 'backups', backup, 'manifest.json'), 'utf8')) as {
			reason: string;
			files: Record<string, string>;
		};
		expect(manifest.reason).toBe('legacy-import');
		for (const [name, fixture] of Object.entries(legacyFiles(ids))) {
			const original = name === 'settings.json' ? settingsText : fixture;
			expect(readFileSync(join(dataDir, folder!, name), 'utf8'), name).toBe(original);
			expect(readFileSync(join(dataDir, 'backups', backup, name), 'utf8'), name).toBe(original);
			expect(existsSync(join(dataDir, name)) && readFileSync(join(dataDir, name), 'utf8') === original, `${name} moved`).toBe(false);
		}
		// The old bot's own backups folder is left where it was.
		expect(existsSync(join(dataDir, 'backups', 'full_backup_2024-01-01T00-00-00.000Z', 'invites.json'))).toBe(true);
	});

	it.skipIf(!available)(
		'giveaways: those whose message the bot finds are imported (running with our button, ended with its winners), the rest listed with their entrants',
		async () => {
			const line = await bot.waitForLog(/Supreme-BOT2 giveaways: /, 20_000);
			expect(line).toMatch(/2 of 3 imported/);
			expect(line).toMatch(/800000000000000001 \(2 entrants\): not imported: its message is in none of the server's \d+ text channels/);
			expect(line).toMatch(new RegExp(`${runningGiveaway} \\(2 entrants\\): imported as giveaway \\w+ \\(running until`));
			expect(line).toMatch(new RegExp(`${endedGiveaway} \\(1 entrants\\): imported as giveaway \\w+ \\(ended\\)`));
			// /giveaway list defers, then edits its answer in.
			const handle = emulator.runCommand({
				guildId: ids.guildId,
				userId: admin,
				name: 'giveaway',
				subcommand: 'list',
				options: {},
				memberPermissions: ADMIN
			});
			await handle.reply(10_000);
			const list = JSON.stringify(await handle.waitForEdit((edit) => JSON.stringify(edit).includes('Old'), 10_000));
			expect(list).toContain('Old Nitro');
			expect(list).toContain('Old Hoodie');
			// The running one's message now carries our Enter button and its 2 entrants.
			const channel = giveawayChannel;
			await eventually(
				() =>
					Promise.resolve(
						!JSON.stringify(emulator.messages(channel).find((message) => message.id === runningGiveaway)?.components).includes(
							'giveaway_entry_'
						)
					),
				'the old giveaway message to be re-drawn with our button',
				15_000
			);
			const giveawayId = new RegExp(`${runningGiveaway} \\(2 entrants\\): imported as giveaway (\\w+)`).exec(line)![1]!;
			await eventually(
				() =>
					Promise.resolve(
						JSON.stringify(emulator.messages(channel).find((message) => message.id === runningGiveaway)).includes('Entries: **2**')
					),
				'the re-drawn message to show the 2 imported entries',
				15_000
			);
			expect(JSON.stringify(emulator.messages(channel).find((message) => message.id === runningGiveaway)?.components)).toContain(
				`:${giveawayId}`
			);
		}
	);

	it.skipIf(!available)('/invites shows the old totals, /invite-leaderboard the old order, /who-invited the old inviter', async () => {
		for (const [index, inviter] of ids.inviters.entries()) expect(await totalOf(inviter)).toBe(OLD_TOTALS[index]);
		const board = text(await run('invite-leaderboard'));
		expect([...board.matchAll(/<@(\d+)>/g)].map((match) => match[1])).toEqual([...ids.inviters]);
		const who = text(await run('who-invited', { user: ids.members[0] }));
		expect(who).toContain(`<@${ids.inviters[0]}>`);
		expect(who).toMatch(/Imported from Supreme-BOT2/);
	});

	it.skipIf(!available)('a join posts the imported welcome in the imported channel with the inviter, gives the auto-role and adds 1', async () => {
		// The imported rules (accounts younger than 3 days, no avatar: fake) would count the emulator's new account as fake.
		expect(
			JSON.stringify(
				(
					await emulator
						.runCommand({
							guildId: ids.guildId,
							userId: admin,
							name: 'invite-config',
							subcommand: 'show',
							options: {},
							memberPermissions: ADMIN
						})
						.answer()
				).embeds[0]
			)
		).toMatch(/3 days.*No avatar counts as fake","value":"yes/);
		await emulator
			.runCommand({
				guildId: ids.guildId,
				userId: admin,
				name: 'invite-config',
				subcommand: 'fake-account-age',
				options: { days: 0 },
				memberPermissions: ADMIN
			})
			.answer();
		await emulator
			.runCommand({
				guildId: ids.guildId,
				userId: admin,
				name: 'invite-config',
				subcommand: 'fake-without-avatar',
				options: { enabled: false },
				memberPermissions: ADMIN
			})
			.answer();
		const joiner = emulator.joinViaInvite(ids.guildId, 'best1', { username: 'newcomer' });
		const message = await emulator.waitForMessage(ids.welcomeChannelId, (candidate) => candidate.content.includes(joiner.id), 10_000);
		expect(message.content).toBe(`<@${joiner.id}> Welcome To Old Server`);
		expect(message.embeds[0]).toMatchObject({
			title: 'Hello there',
			description: `Glad you are here\n\n**Invited by:** <@${ids.inviters[0]}>`,
			footer: { text: 'Thank you for choosing Old Server!' },
			color: 0x57f287
		});
		await eventually(() => Promise.resolve(emulator.memberRoles(ids.guildId, joiner.id).includes(ids.autoRoleId)), 'the imported auto-role');
		await totalBecomes(ids.inviters[0], OLD_TOTALS[0] + 1);
	});

	it.skipIf(!available)('a leave of an imported member adds a left for their old inviter', async () => {
		emulator.leave(ids.guildId, ids.members[1]);
		await totalBecomes(ids.inviters[1], OLD_TOTALS[1] - 1);
	});

	it.skipIf(!available)('a restart imports nothing again and changes nothing', async () => {
		const before = await Promise.all(ids.inviters.map(totalOf));
		await bot.restart('SIGTERM');
		await bot.waitForLog(/Invite tracking ready/);
		expect(bot.logLines(/Supreme-BOT2 import/)).toEqual([]);
		expect(await Promise.all(ids.inviters.map(totalOf))).toEqual(before);
	});

	it.skipIf(!available)(
		'SIGKILL in the middle of the import, then a restart, gives the complete import; a second restart changes nothing',
		{ timeout: 180_000 },
		async () => {
			await bot.stop('SIGTERM');
			if (adapter === 'redis') await flushRedisDatabase(REDIS_URL);
			const crashDir = writeLegacyFixture(mkdtempSync(join(tmpdir(), `supreme-legacy-kill-${adapter}-`)), ids);
			// Many more join records, so the conversion takes long enough to be interrupted.
			const history = JSON.parse(legacyFiles(ids)['join-history.json']!) as Record<string, unknown>;
			for (let index = 0; index < 60_000; index++)
				history[`${ids.guildId}_${String(600_000_000_000_000_000 + index)}`] = {
					inviterId: ids.inviters[2],
					isFake: false,
					joinedAt: 1_700_000_000_000 + index
				};
			writeFileSync(join(crashDir, 'join-history.json'), JSON.stringify(history));
			const crashing = new BotProcess({ apiUrl: emulator.apiUrl, dataDir: crashDir, storageAdapter: adapter, env: env() });
			try {
				const starting = crashing.start().catch(() => undefined);
				// Storage is open: the conversion of the moved originals starts now.
				await crashing.waitForLog(/Storage adapter opened/, 60_000);
				await crashing.stop('SIGKILL');
				await starting;
				const marker = JSON.parse(readFileSync(join(crashDir, 'legacy-import.marker'), 'utf8')) as { state: string };
				console.log(`[legacy] ${adapter}: SIGKILL landed in state "${marker.state}"`);
				await crashing.start();
				await crashing.waitForLog(/Invite tracking ready/);
				if (marker.state !== 'done') expect(crashing.logLines(/was interrupted; finishing it/)).toHaveLength(1);
				expect(await Promise.all(ids.inviters.map(totalOf))).toEqual([...OLD_TOTALS]);
				expect(text(await run('who-invited', { user: ids.members[2] }))).toContain(`<@${ids.inviters[2]}>`);
				await crashing.restart('SIGTERM');
				await crashing.waitForLog(/Invite tracking ready/);
				expect(crashing.logLines(/Supreme-BOT2 import/)).toEqual([]);
				expect(await Promise.all(ids.inviters.map(totalOf))).toEqual([...OLD_TOTALS]);
			} finally {
				if (crashing.running) await crashing.stop('SIGKILL');
				rmSync(crashDir, { recursive: true, force: true });
			}
		}
	);
});
