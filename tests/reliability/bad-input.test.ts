import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '@sapphire/framework';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_KEYS, ConfigError, loadConfig } from '../../src/config.js';
import { MAX_DELAY_MS, parseDelay } from '../../src/lib/autorole/delay.js';
import { MAX_DURATION_MS, MIN_DURATION_MS, parseDuration } from '../../src/lib/giveaways/duration.js';
import {
	checkMilestoneTemplate,
	MAX_MILESTONE,
	MAX_MILESTONE_NUMBERS,
	MILESTONE_PLACEHOLDERS,
	parseMilestoneNumbers,
	renderMilestone
} from '../../src/lib/invites/milestones.js';
import { longestRendering } from '../../src/lib/templates/placeholders.js';
import { checkBackground } from '../../src/lib/welcome/card-background.js';
import { CARD_LINE_LIMIT, checkCardLines, MAX_CARD_LINES } from '../../src/lib/welcome/card-design.js';
import { sniffImage } from '../../src/lib/welcome/image-format.js';
import { GREETING_VARIANTS, readGuildSettings } from '../../src/lib/guild-settings.js';
import { changeExclusion, exclusionTarget } from '../../src/lib/invites/leaderboard-settings.js';
import { parsePeriod, parsePeriodToken, periodToken } from '../../src/lib/invites/periods.js';
import { openStorage } from '../../src/storage-adapters/index.js';
import { BotProcess, DiscordEmulator } from '../harness/index.js';
import { explain } from '../../src/lib/templates/reasons.js';
import { parseEmbedJson } from '../../src/lib/welcome/embed.js';
import { greetingProblem } from '../../src/lib/welcome/message.js';
import { MEMBER, runAs, setUpGuild, type GuildSetup } from './_shared.js';
import { inEnglish, languageT } from '../helpers/i18n.js';

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
				else expect(inEnglish(result.reason).length > 10 && !inEnglish(result.reason).includes('\n') === !text.includes('\n')).toBe(true);
			}),
			{ numRuns: RUNS }
		);
	});

	it('milestone numbers: sorted unique whole numbers within bounds, or the refusal that says what is allowed', () => {
		const lists = fc.oneof(
			awkward,
			fc.array(fc.oneof(fc.integer(), awkward), { maxLength: 40 }).map((parts) => parts.join(', '))
		);
		fc.assert(
			fc.property(lists, (text) => {
				const result = parseMilestoneNumbers(text);
				if (!result.ok) return void expect(result.key).toBe('invites:milestoneNumbersInvalid');
				const { numbers } = result;
				expect(numbers.length).toBeLessThanOrEqual(MAX_MILESTONE_NUMBERS);
				expect(numbers.every((n, i) => Number.isInteger(n) && n >= 1 && n <= MAX_MILESTONE && (i === 0 || n > numbers[i - 1]!))).toBe(true);
			}),
			{ numRuns: RUNS }
		);
		expect(parseMilestoneNumbers('50, 10 10;25')).toEqual({ ok: true, numbers: [10, 25, 50] });
		expect(parseMilestoneNumbers('none')).toEqual({ ok: true, numbers: [] });
		for (const bad of ['1e3', '0', '-5', '1.5', '0x10', '10 apples', String(MAX_MILESTONE + 1)])
			expect(parseMilestoneNumbers(bad).ok).toBe(false);
	});

	it("milestone templates: an accepted one renders within Discord's 2000 characters with every placeholder at its longest", () => {
		const longest = Object.fromEntries(Object.entries(MILESTONE_PLACEHOLDERS).map(([name, length]) => [name, 'x'.repeat(length + 50)])) as Record<
			keyof typeof MILESTONE_PLACEHOLDERS,
			string
		>;
		const templates = fc.oneof(
			awkward,
			fc
				.array(fc.oneof(fc.constantFrom(...Object.keys(MILESTONE_PLACEHOLDERS).map((name) => `{${name}}`), '{who}', '{ }'), fc.string()), {
					maxLength: 120
				})
				.map((parts) => parts.join(''))
		);
		fc.assert(
			fc.property(templates, (template) => {
				const check = checkMilestoneTemplate(template);
				if (check.ok) expect(renderMilestone(template, longest).length).toBeLessThanOrEqual(2000);
				else expect(check.key).toMatch(/^invites:milestoneTemplate(Empty|Unknown|TooLong)$/);
			}),
			{ numRuns: RUNS }
		);
	});

	it('welcome card text lines: accepted within the card line limit, or refused with a translated reason', () => {
		fc.assert(
			fc.property(fc.array(awkward, { minLength: 1, maxLength: MAX_CARD_LINES }), (lines) => {
				try {
					checkCardLines(lines);
					expect(lines.every((line) => longestRendering(line) <= CARD_LINE_LIMIT)).toBe(true);
				} catch (error) {
					expect(error).toBeInstanceOf(UserError);
					expect((error as UserError).identifier).toMatch(/^welcome:card\.line(UnknownPlaceholder|TooLong)$/);
				}
			}),
			{ numRuns: RUNS }
		);
	});

	it('invite periods (/invite-leaderboard, /invite-export, data export): a window up to now, or a translated refusal', () => {
		const refusals = [
			'invites:periodUnknown',
			'invites:periodSinceConflict',
			'invites:periodSinceMissing',
			'invites:periodSinceInvalid',
			'invites:periodSinceFuture'
		];
		const now = Date.now();
		const date = fc
			.date({ min: new Date('1999-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
			.map((day) => day.toISOString().slice(0, 10));
		const name = fc.oneof(fc.constantFrom(null, 'all', '30d', '7d', 'today', 'since'), awkward);
		fc.assert(
			fc.property(name, fc.oneof(fc.constant(null), date, awkward), (period, since) => {
				try {
					const parsed = parsePeriod(period, since, now);
					expect(parsed.from === null || (parsed.from <= now && parsed.from >= Date.UTC(2015, 0, 1))).toBe(true);
					// What a page button carries reads back as the same window.
					expect(parsePeriodToken(periodToken(parsed), now)).toEqual(parsed);
				} catch (error) {
					expect(error).toBeInstanceOf(UserError);
					expect(refusals).toContain((error as UserError).identifier);
				}
			}),
			{ numRuns: RUNS }
		);
	});

	it('welcome card backgrounds: any bytes are an image with a size, or refused with a translated reason', async () => {
		const signatures = [
			Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'),
			Buffer.from('GIF89a'),
			Buffer.from('ffd8ffe0', 'hex'),
			Buffer.from('RIFF0000WEBPVP8X')
		];
		await fc.assert(
			fc.asyncProperty(fc.constantFrom(Buffer.alloc(0), ...signatures), fc.uint8Array({ maxLength: 64 }), async (start, rest) => {
				const bytes = Buffer.concat([start, Buffer.from(rest)]);
				const info = sniffImage(bytes);
				if (info) expect(Number.isInteger(info.width) && Number.isInteger(info.height) && info.width >= 0 && info.height >= 0).toBe(true);
				await checkBackground(bytes).then(
					(checked) => expect(checked.width > 0 && checked.height > 0).toBe(true),
					(error: unknown) => expect((error as UserError).identifier).toMatch(/^welcome:card\.background(NotImage|Dimensions|Damaged)$/)
				);
			}),
			{ numRuns: Math.min(RUNS, 100) }
		);
	});

	it('leaderboard exclusions: a member or a role, or a refusal; stored settings of the wrong shape are reported', async () => {
		const id = fc.oneof(fc.constant(null), fc.stringMatching(/^\d{1,20}$/));
		fc.assert(
			fc.property(id, id, fc.boolean(), (userId, roleId, exclude) => {
				try {
					const changed = changeExclusion(
						{ hideLeft: false, excludedMembers: [], excludedRoles: [] },
						exclusionTarget(userId, roleId),
						exclude
					);
					expect(changed.excludedMembers.length + changed.excludedRoles.length).toBe(1);
				} catch (error) {
					expect(['invites:exclusionNeedsOne', 'invites:notExcluded']).toContain((error as UserError).identifier);
				}
			}),
			{ numRuns: RUNS }
		);
		const dir = mkdtempSync(join(tmpdir(), 'supreme-leaderboard-settings-'));
		const storage = await openStorage({
			adapter: 'file',
			dataDir: dir,
			sqlitePath: join(dir, 'x.sqlite'),
			redisUrl: '',
			backupDir: join(dir, 'b'),
			backupKeep: 1
		});
		try {
			for (const bad of [
				{ hideLeft: 'yes' },
				{ excludedMembers: ['not-an-id'] },
				{ excludedRoles: Array.from({ length: 26 }, (_, index) => String(index)) }
			]) {
				await storage.namespace('settings').set('1', { inviteLeaderboard: bad });
				await expect(readGuildSettings(storage, '1')).rejects.toThrow(/Settings of guild 1 are unreadable: inviteLeaderboard\./);
			}
		} finally {
			await storage.close();
			rmSync(dir, { recursive: true, force: true });
		}
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
