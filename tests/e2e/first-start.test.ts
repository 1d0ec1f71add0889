// What a self-hoster sees at the first start: no Sapphire "idHints" advice, and, while the bot is in no server, one
// line with the invite link carrying the scopes and exactly the permissions the bot needs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermissionsBitField } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { BotProcess, DiscordEmulator } from '../harness/index.js';

const INVITE_LINE = /Invite the bot to a server: (\S+)/;
let cleanup: Array<() => Promise<void> | void> = [];

afterEach(async () => {
	for (const step of cleanup.reverse()) await step();
	cleanup = [];
});

async function startBot(withGuild: boolean): Promise<{ bot: BotProcess; emulator: DiscordEmulator }> {
	const emulator = await DiscordEmulator.start();
	cleanup.push(() => emulator.stop());
	if (withGuild) emulator.createGuild({ name: 'Existing' });
	const dataDir = mkdtempSync(join(tmpdir(), 'supreme-first-start-'));
	cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
	const bot = new BotProcess({ apiUrl: emulator.apiUrl, dataDir });
	cleanup.push(async () => {
		if (bot.running) await bot.stop('SIGKILL');
	});
	await bot.start();
	return { bot, emulator };
}

describe('first start', () => {
	it('prints one invite link with the bot and applications.commands scopes and exactly the needed permissions, and no idHints advice', async () => {
		const { bot, emulator } = await startBot(false);
		// The link follows the ready line start() waits for; on a loaded machine it may arrive in a later chunk.
		await bot.waitForLog(INVITE_LINE);
		const lines = bot.logLines(INVITE_LINE);
		expect(lines).toHaveLength(1);
		const url = new URL(INVITE_LINE.exec(lines[0]!)![1]!);
		expect(`${url.origin}${url.pathname}`).toBe('https://discord.com/oauth2/authorize');
		expect(url.searchParams.get('client_id')).toBe(emulator.applicationId);
		expect(url.searchParams.get('scope')).toBe('bot applications.commands');
		expect(new PermissionsBitField(BigInt(url.searchParams.get('permissions')!)).toArray().sort()).toEqual(
			['AttachFiles', 'EmbedLinks', 'ManageGuild', 'ManageRoles', 'ReadMessageHistory', 'SendMessages', 'ViewChannel'].sort()
		);
		expect(bot.output).not.toMatch(/idHints/);
		expect(bot.output).not.toMatch(/ApplicationCommandRegistr/);
		expect(emulator.commands().length).toBeGreaterThan(10);
	});

	it('prints no invite link once the bot is in a server', async () => {
		const { bot } = await startBot(true);
		expect(bot.runOutput).toMatch(/Supreme Bot ready: .* in 1 guild/);
		expect(bot.logLines(INVITE_LINE)).toEqual([]);
		expect(bot.output).not.toMatch(/idHints/);
	});
});
