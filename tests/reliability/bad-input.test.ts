import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_KEYS, ConfigError, loadConfig } from '../../src/config.js';
import { MAX_DELAY_MS, parseDelay } from '../../src/lib/autorole/delay.js';
import { MAX_DURATION_MS, MIN_DURATION_MS, parseDuration } from '../../src/lib/giveaways/duration.js';
import { BotProcess, DiscordEmulator } from '../harness/index.js';
import { GREETING_VARIANTS } from '../../src/lib/guild-settings.js';
import { explain } from '../../src/lib/templates/reasons.js';
import { parseEmbedJson } from '../../src/lib/welcome/embed.js';
import { greetingProblem } from '../../src/lib/welcome/message.js';
import { languageT } from '../helpers/i18n.js';
import { MEMBER, runAs, setUpGuild, type GuildSetup } from './_shared.js';

const RUNS = Number(process.env.RELIABILITY_PROPERTY_RUNS ?? 300);

/** Values that trip parsers: blanks, signs, units, huge numbers, URLs with passwords, control and non-ASCII characters. */
const awkward = fc.oneof(
	fc.string(),
	fc.string({ unit: 'grapheme' }),
	fc.constantFrom(
		'',
		' ',
		'0',
		'-1',
		'1e3',
		'1.5',
		'auto',
		'AUTO',
		'off',
		'99999999999999999999',
		'NaN',
		'redis://u:p@h:1/2',
		'http://x',
		'10s',
		'5s',
		'\n',
		'null',
		'[]',
		'{}'
	),
	fc.integer().map(String),
	fc.webUrl()
);

function expectOneLineNamingAKey(error: unknown): void {
	expect(error).toBeInstanceOf(ConfigError);
	const { message } = error as ConfigError;
	expect(message.split('\n')).toHaveLength(1);
	expect(message).toMatch(/^Invalid configuration: /);
	expect(
		[...CONFIG_KEYS, 'BOT_CONFIG'].some((key) => message.includes(key)) ||
			/bot\.config\.json|must contain one JSON object|is not valid JSON/.test(message),
		message
	).toBe(true);
}

describe('bad input: configuration values (property-based)', () => {
	let cwd: string;
	beforeAll(() => {
		cwd = mkdtempSync(join(tmpdir(), 'supreme-config-props-'));
	});
	afterAll(() => rmSync(cwd, { recursive: true, force: true }));

	it('loadConfig accepts a value or throws a ConfigError of one line naming the key, for any environment', () => {
		fc.assert(
			fc.property(fc.dictionary(fc.constantFrom(...CONFIG_KEYS), awkward, { maxKeys: 6 }), (env) => {
				try {
					loadConfig({ DISCORD_TOKEN: 'a-test-token-value', ...env }, cwd);
				} catch (error) {
					expectOneLineNamingAKey(error);
				}
			}),
			{ numRuns: RUNS }
		);
	});

	it('the same for any bot.config.json content', () => {
		const path = join(cwd, 'bot.config.json');
		fc.assert(
			fc.property(
				fc.oneof(fc.jsonValue(), fc.dictionary(fc.constantFrom(...CONFIG_KEYS), fc.oneof(fc.jsonValue(), awkward))),
				fc.boolean(),
				(content, raw) => {
					// raw: the JSON cut short, as an editor crash would leave it.
					const text = JSON.stringify(content) ?? 'null';
					writeFileSync(path, raw ? text.slice(0, Math.max(1, text.length - 1)) : text);
					try {
						loadConfig({ DISCORD_TOKEN: 'a-test-token-value' }, cwd);
					} catch (error) {
						expectOneLineNamingAKey(error);
					} finally {
						rmSync(path, { force: true });
					}
				}
			),
			{ numRuns: RUNS }
		);
	});
});

describe('bad input: command option parsers (property-based)', () => {
	it('giveaway durations: a duration within bounds, or a readable reason', () => {
		fc.assert(
			fc.property(awkward, (text) => {
				const result = parseDuration(text);
				if (result.ok) expect(result.ms >= MIN_DURATION_MS && result.ms <= MAX_DURATION_MS && result.ms % 1000 === 0).toBe(true);
				else expect(result.reason.length > 10 && !result.reason.includes('\n') === !text.includes('\n')).toBe(true);
			}),
			{ numRuns: RUNS }
		);
	});

	it('auto-role delays and welcome delete-after / delete-if-left-within: a delay within bounds, or a readable reason', () => {
		fc.assert(
			fc.property(awkward, (text) => {
				const result = parseDelay(text);
				if (result.ok) expect(result.ms >= 0 && result.ms <= MAX_DELAY_MS).toBe(true);
				else expect(explain(languageT(), result.reason)).toMatch(/delay|too long/);
			}),
			{ numRuns: RUNS }
		);
	});
});

