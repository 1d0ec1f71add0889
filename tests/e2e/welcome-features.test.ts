import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotProcess, DiscordEmulator } from '../harness/index.js';
import { eventually } from '../helpers/eventually.js';

const ADMIN = PermissionFlagsBits.ManageGuild | PermissionFlagsBits.SendMessages | PermissionFlagsBits.ViewChannel;
const CREATED = new Date(Date.UTC(2020, 0, 15, 12));
const ENDINGS: Record<string, string> = { one: 'st', two: 'nd', few: 'rd', other: 'th' };
const englishOrdinal = (count: number) => `${count}${ENDINGS[new Intl.PluralRules('en-US', { type: 'ordinal' }).select(count)]}`;

/** The designed welcome of issue 19 through the real bot: variants by how a member came and the new placeholders. */
describe('welcome variants and placeholders end to end', () => {
	let emulator: DiscordEmulator;
	let bot: BotProcess;
	let dataDir: string;
	let guildId: string;
	let channel: string;
	let admin: string;
	let alice: string;

	beforeAll(async () => {
		emulator = await DiscordEmulator.start();
		guildId = emulator.createGuild({ name: 'Harbour', vanity: 'harbour', vanityUses: 7 }).id;
		channel = emulator.createChannel(guildId, { name: 'welcome' }).id;
		admin = emulator.createUser({ username: 'admin' }).id;
		alice = emulator.createUser({ username: 'alice' }).id;
		for (const id of [admin, alice]) emulator.addMember(guildId, id);
		emulator.createInvite(guildId, { code: 'alice1', inviterId: alice, uses: 4 });
		dataDir = mkdtempSync(join(tmpdir(), 'supreme-welcome-features-'));
		bot = new BotProcess({ apiUrl: emulator.apiUrl, dataDir, env: { COMMAND_GUILD_IDS: guildId } });
		await bot.start();
		await bot.waitForLog(/Invite tracking ready/);
	});

	afterAll(async () => {
		if (bot?.running) await bot.stop('SIGKILL');
		await emulator?.stop();
		rmSync(dataDir, { recursive: true, force: true });
	});

	async function command(name: string, options: Record<string, string | number | boolean> = {}) {
		const handle = emulator.runCommand({ guildId, userId: admin, name, options, memberPermissions: ADMIN });
		return { handle, reply: await handle.answer() };
	}

	const welcomeOf = (userId: string) => emulator.waitForMessage(channel, (message) => JSON.stringify(message).includes(`<@${userId}>`), 15_000);

	it('refuses a variant with an unknown placeholder or one that could exceed the limit, naming the option', async () => {
		const unknown = (await command('setup-welcome', { channel, message: 'Hi {user}', 'vanity-message': 'Hi {user} via {vanity}' })).reply;
		expect(unknown.content).toMatch(/^The vanity-message: Unknown placeholder \{vanity\}\. Valid placeholders: .*\{memberCount:ordinal\}/);
		// {inviteURL} is counted at its longest (https://discord.gg/ and a 32-character code): 1960 + 51 > 2000.
		const long = (await command('setup-welcome', { channel, message: 'Hi', 'invite-message': `${'x'.repeat(1960)}{inviteURL}` })).reply;
		expect(long.content).toMatch(/^The invite-message: The message can be up to 2,011 characters .* Discord allows 2,000 here/);
		expect(
			(await command('setup-welcome', { channel, message: 'Hi', 'bot-message': `${'x'.repeat(1990)}{memberCount:ordinal}` })).reply.content
		).toMatch(/^The bot-message: The message can be up to 2,007 characters/);
	});

	it('welcomes each member with the text for how they came, the new placeholders filled in; unset variants fall back to the main text', async () => {
		const setup = (
			await command('setup-welcome', {
				channel,
				message: 'Main {user}',
				'invite-message':
					'Invite {user} by {inviter} via {inviteURL} ({inviteUses} uses); inviter {inviterRegular}/{inviterLeft}/{inviterFake}; join {joinCount}; {memberCount:ordinal} member; created {accountCreated}',
				'vanity-message': 'Vanity {user} via {inviteURL} ({inviteUses} uses)',
				'bot-message': 'Bot {user}'
			})
		).reply;
		expect(setup.content).toBe(
			`Welcome messages will go to <#${channel}> (own texts for: invite, vanity, bot). Try it with \`/welcome-test kind:welcome\`.`
		);

		const bob = emulator.joinViaInvite(guildId, 'alice1', { username: 'bob', createdAt: CREATED }).id;
		let members = emulator.guild(guildId)!.members.size;
		expect((await welcomeOf(bob)).content).toBe(
			`Invite <@${bob}> by <@${alice}> via https://discord.gg/alice1 (5 uses); inviter 1/0/0; join 1; ${englishOrdinal(members)} member; created January 15, 2020`
		);

		const carol = emulator.joinViaVanity(guildId, { username: 'carol' }).id;
		expect((await welcomeOf(carol)).content).toBe(`Vanity <@${carol}> via https://discord.gg/harbour (8 uses)`);
		const dave = emulator.joinUnknown(guildId, { username: 'dave' }).id;
		expect((await welcomeOf(dave)).content).toBe(`Main <@${dave}>`);
		const robot = emulator.addBot(guildId, { username: 'robot' }).id;
		expect((await welcomeOf(robot)).content).toBe(`Bot <@${robot}>`);

		// Bob leaves and comes back through the same invite: his second join, alice's left count.
		emulator.leave(guildId, bob);
		emulator.joinViaInvite(guildId, 'alice1', bob);
		members = emulator.guild(guildId)!.members.size;
		const again = await emulator.waitForMessage(
			channel,
			(message) => message.content.includes(`<@${bob}>`) && message.content.includes('join 2'),
			15_000
		);
		expect(again.content).toMatch(new RegExp(`\\(6 uses\\); inviter \\d/\\d/0; join 2; ${englishOrdinal(members)} member;`));
		expect(emulator.unknownRoutes).toEqual([]);
	});

	const designed = {
		content: 'Hello {user}',
		embeds: [
			{
				type: 'rich',
				title: 'Welcome to {server}',
				description: 'You are our {memberCount:ordinal} member',
				url: 'https://example.com/rules',
				color: 5793266,
				timestamp: '2024-01-01T00:00:00.000Z',
				footer: { text: 'Invited by {inviter}', icon_url: 'https://example.com/footer.png' },
				thumbnail: { url: '{avatar}' },
				image: { url: 'https://example.com/banner.png' },
				author: { name: '{username} arrived', icon_url: '{avatar}' },
				fields: [{ name: 'Account', value: 'created {accountCreated}', inline: true }]
			}
		]
	};

	it("refuses pasted embed JSON that breaks Discord's limits, naming the field", async () => {
		const refusal = async (json: unknown) =>
			(await command('setup-welcome', { channel, 'embed-json': typeof json === 'string' ? json : JSON.stringify(json) })).reply.content;
		expect(await refusal('{"title": ')).toMatch(/^The embed JSON cannot be used: it is not valid JSON \(/);
		expect(await refusal({ embeds: [{ title: 'a' }, { title: 'b' }] })).toBe(
			'The embed JSON cannot be used: it must hold exactly one embed, not 2.'
		);
		expect(await refusal({ title: 'x'.repeat(257), description: 'Hi' })).toBe(
			'The embed JSON cannot be used: title is longer than Discord allows (256 characters).'
		);
		expect(
			await refusal({
				description: 'Hi',
				fields: [
					{ name: 'a', value: 'b' },
					{ name: 'c', value: 'v'.repeat(1025) }
				]
			})
		).toBe('The embed JSON cannot be used: fields[1].value is longer than Discord allows (1,024 characters).');
		expect(await refusal({ description: 'Hi', thumbnail: { url: 'ftp://example.com/x.png' } })).toBe(
			'The embed JSON cannot be used: thumbnail.url must be an http(s) URL or {avatar}.'
		);
		expect(await refusal({ description: 'Hi', color: 'green' })).toBe(
			'The embed JSON cannot be used: color has the wrong type (expected: number).'
		);
		const thumbnail = (await command('setup-goodbye', { channel, message: 'Bye', thumbnail: 'ftp://example.com/x.png' })).reply;
		expect(thumbnail.content).toMatch(/^thumbnail must be an http\(s\) URL or \{avatar\}\n\nPlaceholders:/);
		expect(await refusal({ title: 'No text here' })).toBe('Give the text with message, or paste embed JSON that has a description.');
		// Every part fits alone; together, with {server} at its longest, they pass Discord's 6000.
		expect(await refusal({ title: '{server}!', description: 'd'.repeat(4000), footer: { text: 'f'.repeat(1900) } })).toMatch(
			/^The embed's texts together can be up to 6,001 characters once placeholders are filled in; Discord allows 6,000\.\n\nPlaceholders:/
		);
	});

	it('sends the designed embed pasted as JSON, refined by options, and /welcome-test shows it exactly as members get it', async () => {
		const setup = (await command('setup-welcome', { channel, 'embed-json': JSON.stringify(designed), colour: '#FF0000' })).reply;
		expect(setup.content).toBe(
			`Welcome messages will go to <#${channel}> (banner: https://example.com/banner.png, in an embed). Try it with \`/welcome-test kind:welcome\`.`
		);

		const erin = emulator.joinViaInvite(guildId, 'alice1', { username: 'erin', createdAt: CREATED }).id;
		const members = emulator.guild(guildId)!.members.size;
		const welcome = await welcomeOf(erin);
		expect(welcome.content).toBe(`Hello <@${erin}>`);
		const embed = welcome.embeds[0]! as Record<string, unknown> & { thumbnail?: { url: string }; author?: { icon_url?: string } };
		expect(embed).toMatchObject({
			title: 'Welcome to Harbour',
			description: `You are our ${englishOrdinal(members)} member`,
			url: 'https://example.com/rules',
			color: 0xff0000,
			footer: { text: `Invited by <@${alice}>`, icon_url: 'https://example.com/footer.png' },
			image: { url: 'https://example.com/banner.png' },
			author: { name: 'erin arrived' },
			fields: [{ name: 'Account', value: 'created January 15, 2020', inline: true }]
		});
		expect(embed.thumbnail?.url).toMatch(/^https:\/\/cdn\.discordapp\.com\/(embed\/)?avatars\//);
		expect(embed.author?.icon_url).toBe(embed.thumbnail?.url);
		expect(embed.timestamp).toBeTruthy();

		const { handle } = await command('welcome-test');
		const preview = await handle.waitForFollowUp((message) => message.embeds.length > 0, 10_000);
		expect(preview.ephemeral).toBe(true);
		expect(preview.content).toBe(`Hello <@${admin}>`);
		const shown = await emulator.waitForMessage(channel, (message) => message.content === `Hello <@${admin}>`, 10_000);
		const { timestamp: _shownAt, ...members_ } = shown.embeds[0]!;
		const { timestamp: _previewAt, ...previewed } = preview.embeds[0]!;
		expect(previewed).toEqual(members_);
	});

	it('designs by options too, and says goodbye with the variant for how the member came', async () => {
		const goodbye = emulator.createChannel(guildId, { name: 'goodbye' }).id;
		await command('setup-goodbye', {
			channel: goodbye,
			message: 'Bye {username}',
			'vanity-message': 'Bye {username}, who came by {inviteURL}',
			author: '{username} left',
			thumbnail: '{avatar}',
			colour: '#123456'
		});
		const gina = emulator.joinViaVanity(guildId, { username: 'gina' }).id;
		await welcomeOf(gina);
		emulator.leave(guildId, gina);
		const message = await emulator.waitForMessage(goodbye, () => true, 15_000);
		expect(message.embeds[0]).toMatchObject({
			description: 'Bye gina, who came by https://discord.gg/harbour',
			author: { name: 'gina left' },
			color: 0x123456
		});
		expect((message.embeds[0] as { thumbnail?: { url: string } }).thumbnail?.url).toMatch(/^https:\/\/cdn\.discordapp\.com\//);
	});

	const present = (messageId: string) => emulator.messages(channel).some((message) => message.id === messageId);

	it('deletes the welcome of a member who leaves within the window (a raid), and keeps the others', async () => {
		const setup = (await command('setup-welcome', { channel, message: 'Hi {user}', 'delete-if-left-within': '10m' })).reply;
		expect(setup.content).toBe(
			`Welcome messages will go to <#${channel}> (deleted if the member leaves within 10m). Try it with \`/welcome-test kind:welcome\`.`
		);
		const raider = emulator.joinViaInvite(guildId, 'alice1', { username: 'raider' }).id;
		const stayer = emulator.joinViaInvite(guildId, 'alice1', { username: 'stayer' }).id;
		const raid = await welcomeOf(raider);
		const stay = await welcomeOf(stayer);
		emulator.leave(guildId, raider);
		await emulator.waitFor(() => !present(raid.id), 10_000, "the raider's welcome to be deleted");
		expect(present(stay.id)).toBe(true);
		const refused = (await command('setup-welcome', { channel, message: 'Hi', 'delete-after': '8d' })).reply;
		expect(refused.content).toBe('delete-after: 8d is too long: delays go up to 7d.');
	});

	it('deletes a welcome after its time even across a crash: the schedule is stored, not only a timer', async () => {
		await command('setup-welcome', { channel, message: 'Briefly {user}', 'delete-after': '3s' });
		const frank = emulator.joinViaInvite(guildId, 'alice1', { username: 'frank' }).id;
		const welcome = await welcomeOf(frank);
		// The bot stores the welcome's deletion right after Discord took the message: the crash comes once it is stored.
		await eventually(
			() =>
				Promise.resolve(
					readdirSync(dataDir)
						.filter((name) => /\.(json|journal)$/.test(name))
						.some((name) => readFileSync(join(dataDir, name), 'utf8').includes(welcome.id))
				),
			'the deletion to be stored'
		);
		await bot.stop('SIGKILL');
		// Due while the bot is down: the next start finds it overdue and deletes it at once.
		await new Promise((resolve) => setTimeout(resolve, 3500));
		expect(present(welcome.id)).toBe(true);
		await bot.start();
		expect(await bot.waitForLog(/Welcome cleanup: \d+ welcome messages? watched/)).toBeTruthy();
		await emulator.waitFor(() => !present(welcome.id), 10_000, "frank's welcome to be deleted after the restart");
		expect(emulator.unknownRoutes).toEqual([]);
	});
});
