import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../src/lib/i18n/languages.js';
import { BotProcess, DiscordEmulator } from '../harness/index.js';
import { readLanguageFiles } from '../helpers/i18n.js';

const ADMIN = PermissionFlagsBits.ManageGuild | PermissionFlagsBits.SendMessages | PermissionFlagsBits.ViewChannel;
const MEMBER = PermissionFlagsBits.SendMessages | PermissionFlagsBits.ViewChannel;
const files = readLanguageFiles();

/** Replies in the server's language, through the real bot: a German Community server, and one that picks with /language. */
describe('the server language end to end', () => {
	let emulator: DiscordEmulator;
	let bot: BotProcess;
	let dataDir: string;
	let german: string;
	let plain: string;
	let admin: string;
	let alice: string;

	beforeAll(async () => {
		emulator = await DiscordEmulator.start();
		german = emulator.createGuild({ name: 'Deutsch', community: true, preferredLocale: 'de' }).id;
		plain = emulator.createGuild({ name: 'Plain' }).id;
		admin = emulator.createUser({ username: 'admin' }).id;
		alice = emulator.createUser({ username: 'alice' }).id;
		for (const guild of [german, plain]) for (const id of [admin, alice]) emulator.addMember(guild, id);
		dataDir = mkdtempSync(join(tmpdir(), 'supreme-i18n-'));
		// DEFAULT_LANGUAGE is what a server that is not Community and chose nothing gets.
		bot = new BotProcess({
			apiUrl: emulator.apiUrl,
			dataDir,
			env: { COMMAND_GUILD_IDS: `${german},${plain}`, DEFAULT_LANGUAGE: 'es-ES' }
		});
		await bot.start();
		await bot.waitForLog(/Invite tracking ready/);
	});

	afterAll(async () => {
		if (bot?.running) await bot.stop('SIGKILL');
		await emulator?.stop();
		rmSync(dataDir, { recursive: true, force: true });
	});

	async function run(
		guildId: string,
		name: string,
		options: Record<string, string | number> = {},
		extra: { subcommand?: string; userId?: string; permissions?: bigint; locale?: string } = {}
	) {
		const handle = emulator.runCommand({
			guildId,
			userId: extra.userId ?? admin,
			name,
			options,
			memberPermissions: extra.permissions ?? ADMIN,
			...(extra.subcommand ? { subcommand: extra.subcommand } : {}),
			...(extra.locale ? { locale: extra.locale } : {})
		});
		return handle.answer();
	}

	it("answers in a Community server's language: /invites, the /reset-invites confirmation, and a refusal", async () => {
		const invites = await run(german, 'invites', { user: alice });
		expect(invites.embeds[0]?.title).toBe('Einladungen');
		expect(invites.embeds[0]?.description).toBe(`<@${alice}> hat 0 Einladungen (0 regulär, 0 gegangen, 0 gefälscht, 0 Bonus).`);

		const reset = await run(german, 'reset-invites');
		expect(reset.content).toBe(
			'Das setzt die Einladungen aller Mitglieder dieses Servers zurück. Vorher wird eine Sicherung erstellt. Bestätige innerhalb von 5 Minuten.'
		);
		const buttons = (reset.components[0] as { components: Array<{ label?: string }> }).components;
		expect(buttons.map((button) => button.label)).toEqual(['Zurücksetzen', 'Abbrechen']);

		// The server speaks one language: a member whose client is in English still reads German.
		const refusal = await run(german, 'reset-invites', {}, { userId: alice, permissions: MEMBER, locale: 'en-US' });
		expect(refusal.ephemeral).toBe(true);
		expect(refusal.content).toBe('Dir fehlt folgende Berechtigung für diesen Befehl: Server verwalten');
	});

	it('runs a giveaway in German: the reply, the message and its button, a refusal, /data-status', async () => {
		const channelId = emulator.state.guilds.get(german)!.systemChannelId!;
		const start = emulator.runCommand({
			guildId: german,
			channelId,
			userId: admin,
			name: 'giveaway',
			subcommand: 'start',
			options: { prize: 'Nitro', duration: '2h30m', winners: 2, 'min-account-age': '30d' },
			memberPermissions: ADMIN
		});
		const started = (await start.answer()).content;
		expect(started).toMatch(/^Giveaway `\w+` läuft in <#\d+>; es endet <t:\d+:R>\.$/);
		const id = /`(\w+)`/.exec(started)![1]!;
		const message = emulator.messages(channelId).find((candidate) => (candidate.embeds[0] as any)?.footer?.text === `Giveaway-ID: ${id}`)!;
		const lines = String((message.embeds[0] as any).description).split('\n');
		expect(lines).toEqual([
			expect.stringMatching(/^Endet <t:\d+:R> \(<t:\d+:F>\)$/),
			`Veranstaltet von <@${admin}>`,
			'2 Gewinner',
			'Konten, die mindestens 4 Wochen, 2 Tage alt sind',
			'Teilnahmen: **0**'
		]);
		expect((message.components[0] as any).components[0].label).toBe('Teilnehmen');

		const unknown = await run(german, 'giveaway', { id: 'nope' }, { subcommand: 'end', locale: 'en-US' });
		expect(unknown.content).toBe('Auf diesem Server gibt es kein Giveaway `nope`. Siehe /giveaway list.');
		const bad = await run(german, 'giveaway', { prize: 'x', duration: 'bald', winners: 1 }, { subcommand: 'start' });
		expect(bad.content).toBe('„bald“ ist keine Dauer; schreib sie etwa als 30s, 10m, 1h30m oder 2d.');

		const status = await run(german, 'data-status');
		expect(status.embeds[0]?.title).toBe('Datenstatus');
		expect(JSON.stringify(status.embeds[0])).toContain('Giveaways: 1 aktiv von 1');
	});

	it('uses DEFAULT_LANGUAGE elsewhere, then the language an admin sets, and goes back on reset', async () => {
		expect((await run(plain, 'invites', { user: alice })).embeds[0]?.title).toBe('Invitaciones');

		const set = await run(plain, 'language', { language: 'fr' }, { subcommand: 'set' });
		expect(set.content).toBe('Ce serveur reçoit désormais les réponses et messages du bot en Français.');
		// French puts 0 in the singular, as Intl.PluralRules('fr') does.
		expect((await run(plain, 'invites', { user: alice })).embeds[0]?.description).toContain('a 0 invitation (0 normales');

		// The choice is stored: it outlives a restart.
		await bot.stop('SIGTERM');
		await bot.start();
		await bot.waitForLog(/Invite tracking ready/);
		expect((await run(plain, 'language', {}, { subcommand: 'show' })).content).toBe('Le bot parle Français ici (choisie avec /language set).');

		const reset = await run(plain, 'language', {}, { subcommand: 'reset' });
		expect(reset.content).toBe('Se quitó la elección de idioma: el bot habla ahora Español aquí (el idioma predeterminado del bot).');
		expect((await run(german, 'language', {}, { subcommand: 'show' })).content).toBe(
			'Der Bot spricht hier Deutsch (die Sprache des Servers in seinen Community-Einstellungen).'
		);
	});

	it('registers every described command with its texts in every language, and every text of the files is used', () => {
		const registered = new Map(emulator.commands(german).map((command) => [command.name, command]));
		const problems: string[] = [];
		const check = (node: any, texts: Record<string, any>, path: string) => {
			for (const language of LANGUAGES) {
				const expected = path.split('.').reduce<any>((value, key) => value?.[key], files[language]!.commands)?.description;
				if (node.description_localizations?.[language] !== expected)
					problems.push(`${path} ${language}: ${node.description_localizations?.[language]}`);
			}
			for (const choice of node.choices ?? [])
				if (choice.name_localizations?.de !== texts.choices?.[choice.value]) problems.push(`${path} choice ${choice.value}`);
			const children = new Map((node.options ?? []).map((option: any) => [option.name, option]));
			for (const [name, child] of Object.entries(texts.options ?? {})) {
				if (children.has(name)) check(children.get(name), child as Record<string, any>, `${path}.options.${name}`);
				else problems.push(`${path}.options.${name} is in the files but not registered`);
			}
		};
		for (const [name, texts] of Object.entries(files.de!.commands as Record<string, any>)) {
			const command = registered.get(name);
			if (command) check(command, texts, name);
			else problems.push(`/${name} is in the files but not registered`);
		}
		expect(problems).toEqual([]);
		expect(registered.get('invites')?.description).toBe("Show a member's invite counts");
		expect((registered.get('invites')?.description_localizations as Record<string, string>).de).toBe('Zeigt die Einladungen eines Mitglieds');
	});
});
