import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotProcess, DiscordEmulator } from '../harness/index.js';
import { eventually } from '../helpers/eventually.js';
import { FULL, inviteTotal, setUpGuild, writeResult, type GuildSetup } from './_shared.js';

const JOINS = 5;
type Damage = 'truncated' | 'zero-filled' | 'garbage';
const DAMAGES: Damage[] = ['truncated', 'zero-filled', 'garbage'];

/** Damages a file in place the way a crashed disk or a bad copy would; empty files get 64 bytes of zeros or garbage. */
function damage(path: string, kind: Damage): void {
	const { size } = statSync(path);
	if (kind === 'truncated') writeFileSync(path, readFileSync(path).subarray(0, Math.floor(size / 2)));
	else if (kind === 'zero-filled') writeFileSync(path, Buffer.alloc(Math.max(size, 64)));
	else writeFileSync(path, randomBytes(Math.max(size, 64)));
}

/**
 * Every data file damaged while the bot is stopped, then the real bot started on it: the damage is logged, the file
 * restored from the newest valid backup (or, for a journal, the readable changes kept), the damaged file kept aside,
 * and /invites reads the data as before. With no backup, the bot starts, says so, and keeps the damaged file.
 */
describe.each(['file', 'sqlite'] as const)('corrupted data files through the real bot: %s', (adapter) => {
	let emulator: DiscordEmulator;
	let setup: GuildSetup;
	let pristine: string;
	const cases: Array<{ file: string; damage: Damage; recovered: boolean; line: string }> = [];
	const scratch: string[] = [];

	const startBot = async (dataDir: string) => {
		const bot = new BotProcess({ apiUrl: emulator.apiUrl, dataDir, storageAdapter: adapter, env: { COMMAND_GUILD_IDS: setup.guildId } });
		await bot.start();
		await bot.waitForLog(/Invite tracking ready/, 30_000);
		return bot;
	};

	beforeAll(async () => {
		emulator = await DiscordEmulator.start();
		setup = setUpGuild(emulator);
		pristine = mkdtempSync(join(tmpdir(), `supreme-corrupt-${adapter}-`));
		scratch.push(pristine);
		// Run 1 records JOINS joins and stops cleanly; run 2's startup backup holds them, then one more join is only in
		// the live files (the journals, for the file adapter) when it is killed.
		let bot = await startBot(pristine);
		for (let index = 0; index < JOINS; index++) emulator.joinViaInvite(setup.guildId, setup.code);
		await eventually(async () => (await inviteTotal(emulator, setup)) === JOINS, `${JOINS} joins to be counted`, 20_000);
		await bot.stop('SIGTERM');
		bot = await startBot(pristine);
		emulator.joinViaInvite(setup.guildId, setup.code);
		await eventually(async () => (await inviteTotal(emulator, setup)) === JOINS + 1, 'the last join to be counted', 20_000);
		// SQLite: a clean stop folds the WAL into the database file, so the damage hits the data (a killed bot's WAL
		// would still hold every page and a damaged main file would read as before).
		await bot.stop(adapter === 'sqlite' ? 'SIGTERM' : 'SIGKILL');
	}, 120_000);

	afterAll(async () => {
		await emulator?.stop();
		for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
		if (cases.length > 0)
			writeResult(`corruption-${adapter}`, {
				adapter,
				cases: cases.length,
				recovered: cases.filter((entry) => entry.recovered).length,
				files: [...new Set(cases.map((entry) => entry.file))]
			});
	});

	function dataFiles(dataDir: string): string[] {
		if (adapter === 'sqlite') return ['bot.sqlite'];
		return readdirSync(dataDir)
			.filter((name) => name.endsWith('.json') || name.endsWith('.journal'))
			.sort();
	}

	/** The cases: every file with every damage (RELIABILITY_FULL=1), or every file once with the damages in turn. */
	function plannedCases(): Array<[string, Damage]> {
		const files = dataFiles(pristine);
		// Truncating an empty file (a journal with no change since its snapshot) changes nothing: those get the others.
		const damagesFor = (file: string) => (statSync(join(pristine, file)).size === 0 ? DAMAGES.filter((kind) => kind !== 'truncated') : DAMAGES);
		if (FULL || adapter === 'sqlite') return files.flatMap((file) => damagesFor(file).map((kind): [string, Damage] => [file, kind]));
		return files.map((file, index): [string, Damage] => [file, damagesFor(file)[index % damagesFor(file).length]!]);
	}

	it(
		'restores each damaged file from the newest valid backup, says so, keeps the damaged file, and the data reads as before',
		{ timeout: 600_000 },
		async () => {
			const planned = plannedCases();
			expect(planned.length).toBeGreaterThanOrEqual(3);
			for (const [file, kind] of planned) {
				const dataDir = mkdtempSync(join(tmpdir(), `supreme-corrupt-case-`));
				scratch.push(dataDir);
				cpSync(pristine, dataDir, { recursive: true });
				const path = join(dataDir, file);
				damage(path, kind);
				const bot = await startBot(dataDir);
				try {
					const recovery = bot.logLines(new RegExp(`${file.replace('.', '\\.')}.*(was|is) damaged`));
					// A journal cut short reads like a crash in the middle of an append: the whole lines before the cut are
					// the changes kept, and no line of it is damage. Anything else must be reported and set aside.
					const cutJournal = file.endsWith('.journal') && kind === 'truncated';
					if (!cutJournal) {
						expect(recovery, `${file} ${kind}: a recovery line in\n${bot.runOutput}`).toHaveLength(1);
						if (!file.endsWith('.journal')) expect(recovery[0]).toMatch(/restored .*from backup \S+/);
						expect(
							readdirSync(dataDir).some((name) => name.startsWith(`${basename(file)}.damaged-`)),
							`${file} ${kind}: kept aside`
						).toBe(true);
					}
					const line = recovery[0] ?? 'journal cut short: the whole lines before the cut kept';
					// A restored snapshot gets the journal's newer changes replayed on it: nothing is lost. A damaged journal
					// loses the changes in its damaged part (the last join at most), never what the snapshot holds.
					const total = await inviteTotal(emulator, setup);
					// The SQLite file comes back as the backup has it, before the last join, which the tracker then finds
					// again in the member list (joins made "while away").
					if (adapter === 'sqlite' || file.endsWith('.journal'))
						expect([JOINS, JOINS + 1], `${file} ${kind}: /invites after recovery`).toContain(total);
					else expect(total, `${file} ${kind}: /invites after recovery`).toBe(JOINS + 1);
					cases.push({ file, damage: kind, recovered: true, line });
				} finally {
					await bot.stop('SIGTERM');
				}
			}
		}
	);

	it('with no backup: starts, reports the damage and keeps the damaged file aside', { timeout: 120_000 }, async () => {
		const dataDir = mkdtempSync(join(tmpdir(), `supreme-corrupt-nobackup-`));
		scratch.push(dataDir);
		cpSync(pristine, dataDir, { recursive: true });
		rmSync(join(dataDir, 'backups'), { recursive: true, force: true });
		const file = adapter === 'sqlite' ? 'bot.sqlite' : 'join-history.json';
		damage(join(dataDir, file), 'garbage');
		const bot = await startBot(dataDir);
		try {
			const line = bot.logLines(/damaged/).join('\n');
			expect(line).toMatch(adapter === 'sqlite' ? /no valid backup exists; started an empty database/ : /no backup holds "join-history"/);
			expect(line).toMatch(/kept as \S+\.damaged-/);
			const aside = readdirSync(dataDir).find((name) => name.startsWith(`${file}.damaged-`));
			expect(aside).toBeDefined();
			expect(existsSync(join(dataDir, aside!))).toBe(true);
			// The bot answers (from what was left) instead of refusing to start.
			expect(await inviteTotal(emulator, setup)).toBeGreaterThanOrEqual(0);
			cases.push({ file, damage: 'garbage', recovered: false, line });
		} finally {
			await bot.stop('SIGTERM');
		}
	});
});
