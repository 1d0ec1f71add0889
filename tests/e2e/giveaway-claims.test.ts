import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BotProcess, type DiscordEmulator, type ApiMessage } from '../harness/index.js';
import { eventually } from '../helpers/eventually.js';
import { ADMIN, GIVEAWAY_ADAPTERS, useGiveawayBot, mentioned, sleep } from '../helpers/giveaway-bot.js';

/** Issue 20's claims through the real bot and the emulator: the Claim button, the DM, the auto-reroll, across a SIGKILL. */
describe.each(GIVEAWAY_ADAPTERS)('giveaway claims end to end: $adapter', ({ adapter, available }) => {
	const fixture = useGiveawayBot({ adapter, available, redisDatabase: 2, guildName: 'Giveaway claims', users: ['host'] });
	const { startGiveaway, giveawayMessage, announcements, click } = fixture;
	let emulator: DiscordEmulator;
	let bot: BotProcess;
	let guildId: string;
	let channelId: string;
	let admin: string;

	beforeAll(() => {
		({ emulator, bot, guildId, channelId, admin } = fixture);
	});

	function members(...names: string[]): string[] {
		return names.map((username) => {
			const user = emulator.createUser({ username, dmsClosed: username.includes('closed') }).id;
			emulator.addMember(guildId, user);
			return user;
		});
	}

	/** The first auto-reroll's announcements (a replacement who does not claim either gets a second one, `auto-reroll 2`). */
	const autoRerolls = (id: string) =>
		emulator.messages(channelId).filter((message) => message.content.includes(`(giveaway \`${id}\`, auto-reroll 1)`));
	const claimDms = (userId: string, id: string) =>
		emulator.dmMessages(userId).filter((message) => message.content.includes(`(giveaway \`${id}\`, claim)`));

	const firstButton = (message: ApiMessage) => (message.components[0] as any)?.components[0]?.custom_id as string;

	async function enter(id: string, userIds: string[]): Promise<void> {
		const message = giveawayMessage(id);
		for (const userId of userIds) expect(await click(userId, message, firstButton(message))).toMatch(/You entered/);
	}

	async function waitForAnnouncement(id: string): Promise<ApiMessage> {
		await eventually(() => Promise.resolve(announcements(id).length > 0), `giveaway ${id} to be announced`, 20_000);
		return announcements(id)[0]!;
	}

	it.skipIf(!available)('refuses a claim window longer than GIVEAWAY_RETENTION, which would delete pending claims', async () => {
		const handle = emulator.runCommand({
			guildId,
			channelId,
			userId: admin,
			name: 'giveaway',
			subcommand: 'start',
			options: { prize: 'Too long', duration: '2s', winners: 1, 'claim-window': '100d' },
			memberPermissions: ADMIN
		});
		const answer = await handle.answer();
		expect(answer.content).toMatch(/claim-window.* must not be longer than GIVEAWAY_RETENTION \(90d\): ended giveaways are deleted after it/);
	});

	it.skipIf(!available)(
		'winners told by DM (when allowed) who claim in time keep the prize: no auto-reroll; only winners can claim',
		async () => {
			const [open, closed, stranger] = members('claims-open', 'claims-closed', 'claims-stranger');
			const id = await startGiveaway({ prize: 'Kept', duration: '2s', winners: 2, 'claim-window': '5s' });
			await enter(id, [open!, closed!]);
			const announcement = await waitForAnnouncement(id);
			// The host is pinged with the winners; the announcement carries the Claim button.
			expect(mentioned(announcement.content).sort()).toEqual([open!, closed!, admin].sort());
			expect(announcement.content).toMatch(/Press \*\*Claim\*\* within 5 seconds/);
			expect(firstButton(announcement)).toBe(`giveaway-claim:${id}`);
			await eventually(
				() => Promise.resolve(String((giveawayMessage(id).embeds[0] as any)?.description).includes('Winners must claim <t:')),
				'the message to ask the winners to claim',
				15_000
			);
			const dm = await emulator.waitForDm(open!, (message) => message.content.includes(`(giveaway \`${id}\`, claim)`), 15_000);
			expect(firstButton(dm)).toBe(`giveaway-claim:${id}`);
			// DMs closed: logged, and the winner claims from the announcement instead.
			await bot.waitForLog(new RegExp(`Giveaway ${id}: the claim DM to ${closed} cannot be sent`), 15_000);
			expect(await click(stranger!, announcement, firstButton(announcement))).toBe('Only the winners of this giveaway can claim its prize.');
			expect(await click(open!, dm, firstButton(dm))).toMatch(/^You claimed \*\*Kept\*\*/);
			expect(await click(open!, dm, firstButton(dm))).toMatch(/^You claimed \*\*Kept\*\*/);
			expect(await click(closed!, announcement, firstButton(announcement))).toMatch(/^You claimed \*\*Kept\*\*/);
			// The message said who must still claim; with everyone claimed, it stops saying so.
			await eventually(
				() => Promise.resolve(!String((giveawayMessage(id).embeds[0] as any)?.description).includes('Winners must claim')),
				'the message to stop asking for claims',
				15_000
			);
			await sleep(7000);
			expect(autoRerolls(id)).toHaveLength(0);
			expect(announcements(id)).toHaveLength(1);
			expect(claimDms(open!, id)).toHaveLength(1);
		},
		90_000
	);

	it.skipIf(!available)(
		'a winner who does not claim in time is replaced by one auto-reroll, announced once; the replacement is told and can claim',
		async () => {
			const [first, second] = members('reroll-first', 'reroll-second');
			const id = await startGiveaway({ prize: 'Passed on', duration: '2s', winners: 1, 'claim-window': '3s' });
			await enter(id, [first!, second!]);
			const [winner] = mentioned((await waitForAnnouncement(id)).content).filter((user) => user !== admin);
			const replacement = winner === first ? second! : first!;
			await eventually(() => Promise.resolve(autoRerolls(id).length > 0), 'the auto-reroll announcement', 20_000);
			const reroll = autoRerolls(id)[0]!;
			expect(reroll.content).toContain(`<@${winner}> did not claim **Passed on** in time.`);
			expect(reroll.content).toContain(`New winner: <@${replacement}>`);
			expect(await click(winner!, reroll, firstButton(reroll))).toMatch(/has passed/);
			const dm = await emulator.waitForDm(replacement, (message) => message.content.includes(`(giveaway \`${id}\`, claim)`), 15_000);
			expect(await click(replacement, dm, firstButton(dm))).toMatch(/^You claimed/);
			await eventually(
				() => Promise.resolve(String((giveawayMessage(id).embeds[0] as any)?.description).includes(`Winners (rerolled): <@${replacement}>`)),
				'the message to show the replacement',
				15_000
			);
			await sleep(5000);
			expect(autoRerolls(id)).toHaveLength(1);
		},
		90_000
	);

	it.skipIf(!available)(
		'a SIGKILL during the claim window: after a restart the prize is still auto-rerolled exactly once',
		async () => {
			const [first, second] = members('killed-first', 'killed-second');
			const id = await startGiveaway({ prize: 'Survives', duration: '2s', winners: 1, 'claim-window': '4s' });
			await enter(id, [first!, second!]);
			const [winner] = mentioned((await waitForAnnouncement(id)).content).filter((user) => user !== admin);
			await bot.stop('SIGKILL');
			await sleep(5000);
			expect(autoRerolls(id)).toHaveLength(0);
			await bot.start();
			await eventually(() => Promise.resolve(autoRerolls(id).length > 0), 'the auto-reroll after the restart', 30_000);
			expect(mentioned(autoRerolls(id)[0]!.content)).toEqual([winner, winner === first ? second : first]);
			await bot.restart('SIGKILL');
			await bot.waitForLog(/Giveaways ready/);
			await sleep(2000);
			expect(autoRerolls(id)).toHaveLength(1);
			expect(announcements(id)).toHaveLength(1);
		},
		90_000
	);

	// Two bot processes on one Redis both watch the claim window (a click would reach both, so none is made meanwhile).
	if (adapter === 'redis')
		it.skipIf(!available)(
			'two bot processes on one Redis auto-reroll an unclaimed prize once',
			async () => {
				const [first, second] = members('shared-first', 'shared-second');
				const id = await startGiveaway({ prize: 'Shared claim', duration: '2s', winners: 1, 'claim-window': '12s' });
				await enter(id, [first!, second!]);
				await waitForAnnouncement(id);
				const otherDir = mkdtempSync(join(tmpdir(), 'supreme-giveaway-claims-second-'));
				const other = new BotProcess({
					apiUrl: emulator.apiUrl,
					dataDir: otherDir,
					storageAdapter: 'redis',
					env: { COMMAND_GUILD_IDS: guildId, REDIS_URL: fixture.redisUrl }
				});
				try {
					await other.start();
					await other.waitForLog(/Giveaways ready: [1-9]\d* scheduled/);
					await eventually(() => Promise.resolve(autoRerolls(id).length > 0), 'the auto-reroll announcement', 30_000);
					await sleep(3000);
					expect(autoRerolls(id)).toHaveLength(1);
					expect([bot.runOutput, other.runOutput].filter((output) => output.includes(`Giveaway ${id} auto-rerolled`))).toHaveLength(1);
				} finally {
					if (other.running) await other.stop('SIGKILL');
					rmSync(otherDir, { recursive: true, force: true });
				}
			},
			120_000
		);
});
