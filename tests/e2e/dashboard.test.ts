import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotProcess, DiscordEmulator } from '../harness/index.js';
import type { GuildRecord } from '../harness/emulator/types.js';
import { DashboardClient } from '../helpers/dashboard.js';
import { freePort } from '../helpers/free-port.js';

/** The dashboard's HTTP API through the real bot: login by OAuth2 at the emulator, access checks, security, writes. */
describe('dashboard API (DASHBOARD_PORT)', () => {
	let emulator: DiscordEmulator;
	let bot: BotProcess;
	let dataDir: string;
	let base: string;
	let guild: GuildRecord;
	let other: GuildRecord;
	let absent: GuildRecord;
	let admin: { id: string };
	let member: { id: string };
	let owner: { id: string };

	beforeAll(async () => {
		emulator = await DiscordEmulator.start();
		guild = emulator.createGuild({ name: 'Managed' });
		other = emulator.createGuild({ name: 'Not managed' });
		admin = emulator.createUser({ username: 'admin' });
		member = emulator.createUser({ username: 'member' });
		owner = emulator.createUser({ username: 'bot-owner' });
		const managers = emulator.createRole(guild.id, { name: 'Managers', permissions: PermissionFlagsBits.ManageGuild });
		emulator.addMember(guild.id, admin.id, { roles: [managers.id] });
		emulator.addMember(guild.id, member.id);
		emulator.addMember(guild.id, owner.id);
		emulator.addMember(other.id, admin.id);
		// A server the admin manages where the bot is not: the bot leaves it.
		absent = emulator.createGuild({ name: 'Bot gone' });
		emulator.addMember(absent.id, admin.id, { roles: [] });
		const port = await freePort();
		base = `http://127.0.0.1:${port}`;
		emulator.oauth.redirectUris.add(`${base}/oauth/callback`);
		dataDir = mkdtempSync(join(tmpdir(), 'supreme-dashboard-'));
		bot = new BotProcess({
			apiUrl: emulator.apiUrl,
			dataDir,
			storageAdapter: 'file',
			env: {
				COMMAND_GUILD_IDS: guild.id,
				OWNER_IDS: owner.id,
				DASHBOARD_PORT: String(port),
				DASHBOARD_URL: base,
				DISCORD_CLIENT_ID: emulator.applicationId,
				DISCORD_CLIENT_SECRET: emulator.oauth.clientSecret
			}
		});
		await bot.start();
		await bot.waitForLog(/Dashboard listening/);
		emulator.removeGuild(absent.id);
	}, 90_000);

	afterAll(async () => {
		if (bot?.running) await bot.stop('SIGTERM');
		await emulator?.stop();
		if (dataDir) rmSync(dataDir, { recursive: true, force: true });
	});

	it('logs in through Discord OAuth2 and lists only servers the user manages with the bot present', async () => {
		const browser = new DashboardClient(base);
		const callback = await browser.login(emulator, admin.id);
		expect(callback.status).toBe(302);
		expect(callback.headers.get('location')).toBe('/');
		const cookie = callback.headers.getSetCookie().find((line) => line.startsWith('sb_session='))!;
		expect(cookie).toMatch(/HttpOnly/);
		expect(cookie).toMatch(/SameSite=Lax/);
		expect(cookie).not.toMatch(/Secure/); // DASHBOARD_URL is http here
		const session = await browser.json('/api/session');
		expect(session.body.user).toMatchObject({ id: admin.id, username: 'admin' });
		expect(session.body.csrfToken).toEqual(expect.any(String));
		expect(session.body.isOwner).toBe(false);
		const guilds = await browser.json('/api/guilds');
		expect(guilds.status).toBe(200);
		expect(guilds.body.guilds.map((entry: { id: string }) => entry.id)).toEqual([guild.id]);
		expect(JSON.stringify(guilds.body)).not.toContain(emulator.oauth.clientSecret);
	});
});
