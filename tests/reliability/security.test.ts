import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BotProcess, DiscordEmulator } from '../harness/index.js';
import { eventually } from '../helpers/eventually.js';
import { filesUnder, inviteTotal, setUpGuild } from './_shared.js';

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.Secure.security-test-token-value-9b2';

/**
 * No secret reaches logs, data or backups, and what the bot writes is private to its user: files 0600, folders 0700
 * (the DATA_DIR here does not exist before the bot starts, so the bot creates it). Redis: see redis-outage.test.ts.
 */
describe.each(['file', 'sqlite'] as const)('secrets and file modes: %s', (adapter) => {
	const root = mkdtempSync(join(tmpdir(), `supreme-security-${adapter}-`));
	afterAll(() => rmSync(root, { recursive: true, force: true }));

	it('writes no token anywhere and keeps every data and backup file and folder private', { timeout: 60_000 }, async () => {
		const emulator = await DiscordEmulator.start();
		const dataDir = join(root, 'data');
		const setup = setUpGuild(emulator);
		const bot = new BotProcess({
			apiUrl: emulator.apiUrl,
			dataDir,
			token: TOKEN,
			storageAdapter: adapter,
			env: { COMMAND_GUILD_IDS: setup.guildId, LOG_LEVEL: 'trace' }
		});
		try {
			await bot.start();
			emulator.joinViaInvite(setup.guildId, setup.code);
			await eventually(async () => (await inviteTotal(emulator, setup)) === 1, 'the join to be counted');
			await bot.restart('SIGTERM');
			await bot.stop('SIGTERM');
		} finally {
			if (bot.running) await bot.stop('SIGKILL');
			await emulator.stop();
		}
		expect(bot.output).not.toContain(TOKEN);
		const files = filesUnder(dataDir);
		expect(files.filter((path) => path.includes(`${join(dataDir, 'backups')}`)).length).toBeGreaterThan(0);
		const folders = new Set(files.map((path) => dirname(path)));
		for (const path of files) {
			expect(readFileSync(path, 'latin1'), path).not.toContain(TOKEN);
			expect((statSync(path).mode & 0o077).toString(8), `${path} is private`).toBe('0');
		}
		for (const folder of folders) expect((statSync(folder).mode & 0o077).toString(8), `${folder} is private`).toBe('0');
	});
});
