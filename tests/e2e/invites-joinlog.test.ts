import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotProcess, DiscordEmulator } from '../harness/index.js';
import { eventually } from '../helpers/eventually.js';
import { invitesReader } from '../helpers/invites.js';

const ADMIN = PermissionFlagsBits.ManageGuild | PermissionFlagsBits.SendMessages | PermissionFlagsBits.ViewChannel;
const DAY = 24 * 3600_000;

/** Issue 19: the staff join log, milestone announcements, rank-role modes and the extra fake rules, through the real bot. */
describe('join log, milestones and fake rules end to end', () => {
	let emulator: DiscordEmulator;
	let bot: BotProcess;
	let dataDir: string;
	let guildId: string;
	let channelId: string;
	let admin: string;
	const inviters = new Map<string, { id: string; code: string }>();

	beforeAll(async () => {
		emulator = await DiscordEmulator.start();
		const guild = emulator.createGuild({ name: 'Joins', vanity: 'cool' });
		guildId = guild.id;
		channelId = guild.systemChannelId!;
		admin = emulator.createUser({ username: 'admin' }).id;
		emulator.addMember(guildId, admin);
		// Inviters are members before the bot starts: joins seeded later would be found by the next start's catch-up.
		for (const name of ['dana', 'erin', 'fay', 'gus', 'hal', 'ivy']) {
			const { id } = emulator.createUser({ username: name });
			emulator.addMember(guildId, id);
			emulator.createInvite(guildId, { code: `${name}-code`, inviterId: id });
			inviters.set(name, { id, code: `${name}-code` });
		}
		dataDir = mkdtempSync(join(tmpdir(), 'supreme-joinlog-'));
		bot = new BotProcess({ apiUrl: emulator.apiUrl, dataDir, storageAdapter: 'file', env: { COMMAND_GUILD_IDS: guildId } });
		await bot.start();
		await bot.waitForLog(/Invite tracking ready/);
	});

	afterAll(async () => {
		if (bot?.running) await bot.stop('SIGKILL');
		await emulator?.stop();
		rmSync(dataDir, { recursive: true, force: true });
	});

	async function config(subcommand: string, options: Record<string, string | number | boolean> = {}) {
		const handle = emulator.runCommand({
			guildId,
			channelId,
			userId: admin,
			name: 'invite-config',
			subcommand,
			options,
			memberPermissions: ADMIN
		});
		const reply = await handle.answer();
		return { text: JSON.stringify(reply.embeds[0] ?? reply.content), content: reply.content };
	}

	const expectInvites = (userId: string, expected: string) =>
		invitesReader(emulator, { guildId, channelId, asker: admin, permissions: ADMIN }).expectInvites(userId, expected);

	/** An inviter who is a member, with an invite of their own (`<name>-code`). */
	const inviter = (name: string) => inviters.get(name)!;

	const lines = (channel: string) => emulator.messages(channel).map((message) => message.content);
	const linesAbout = (channel: string, memberId: string) => lines(channel).filter((line) => line.includes(`<@${memberId}>`));

	it('writes one line per join and leave, with how and why, in order, once across a restart; a missing permission is reported', async () => {
		const staff = emulator.createChannel(guildId, { name: 'staff' }).id;
		const on = await config('log-channel', { channel: staff });
		expect(on.text).toContain(`"name":"Join log","value":"<#${staff}>"`);
		const dana = inviter('dana');

		const m1 = emulator.joinViaInvite(guildId, dana.code, { username: 'm1' }).id;
		await expectInvites(dana.id, '1 invite (1 regular');
		const joined = await emulator.waitForMessage(staff, (message) => message.content.includes(`<@${m1}>`));
		expect(joined.content).toMatch(
			new RegExp(`^📥 <@${m1}> \\(m1\\) joined · account created <t:\\d+:R> · invited by <@${dana.id}> with \`dana-code\` \\(1 use\\)$`)
		);

		const young = emulator.joinViaInvite(guildId, dana.code, { username: 'young', createdAt: new Date(Date.now() - 3600_000) }).id;
		await expectInvites(dana.id, '1 invite (2 regular, 0 left, 1 fake');
		const vanity = emulator.joinViaVanity(guildId, { username: 'v' }).id;
		await emulator.waitForMessage(staff, (message) => message.content.includes(`<@${vanity}>`));
		const unknown = emulator.joinUnknown(guildId, { username: 'u' }).id;
		await emulator.waitForMessage(staff, (message) => message.content.includes(`<@${unknown}>`));
		const robot = emulator.addBot(guildId, { username: 'robot' }).id;
		await emulator.waitForMessage(staff, (message) => message.content.includes(`<@${robot}>`));
		emulator.leave(guildId, m1);
		await emulator.waitForMessage(staff, (message) => message.content.includes(`<@${m1}>`) && message.content.startsWith('📤'));

		expect(linesAbout(staff, young)[0]).toMatch(/invited by .* \(2 uses\) · ⚠️ counted as fake: young account$/);
		expect(linesAbout(staff, vanity)[0]).toMatch(/through the vanity URL `cool` \(1 use\)$/);
		expect(linesAbout(staff, robot)[0]).toMatch(/a bot added by OAuth$/);
		expect(linesAbout(staff, unknown)[0]).toMatch(/joined · account created <t:\d+:R> · by an unknown way$/);
		expect(linesAbout(staff, m1)).toEqual([
			joined.content,
			expect.stringMatching(new RegExp(`^📤 <@${m1}> \\(m1\\) left · account created <t:\\d+:R> · joined <t:\\d+:R> · inviter: <@${dana.id}>$`))
		]);

		// A join and its leave at once: the leave's line comes after the join's (the invite stream's order).
		const quick = emulator.joinViaInvite(guildId, dana.code, { username: 'quick' }).id;
		emulator.leave(guildId, quick);
		await eventually(() => Promise.resolve(linesAbout(staff, quick).length === 2), 'both lines of the quick member');
		expect(linesAbout(staff, quick).map((line) => line.slice(0, 2))).toEqual(['📥', '📤']);

		// Nothing is posted twice after a crash and a start.
		const before = lines(staff).length;
		await bot.restart('SIGKILL');
		await bot.waitForLog(/Invite tracking ready/);
		const after = emulator.joinViaInvite(guildId, dana.code, { username: 'after' }).id;
		await emulator.waitForMessage(staff, (message) => message.content.includes(`<@${after}>`));
		expect(lines(staff).length).toBe(before + 1);

		// The bot may not post there any more: tracking goes on, the problem is shown, and it clears once fixed.
		emulator.setChannelOverwrites(staff, [{ id: emulator.botUser.id, type: 'member', deny: PermissionFlagsBits.SendMessages }]);
		const blocked = emulator.joinViaInvite(guildId, dana.code, { username: 'blocked' }).id;
		await expectInvites(dana.id, '2 invites (5 regular, 2 left, 1 fake');
		await bot.waitForLog(/Join log messages in guild \d+ \(Joins\) are not being sent: the bot lacks Send Messages in #staff/);
		let shown = '';
		await eventually(async () => (shown = (await config('show')).text).includes('not sent since'), 'the problem in /invite-config show');
		expect(shown).toMatch(/<#\d+>\\n⚠️ not sent since <t:\d+:R>: the bot lacks Send Messages in #staff \(1 message missed\)/);
		expect(linesAbout(staff, blocked)).toEqual([]);
		emulator.setChannelOverwrites(staff, []);
		const fixed = emulator.joinViaInvite(guildId, dana.code, { username: 'fixed' }).id;
		await emulator.waitForMessage(staff, (message) => message.content.includes(`<@${fixed}>`));
		await eventually(async () => !(await config('show')).text.includes('not sent since'), 'the problem to clear');

		// The server's language, and off.
		await emulator
			.runCommand({
				guildId,
				channelId,
				userId: admin,
				name: 'language',
				subcommand: 'set',
				options: { language: 'de' },
				memberPermissions: ADMIN
			})
			.answer();
		const german = emulator.joinViaInvite(guildId, dana.code, { username: 'german' }).id;
		const line = await emulator.waitForMessage(staff, (message) => message.content.includes(`<@${german}>`));
		expect(line.content).toMatch(/ist beigetreten · Konto erstellt <t:\d+:R> · eingeladen von .* \(\d+ Nutzungen\)$/);
		// Two inviters' joins at once: a burst, each line naming the possible inviters and whose share it carries.
		const ivy = inviter('ivy');
		const burst = [
			emulator.joinViaInvite(guildId, dana.code, { username: 'b1' }).id,
			emulator.joinViaInvite(guildId, ivy.code, { username: 'b2' }).id
		];
		await eventually(() => Promise.resolve(burst.every((id) => linesAbout(staff, id).length === 1)), 'the burst lines');
		const candidates = [dana.id, ivy.id]
			.sort()
			.map((id) => `<@${id}>`)
			.join(', ');
		for (const id of burst)
			expect(linesAbout(staff, id)[0]).toMatch(
				new RegExp(`während eines Beitrittsansturms: einer von ${candidates}, als Anteil von <@(${dana.id}|${ivy.id})> gezählt$`)
			);
		await emulator.runCommand({ guildId, channelId, userId: admin, name: 'language', subcommand: 'reset', memberPermissions: ADMIN }).answer();
		expect((await config('log-channel')).text).toContain('"name":"Join log","value":"off"');
		const silent = emulator.joinViaInvite(guildId, dana.code, { username: 'silent' }).id;
		await expectInvites(dana.id, '6 invites (9 regular');
		expect(linesAbout(staff, silent)).toEqual([]);
		expect(emulator.unknownRoutes).toEqual([]);
	});

	it('announces each milestone once: rank roles and numbers, not again after a restart or when the total drops and rises', async () => {
		const hall = emulator.createChannel(guildId, { name: 'hall' }).id;
		const recruiter = emulator.createRole(guildId, { name: 'Recruiter' }).id;
		expect((await config('milestone-numbers', { numbers: '1' })).content).toBe(
			'Milestone announcements are off: choose their channel first with /invite-config milestones.'
		);
		await config('milestones', { channel: hall });
		const set = await config('milestone-numbers', { numbers: '1, 3' });
		expect(set.text).toContain('Numbers: 1, 3 (and every rank role)');
		await config('rank-role-add', { invites: 2, role: recruiter });
		const erin = inviter('erin');

		const a = emulator.joinViaInvite(guildId, erin.code, { username: 'a' }).id;
		const first = await emulator.waitForMessage(hall, (message) => message.content.includes(`<@${erin.id}>`));
		expect(first.content).toBe(`🎉 <@${erin.id}> reached 1 invite! Total: 1.`);
		emulator.joinViaInvite(guildId, erin.code, { username: 'b' });
		await emulator.waitForMessage(hall, (message) => message.content.includes('reached 2'));
		expect(lines(hall).at(-1)).toBe(`🎉 <@${erin.id}> reached 2 invites and earned <@&${recruiter}>! Total: 2.`);
		await eventually(() => Promise.resolve(emulator.memberRoles(guildId, erin.id).includes(recruiter)), 'the rank role');

		// Down to 1 and back to 2: no second announcement of 2.
		emulator.leave(guildId, a);
		await expectInvites(erin.id, '1 invite (2 regular, 1 left');
		emulator.joinViaInvite(guildId, erin.code, { username: 'c' });
		await expectInvites(erin.id, '2 invites (3 regular, 1 left');
		await bot.restart('SIGKILL');
		await bot.waitForLog(/Invite tracking ready/);
		await config('milestones', { channel: hall, template: '{inviterName} has {total} ({milestone}) in {server}{role}' });
		emulator.joinViaInvite(guildId, erin.code, { username: 'd' });
		await emulator.waitForMessage(hall, (message) => message.content.startsWith('erin has'));
		expect(lines(hall)).toEqual([first.content, expect.stringContaining('reached 2'), 'erin has 3 (3) in Joins']);

		const unknown = await config('milestones', { channel: hall, template: 'Yay {who}' });
		expect(unknown.content).toBe('Unknown placeholders {who}. Valid placeholders: {inviter} {inviterName} {total} {milestone} {role} {server}');
		expect((await config('milestone-numbers', { numbers: '5, -2' })).content).toMatch(/^Give up to 25 whole numbers from 1 to 1,000,000/);
		expect((await config('show')).text).toContain('{inviterName} has {total} ({milestone}) in {server}{role}');
		// A long template is shortened in /invite-config show: an embed field holds 1024 characters.
		const long = await config('milestones', { channel: hall, template: `{inviter} ${'x'.repeat(1900)}` });
		expect(long.text).toContain('Milestone announcements');
		expect(long.text).toContain('…');
		// A template alone keeps the channel and the numbers; while announcements are off it is refused (review 19 P3.13).
		const kept = await config('milestones', { template: 'Now {total}' });
		expect(kept.text).toContain(`<#${hall}>`);
		expect(kept.text).toContain('Numbers: 1, 3 (and every rank role)');
		expect(kept.text).toContain('Now {total}');
		await config('milestones');
		expect((await config('milestones', { template: 'Now {total}' })).content).toBe(
			'Milestone announcements are off: choose their channel first with /invite-config milestones.'
		);
		expect((await config('show')).text).toContain('"name":"Milestone announcements","value":"off"');
		await config('rank-role-remove', { role: recruiter });
	});

	it('rank-role mode highest keeps only the highest role reached; stack keeps them all; a rule change applies at once', async () => {
		const bronze = emulator.createRole(guildId, { name: 'Bronze' }).id;
		const silver = emulator.createRole(guildId, { name: 'Silver' }).id;
		await config('rank-role-add', { invites: 1, role: bronze });
		await config('rank-role-add', { invites: 2, role: silver });
		const shown = await config('rank-role-mode', { mode: 'highest' });
		expect(shown.text).toContain('"name":"Rank role mode","value":"highest (only the highest role reached)"');
		const fay = inviter('fay');
		const roles = () => emulator.memberRoles(guildId, fay.id).filter((role) => role === bronze || role === silver);
		emulator.joinViaInvite(guildId, fay.code, { username: 'f1' });
		await eventually(() => Promise.resolve(roles().join() === bronze), 'bronze at 1');
		emulator.joinViaInvite(guildId, fay.code, { username: 'f2' });
		await eventually(() => Promise.resolve(roles().join() === silver), 'only silver at 2');
		// A change of the rules applies to inviters at once, not at their next join.
		await config('rank-role-mode', { mode: 'stack' });
		await eventually(() => Promise.resolve(roles().sort().join() === [bronze, silver].sort().join()), 'both roles in stack mode');
		const gold = emulator.createRole(guildId, { name: 'Gold' }).id;
		await config('rank-role-add', { invites: 2, role: gold });
		await eventually(() => Promise.resolve(emulator.memberRoles(guildId, fay.id).includes(gold)), 'gold, added at a total fay has');
		await config('rank-role-mode', { mode: 'highest' });
		await eventually(() => Promise.resolve(!emulator.memberRoles(guildId, fay.id).includes(bronze)), 'bronze taken in highest mode');
		expect(emulator.memberRoles(guildId, fay.id)).toEqual(expect.arrayContaining([silver, gold]));
		await config('rank-role-mode', { mode: 'stack' });
		for (const role of [bronze, silver, gold]) await config('rank-role-remove', { role });
	});

	it('fake rules: no avatar, left within minutes (fake instead of left), and the rejoin policy keep the counts consistent', async () => {
		const staff = emulator.createChannel(guildId, { name: 'staff2' }).id;
		await config('log-channel', { channel: staff });
		await config('fake-without-avatar', { enabled: true });
		const gus = inviter('gus');
		const plain = emulator.joinViaInvite(guildId, gus.code, { username: 'plain', createdAt: new Date(Date.now() - 400 * DAY) }).id;
		await expectInvites(gus.id, '0 invites (1 regular, 0 left, 1 fake');
		const pictured = emulator.joinViaInvite(guildId, gus.code, {
			username: 'pictured',
			createdAt: new Date(Date.now() - 400 * DAY),
			avatar: 'a1b2c3d4e5f60718293a4b5c6d7e8f90'
		}).id;
		await expectInvites(gus.id, '1 invite (2 regular, 0 left, 1 fake');
		expect(linesAbout(staff, plain)[0]).toMatch(/counted as fake: no avatar$/);
		await config('fake-without-avatar', { enabled: false });

		const shown = await config('fake-left-within', { minutes: 5 });
		expect(shown.text).toContain('"name":"Left soon after joining counts as fake","value":"within 5 minutes"');
		const brief = emulator.joinViaInvite(guildId, gus.code, { username: 'brief' }).id;
		await expectInvites(gus.id, '2 invites (3 regular, 0 left, 1 fake');
		emulator.leave(guildId, brief);
		// Counted as fake, not as left: the total drops by one either way, never by two.
		await expectInvites(gus.id, '1 invite (3 regular, 0 left, 2 fake');
		await eventually(() => Promise.resolve(linesAbout(staff, brief).length === 2), 'the leave line');
		expect(linesAbout(staff, brief)[1]).toMatch(/inviter: <@\d+> · ⚠️ counted as fake: left soon after joining$/);
		const who = await emulator
			.runCommand({ guildId, channelId, userId: admin, name: 'who-invited', options: { user: brief }, memberPermissions: ADMIN })
			.answer();
		expect(String(who.embeds[0]?.description)).toContain('Counted as a fake invite: left soon after joining.');
		// Back through the same inviter: the quick leave is taken back.
		emulator.joinViaInvite(guildId, gus.code, brief);
		await expectInvites(gus.id, '2 invites (3 regular, 0 left, 1 fake');
		await config('fake-left-within', { minutes: 0 });

		// Rejoin through another inviter: moves by default, stays with the first under keep-first.
		const hal = inviter('hal');
		emulator.leave(guildId, pictured);
		await expectInvites(gus.id, '1 invite (3 regular, 1 left, 1 fake');
		emulator.joinViaInvite(guildId, hal.code, pictured);
		await expectInvites(hal.id, '1 invite (1 regular, 0 left');
		await expectInvites(gus.id, '1 invite (2 regular, 0 left, 1 fake');

		const keep = await config('rejoin-policy', { policy: 'keep-first' });
		expect(keep.text).toContain('"name":"Rejoin through another inviter","value":"stays with the first inviter"');
		emulator.leave(guildId, pictured);
		await expectInvites(hal.id, '0 invites (1 regular, 1 left');
		emulator.joinViaInvite(guildId, gus.code, pictured);
		await expectInvites(hal.id, '1 invite (1 regular, 0 left');
		await expectInvites(gus.id, '1 invite (2 regular, 0 left, 1 fake');

		const all = (await config('show')).text;
		for (const name of ['No avatar counts as fake', 'Left soon after joining counts as fake', 'Rejoin through another inviter'])
			expect(all).toContain(`"name":"${name}"`);
		expect(emulator.unknownRoutes).toEqual([]);
	});
});
