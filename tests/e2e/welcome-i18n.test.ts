import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotProcess, DiscordEmulator } from '../harness/index.js';

const ADMIN = PermissionFlagsBits.ManageGuild | PermissionFlagsBits.SendMessages | PermissionFlagsBits.ViewChannel;
const MEMBER = PermissionFlagsBits.SendMessages | PermissionFlagsBits.ViewChannel;

/** Welcome commands and messages in a German Community server, through the real bot: replies, refusals, placeholder values. */
describe('welcome, goodbye and auto-roles in the server language', () => {
	let emulator: DiscordEmulator;
	let bot: BotProcess;
	let dataDir: string;
	let guildId: string;
	let channel: string;
	let admin: string;
	let alice: string;
	let boss: string;
	let greeter: string;

	beforeAll(async () => {
		emulator = await DiscordEmulator.start();
		guildId = emulator.createGuild({ name: 'Stammtisch', community: true, preferredLocale: 'de' }).id;
		channel = emulator.createChannel(guildId, { name: 'willkommen' }).id;
		admin = emulator.createUser({ username: 'admin' }).id;
		alice = emulator.createUser({ username: 'alice' }).id;
		for (const id of [admin, alice]) emulator.addMember(guildId, id);
		greeter = emulator.createRole(guildId, { name: 'Neu' }).id;
		boss = emulator.createRole(guildId, { name: 'Chef', position: 60 }).id;
		dataDir = mkdtempSync(join(tmpdir(), 'supreme-welcome-i18n-'));
		bot = new BotProcess({ apiUrl: emulator.apiUrl, dataDir, env: { COMMAND_GUILD_IDS: guildId } });
		await bot.start();
		await bot.waitForLog(/Invite tracking ready/);
	});

	afterAll(async () => {
		if (bot?.running) await bot.stop('SIGKILL');
		await emulator?.stop();
		rmSync(dataDir, { recursive: true, force: true });
	});

	async function run(name: string, options: Record<string, string | number | boolean> = {}, extra: { subcommand?: string; userId?: string } = {}) {
		const handle = emulator.runCommand({
			guildId,
			userId: extra.userId ?? admin,
			name,
			options,
			memberPermissions: extra.userId ? MEMBER : ADMIN,
			...(extra.subcommand ? { subcommand: extra.subcommand } : {})
		});
		const reply = await handle.answer();
		return { handle, reply };
	}

	it('refuses a bad setup in German, naming the placeholders in German, and refuses members without Manage Server', async () => {
		const unknown = (await run('setup-welcome', { channel, message: 'Hallo {user} auf {guild}' })).reply;
		expect(unknown.ephemeral).toBe(true);
		expect(unknown.content).toMatch(/^Unbekannter Platzhalter \{guild\}\. Gültige Platzhalter: \{user\} \{username\}/);
		expect(unknown.content).toContain('\n\nPlatzhalter:\n`{user}` das Mitglied, erwähnt\n');
		expect((await run('setup-welcome', { channel, message: 'Hallo', colour: 'grün' })).reply.content).toBe(
			'"grün" ist keine Farbe: nutze Hex wie #57F287.'
		);
		const tooLong = (await run('setup-welcome', { channel, message: `${'x'.repeat(1995)}{server}` })).reply;
		expect(tooLong.content).toMatch(/bis zu 2\.095 Zeichen lang werden; Discord erlaubt hier 2\.000\. Kürze sie um 95\./);

		const member = (await run('setup-welcome', { channel, message: 'Hallo' }, { userId: alice })).reply;
		expect(member.content).toBe('Dir fehlt folgende Berechtigung für diesen Befehl: Server verwalten');
	});

	it('sets up in German; the welcome keeps the admin text and fills in German values; /welcome-test and /welcome-disable answer in German', async () => {
		const setup = (
			await run('setup-welcome', { channel, message: 'Hallo {user}, eingeladen von {inviter} mit {inviteCode}; Konto: {accountAge}.' })
		).reply;
		expect(setup.content).toBe(`Willkommensnachrichten gehen nach <#${channel}>. Probier es mit \`/welcome-test kind:welcome\` aus.`);

		const bob = emulator.joinUnknown(guildId, { username: 'bob' }).id;
		const welcome = await emulator.waitForMessage(channel, (message) => message.content.includes(`<@${bob}>`), 15_000);
		expect(welcome.content).toBe(`Hallo <@${bob}>, eingeladen von unbekannt mit unbekannt; Konto: 1 Jahr.`);

		const { handle } = await run('welcome-test');
		expect((await handle.waitForEdit((edit) => edit.content.length > 0, 10_000)).content).toBe(
			`Die Willkommensnachricht wurde an <#${channel}> gesendet.`
		);
		expect((await run('welcome-disable', { kind: 'both' })).reply.content).toBe(
			'Willkommensnachrichten sind jetzt aus.\nAbschiedsnachrichten waren schon aus.'
		);
		const off = await run('welcome-test', { kind: 'goodbye' });
		expect((await off.handle.waitForEdit((edit) => edit.content.length > 0, 10_000)).content).toMatch(
			/^Abschiedsnachrichten sind aus\. Richte sie mit `\/setup-goodbye` ein\./
		);
	});

	it('answers /autorole in German: its refusals, the reason a role cannot be given, and the list', async () => {
		const high = (await run('autorole', { role: boss }, { subcommand: 'add' })).reply;
		expect(high.content).toMatch(/^Chef kann keine Auto-Rolle sein: Chef liegt nicht unter der höchsten Rolle des Bots \(.+\); schiebe/);
		expect((await run('autorole', { role: greeter, delay: '8d' }, { subcommand: 'add' })).reply.content).toBe(
			'8d ist zu lang: Wartezeiten gehen bis höchstens 7d.'
		);
		expect((await run('autorole', { role: greeter, delay: '10x' }, { subcommand: 'add' })).reply.content).toBe(
			'"10x" ist keine Wartezeit: unbekannte Einheit "x". Schreib z. B. 30s, 10m, 1h30m oder 2d (höchstens 7d).'
		);
		const added = (await run('autorole', { role: greeter, for: 'humans', delay: '1h' }, { subcommand: 'add' })).reply;
		expect(added.content).toBe('Neu wird Menschen 1h nach dem Beitritt gegeben.');
		expect(added.embeds[0]).toMatchObject({
			title: 'Auto-Rollen',
			description: `<@&${greeter}> · Menschen · nach 1h`,
			fields: [{ name: 'Wartende verzögerte Vergaben', value: '0' }]
		});
		expect((await run('autorole', { role: boss }, { subcommand: 'remove' })).reply.content).toBe(
			'Chef ist keine Auto-Rolle. Siehe /autorole list.'
		);
		expect(emulator.unknownRoutes).toEqual([]);
	});
});