describe('bad input: welcome setup options (property-based)', () => {
	it('pasted embed JSON: any text is a design or a translated reason naming what is wrong', () => {
		const embed = fc.record(
			{
				title: fc.oneof(fc.string({ maxLength: 300 }), fc.integer()),
				description: fc.string(),
				fields: fc.array(fc.jsonValue(), { maxLength: 30 })
			},
			{ requiredKeys: [] }
		);
		// A bare embed, an array of one, a message with one, a message with two.
		const pasted = fc
			.tuple(embed, fc.integer({ min: 0, max: 3 }))
			.map(([one, form]) => JSON.stringify([one, [one], { embeds: [one] }, { embeds: [one, one] }][form]));
		const embedish = fc.oneof(awkward, fc.json(), pasted);
		fc.assert(
			fc.property(embedish, (text) => {
				const parsed = parseEmbedJson(text);
				if (parsed.ok) return;
				const reason = explain(languageT(), parsed.reason);
				expect(reason.length).toBeGreaterThan(5);
				expect(reason).not.toMatch(/\{\{|welcome:/);
			}),
			{ numRuns: RUNS }
		);
	});

	const t = languageT();
	const template = fc.oneof(awkward, fc.string({ maxLength: 4200 }), fc.constantFrom('{memberCount:ordinal}', '{inviteURL}', '{x:y}', '{:}', '{'));

	it('a greeting with any texts is accepted, or refused with a translated reason that names what is wrong', () => {
		fc.assert(
			fc.property(
				template,
				fc.dictionary(fc.constantFrom(...GREETING_VARIANTS), template, { maxKeys: 4 }),
				fc.boolean(),
				fc.option(awkward),
				(main, variants, embed, banner) => {
					const reason = greetingProblem({ template: main, variants, embed, banner });
					if (reason === null) return;
					const text = explain(t, reason);
					expect(text.length).toBeGreaterThan(5);
					// Every variable was filled in: no {{…}} left, no key shown instead of a text.
					expect(text).not.toMatch(/\{\{|welcome:/);
				}
			),
			{ numRuns: RUNS }
		);
	});
});

interface CommandOption {
	type: number;
	name: string;
	required?: boolean;
	options?: CommandOption[];
	choices?: Array<{ value: string | number }>;
}

/** A plausible value for each required option, by Discord option type. */
function requiredValues(options: CommandOption[], userId: string, roleId: string, channelId: string): Record<string, string | number | boolean> {
	const values: Record<string, string | number | boolean> = {};
	for (const option of options.filter((candidate) => candidate.required)) {
		const byType: Record<number, string | number | boolean> = { 3: 'x', 4: 1, 5: true, 6: userId, 7: channelId, 8: roleId, 9: userId, 10: 1 };
		values[option.name] = option.choices?.[0]?.value ?? byType[option.type] ?? 'x';
	}
	return values;
}

/** Every command registered with default_member_permissions is refused to a member without them, and nothing changes. */
describe('non-admins are denied every admin command (through the real bot)', () => {
	let emulator: DiscordEmulator;
	let bot: BotProcess;
	let dataDir: string;
	let setup: GuildSetup;

	beforeAll(async () => {
		emulator = await DiscordEmulator.start();
		setup = setUpGuild(emulator);
		dataDir = mkdtempSync(join(tmpdir(), 'supreme-denied-'));
		bot = new BotProcess({ apiUrl: emulator.apiUrl, dataDir, env: { COMMAND_GUILD_IDS: setup.guildId } });
		await bot.start();
		// The invite baseline is written after ready: the data compared before and after must already hold it.
		await bot.waitForLog(/Invite tracking ready/);
	}, 60_000);

	afterAll(async () => {
		if (bot?.running) await bot.stop('SIGKILL');
		await emulator?.stop();
		rmSync(dataDir, { recursive: true, force: true });
	});

	const liveData = () =>
		readdirSync(dataDir)
			.filter((name) => /\.(json|journal)$/.test(name))
			.sort()
			.map((name) => [name, readFileSync(join(dataDir, name), 'utf8')]);

	it('answers each with an ephemeral refusal and changes no data', async () => {
		const admin = emulator
			.commands(setup.guildId)
			.filter(
				(command) =>
					command.default_member_permissions !== null &&
					command.default_member_permissions !== undefined &&
					command.default_member_permissions !== '0'
			);
		expect(admin.length).toBeGreaterThanOrEqual(5);
		const before = liveData();
		const member = emulator.createUser({ username: 'member' }).id;
		const role = emulator.createRole(setup.guildId, { name: 'some role' }).id;
		emulator.addMember(setup.guildId, member);
		for (const command of admin) {
			const options = (command.options ?? []) as CommandOption[];
			// Subcommands (type 1): try each, with every required option filled; the refusal comes before any is read.
			const subcommands = options.filter((option) => option.type === 1);
			for (const subcommand of subcommands.length > 0 ? subcommands : [undefined]) {
				const given = requiredValues(subcommand?.options ?? options, member, role, setup.channelId);
				const reply = await runAs(emulator, setup, command.name, given, MEMBER, {
					userId: member,
					...(subcommand ? { subcommand: subcommand.name } : {})
				});
				const what = `/${command.name}${subcommand ? ` ${subcommand.name}` : ''}`;
				expect(reply.ephemeral, `${what} answered privately`).toBe(true);
				expect(reply.content, `${what} refused`).toMatch(/permission|Manage Server|not allowed|only .* can|is for the bot owner/i);
			}
		}
		expect(liveData()).toEqual(before);
	});
});
