import { createClient } from '@redis/client';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiMessage, BotProcess, DiscordEmulator } from '../harness/index.js';
import { GIVEAWAY_ENTRIES_NAMESPACE, GIVEAWAY_NAMESPACE, type Giveaway } from '../../src/lib/giveaways/state.js';
import { eventually } from '../helpers/eventually.js';
import { ADMIN, GIVEAWAY_ADAPTERS, useGiveawayBot, MEMBER, mentioned, sleep } from '../helpers/giveaway-bot.js';

/** Issue 20's giveaway features through the real bot and the emulator: bonus entries, invites during, scheduled starts. */
describe.each(GIVEAWAY_ADAPTERS)('giveaway features end to end: $adapter', ({ adapter, available }) => {
	const fixture = useGiveawayBot({ adapter, available, redisDatabase: 1, guildName: 'Giveaway features', users: ['admin'] });
	const { openData, answer, startGiveaway, giveawayMessages, giveawayMessage, description, announcements, clickEnter, waitForEnd } = fixture;
	let emulator: DiscordEmulator;
	let bot: BotProcess;
	let guildId: string;
	let channelId: string;
	let admin: string;

	beforeAll(() => {
		({ emulator, bot, guildId, channelId, admin } = fixture);
	});

	it.skipIf(!available)('shows bonus entries on the message, counts them at Enter, and draws among the entries', async () => {
		const booster = emulator.createRole(guildId, { name: 'Booster' });
		const vip = emulator.createRole(guildId, { name: 'VIP' });
		const [both, plain] = ['both', 'plain'].map((username) => emulator.createUser({ username }).id) as [string, string];
		emulator.addMember(guildId, both, { roles: [booster.id, vip.id] });
		emulator.addMember(guildId, plain);
		const stacked = await startGiveaway({
			prize: 'Stacked',
			duration: '5s',
			winners: 1,
			'bonus-roles': `<@&${booster.id}> x2, <@&${vip.id}> x3`
		});
		expect(description(stacked)).toContain(`Bonus entries: <@&${booster.id}> ×2, <@&${vip.id}> ×3 (they add up)`);
		expect(await clickEnter(stacked, both)).toMatch(/You entered .* with 4 entries/);
		expect(await clickEnter(stacked, plain)).toMatch(/You entered the giveaway for \*\*Stacked\*\*\. Good luck!/);
		const highest = await startGiveaway({
			prize: 'Highest',
			duration: '1h',
			winners: 1,
			'bonus-roles': `<@&${booster.id}> x2, <@&${vip.id}> x3`,
			'bonus-mode': 'highest'
		});
		expect(description(highest)).toContain('(the highest counts)');
		expect(await clickEnter(highest, both)).toMatch(/with 3 entries/);
		expect(mentioned((await waitForEnd(stacked)).content)).toHaveLength(1);
		// The host gets the entrant list by DM at the end, once.
		const dm = await emulator.waitForDm(admin, (message) => message.content.includes(`(giveaway \`${stacked}\`, entrant list)`), 15_000);
		expect(dm.content).toMatch(/ended with 2 entrants/);
		const csv = emulator.attachmentData(dm.attachments[0]!)!.toString('utf8').trim().split('\n');
		expect(
			csv
				.slice(1)
				.map((line) => line.split(',')[2])
				.sort()
		).toEqual(['1', '4']);
		await sleep(1000);
		expect(emulator.dmMessages(admin).filter((message) => message.content.includes(`(giveaway \`${stacked}\`, entrant list)`))).toHaveLength(1);
		expect(await answer('start', { prize: 'x', duration: '1h', winners: 1, 'bonus-roles': 'everyone x2' })).toMatch(/`bonus-roles`/);
	});

	it.skipIf(!available)('with invites-during, counts only the invites made since the giveaway started', async () => {
		const inviter = emulator.createUser({ username: 'inviter' }).id;
		emulator.addMember(guildId, inviter);
		const code = `inv${adapter}`;
		emulator.createInvite(guildId, { code, inviterId: inviter });
		await sleep(500);
		// Two invites before the giveaway: enough for a plain min-invites of 2, none made during the giveaway.
		for (const username of ['early1', 'early2']) emulator.joinViaInvite(guildId, code, { username });
		await eventually(async () => (await inviteCount(inviter)).includes('2 invites'), 'the two early invites to count', 15_000);
		const id = await startGiveaway({ prize: 'Recruiters', duration: '1h', winners: 1, 'min-invites': 1, 'invites-during': true });
		expect(description(id)).toContain('At least 1 invite made during the giveaway');
		expect(await clickEnter(id, inviter)).toBe('You need at least 1 invite made since this giveaway started (you have 0).');
		emulator.joinViaInvite(guildId, code, { username: 'during1' });
		await eventually(async () => (await inviteCount(inviter)).includes('3 invites'), 'the invite made during the giveaway to count', 15_000);
		expect(await clickEnter(id, inviter)).toMatch(/You entered/);
	});

	/** What /invites says about a member: "<@id> has 2 invites (…)". */
	async function inviteCount(userId: string): Promise<string> {
		const handle = emulator.runCommand({ guildId, channelId, userId, name: 'invites', options: {}, memberPermissions: MEMBER });
		const first = await handle.reply();
		const message = first.deferred ? await handle.waitForEdit(() => true, 15_000) : first;
		return String((message.embeds[0] as any)?.description ?? '');
	}

	it.skipIf(!available)(
		'a scheduled giveaway appears at its start time, once, even when the bot is killed while it waits',
		async () => {
			const entrant = emulator.createUser({ username: 'early-bird' }).id;
			emulator.addMember(guildId, entrant);
			const id = await startGiveaway({ prize: 'Later', duration: '4s', winners: 1, 'starts-in': '4s' });
			expect(giveawayMessages(id)).toHaveLength(0);
			await bot.stop('SIGKILL');
			await sleep(4500);
			expect(giveawayMessages(id)).toHaveLength(0);
			await bot.start();
			await eventually(() => Promise.resolve(giveawayMessages(id).length > 0), 'the scheduled giveaway to appear', 20_000);
			expect(description(id)).toMatch(/Ends <t:/);
			expect(await clickEnter(id, entrant)).toMatch(/You entered/);
			expect(mentioned((await waitForEnd(id)).content)).toEqual([entrant]);
			await bot.restart('SIGKILL');
			await bot.waitForLog(/Giveaways ready/);
			expect(giveawayMessages(id)).toHaveLength(1);
			expect(announcements(id)).toHaveLength(1);
		},
		90_000
	);

	it.skipIf(!available)(
		'after a crash between posting a scheduled giveaway and recording it, finds the message instead of posting again',
		async () => {
			const id = await startGiveaway({ prize: 'Posted once', duration: '1h', winners: 1, 'starts-in': '1h' });
			await bot.stop('SIGKILL');
			// The message the dead holder posted (the bot's own, with the giveaway's footer), sent through the REST API as the bot.
			const response = await fetch(`${emulator.apiUrl}/v10/channels/${channelId}/messages`, {
				method: 'POST',
				headers: { authorization: 'Bot test-token', 'content-type': 'application/json' },
				body: JSON.stringify({ embeds: [{ title: '🎉 Posted once', footer: { text: `Giveaway ID: ${id}` } }] })
			});
			expect(response.status).toBe(200);
			const sent = (await response.json()) as ApiMessage;
			// What a start holder killed right after Discord accepted the message leaves: claim, intent, no message id.
			const storage = await openData();
			const record = (await storage.namespace<Giveaway>(GIVEAWAY_NAMESPACE).get(id))!;
			const now = Date.now();
			await storage.namespace<Giveaway>(GIVEAWAY_NAMESPACE).set(id, {
				...record,
				startsAt: now - 2000,
				claim: { token: 'dead', owner: 'killed-process', at: now - 60_000 },
				post: { nonce: 'dead-nonce', startedAt: now - 1000, messageId: null, failure: null }
			});
			await storage.close();
			await bot.start();
			await bot.waitForLog(new RegExp(`Giveaway ${id}: its message .* found in the channel`), 30_000);
			await eventually(() => Promise.resolve(description(id).includes('Ends <t:')), 'the found message to be shown as running', 20_000);
			expect(giveawayMessages(id).map((message) => message.id)).toEqual([sent.id]);
		},
		90_000
	);

	it.skipIf(!available)(
		'edit changes prize, winners, end and requirements; the message shows it; entrants who no longer qualify do not win',
		async () => {
			const vip = emulator.createRole(guildId, { name: 'Edited VIP' });
			const [kept, dropped] = ['kept', 'dropped'].map((username) => emulator.createUser({ username }).id) as [string, string];
			emulator.addMember(guildId, kept, { roles: [vip.id] });
			emulator.addMember(guildId, dropped);
			const id = await startGiveaway({ prize: 'Before', duration: '1h', winners: 2 });
			expect(await clickEnter(id, kept)).toMatch(/You entered/);
			expect(await clickEnter(id, dropped)).toMatch(/You entered/);
			expect(await answer('edit', { id })).toMatch(/Nothing to change/);
			expect(await answer('edit', { id, 'required-roles': `<@&${vip.id}>`, 'blocked-roles': `<@&${vip.id}>` })).toMatch(
				/cannot be both required and blocked/
			);
			expect(await answer('edit', { id, prize: 'After', winners: 1, 'ends-in': '4s', 'required-roles': `<@&${vip.id}>` })).toMatch(
				/Giveaway `\w+` \(After\) changed/
			);
			await eventually(
				() => Promise.resolve((giveawayMessage(id).embeds[0] as any)?.title === '🎉 After'),
				'the message to show the new prize',
				10_000
			);
			expect(description(id)).toContain(`Only for <@&${vip.id}>`);
			expect(description(id)).toContain('1 winner');
			expect(mentioned((await waitForEnd(id)).content)).toEqual([kept]);
			expect(await answer('edit', { id, prize: 'Too late' })).toMatch(/has ended/);
		}
	);

	it.skipIf(!available)('/giveaway entrants gives the host the entrant list as a CSV file', async () => {
		const bonus = emulator.createRole(guildId, { name: 'CSV bonus' });
		const [first, second] = ['csv-first', 'csv-second'].map((username) => emulator.createUser({ username }).id) as [string, string];
		emulator.addMember(guildId, first, { roles: [bonus.id] });
		emulator.addMember(guildId, second);
		const id = await startGiveaway({ prize: 'Listed', duration: '1h', winners: 1, 'bonus-roles': `<@&${bonus.id}> x2` });
		await clickEnter(id, first);
		await clickEnter(id, second);
		const handle = emulator.runCommand({
			guildId,
			channelId,
			userId: admin,
			name: 'giveaway',
			subcommand: 'entrants',
			options: { id },
			memberPermissions: ADMIN
		});
		expect((await handle.reply()).ephemeral).toBe(true);
		const reply = await handle.waitForEdit((message) => message.attachments.length > 0, 15_000);
		expect(reply.content).toBe(`2 entrants of giveaway \`${id}\` (Listed).`);
		expect(reply.attachments[0]!.filename).toBe(`giveaway-${id}-entrants.csv`);
		const lines = emulator.attachmentData(reply.attachments[0]!)!.toString('utf8').trim().split('\n');
		expect(lines[0]).toBe('"user_id","entered_at","entries","won"');
		expect(lines.slice(1).map((line) => line.split(',').map((cell) => cell.replaceAll('"', '')))).toEqual([
			[first, expect.stringMatching(/^\d{4}-/), '2', 'no'],
			[second, expect.stringMatching(/^\d{4}-/), '1', 'no']
		]);
		// Members who are not hosts get no list.
		const denied = emulator.runCommand({
			guildId,
			channelId,
			userId: second,
			name: 'giveaway',
			subcommand: 'entrants',
			options: { id },
			memberPermissions: MEMBER
		});
		const deniedReply = await denied.reply();
		expect(deniedReply.deferred ? (await denied.waitForEdit(() => true)).content : deniedReply.content).toMatch(/Manage Server/);
	});

	it.skipIf(!available)('a drop: the first members to enter win at once, announced once', async () => {
		const [one, two, three] = ['drop-one', 'drop-two', 'drop-three'].map((username) => emulator.createUser({ username }).id) as [
			string,
			string,
			string
		];
		for (const userId of [one, two, three]) emulator.addMember(guildId, userId);
		const id = await startGiveaway({ prize: 'Dropped', duration: '1h', winners: 2, drop: true });
		expect(description(id)).toContain('**Drop**: the first 2 members to enter win');
		expect(await clickEnter(id, one)).toMatch(/You entered/);
		expect(await clickEnter(id, one)).toMatch(/already in this drop/);
		expect(await clickEnter(id, two)).toMatch(/You entered/);
		const announcement = await waitForEnd(id, 15_000);
		expect(mentioned(announcement.content)).toEqual([one, two]);
		expect(giveawayMessage(id).components).toEqual([]);
		await sleep(1000);
		expect(announcements(id)).toHaveLength(1);
	});

	// Redis keeps one set of entry keys per giveaway; data written before those sets is indexed once when the bot starts.
	if (adapter === 'redis')
		it.skipIf(!available)(
			'indexes entries written before the per-giveaway sets at start, and draws from them',
			async () => {
				const [old, fresh] = ['old-entrant', 'fresh-entrant'].map((username) => emulator.createUser({ username }).id) as [string, string];
				emulator.addMember(guildId, old);
				emulator.addMember(guildId, fresh);
				const id = await startGiveaway({ prize: 'Indexed', duration: '1h', winners: 2 });
				expect(await clickEnter(id, fresh)).toMatch(/You entered/);
				await bot.stop('SIGKILL');
				const storage = await openData();
				await storage.update<Giveaway>(GIVEAWAY_NAMESPACE, id, (record) => ({ ...record!, entryCount: 2, endsAt: Date.now() + 3000 }));
				await storage.close();
				// What an earlier version left: an entry key without its set, and no marker that the sets are complete.
				const raw = createClient({ url: fixture.redisUrl });
				await raw.connect();
				await raw.set(`supreme:${GIVEAWAY_ENTRIES_NAMESPACE}::${id}:${old}`, JSON.stringify({ value: { at: Date.now() } }));
				await raw.del(`supreme:group-index-ready:${GIVEAWAY_ENTRIES_NAMESPACE}`);
				await raw.close();
				await bot.start();
				await bot.waitForLog(/Redis: indexed \d+ keys of giveaway-entries by group/);
				expect(mentioned((await waitForEnd(id)).content).sort()).toEqual([old, fresh].sort());
			},
			90_000
		);
});
