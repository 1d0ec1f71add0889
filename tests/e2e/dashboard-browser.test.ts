import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BotProcess, DiscordEmulator } from '../harness/index.js';
import type { GuildRecord } from '../harness/emulator/types.js';
import { launchBrowser, newPage, screenshot } from '../helpers/browser.js';
import { freePort } from '../helpers/free-port.js';
import { languageT } from '../helpers/i18n.js';

/** The texts the pages show, from the same language files (so a test reads like what a user sees). */
const t = languageT('en-US');

/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core) against the real bot and the emulator:
 * the login through Discord's OAuth2, each page, the welcome editor's preview against the message members get, who
 * may see what, CSRF, and an owner's backup and restore. Screenshots of every page land in test-artifacts/dashboard/.
 */
describe('dashboard in a browser', () => {
	let emulator: DiscordEmulator;
	let bot: BotProcess;
	let browser: Browser;
	let dataDir: string;
	let base: string;
	let guild: GuildRecord;
	let admin: { id: string; username: string };
	let member: { id: string };
	let owner: { id: string };
	let problems: string[] = [];
	const pages: Page[] = [];

	beforeAll(async () => {
		emulator = await DiscordEmulator.start();
		guild = emulator.createGuild({ name: 'Supreme Lounge' });
		emulator.createChannel(guild.id, { name: 'welcome' });
		emulator.createChannel(guild.id, { name: 'giveaways' });
		const managers = emulator.createRole(guild.id, { name: 'Managers', permissions: PermissionFlagsBits.ManageGuild });
		emulator.createRole(guild.id, { name: 'Member' });
		emulator.createRole(guild.id, { name: 'Inviter' });
		admin = emulator.createUser({ username: 'admin' });
		member = emulator.createUser({ username: 'member' });
		owner = emulator.createUser({ username: 'owner' });
		emulator.addMember(guild.id, admin.id, { roles: [managers.id] });
		emulator.addMember(guild.id, member.id);
		emulator.addMember(guild.id, owner.id, { roles: [managers.id] });
		emulator.createInvite(guild.id, { code: 'admin1', inviterId: admin.id });
		emulator.createInvite(guild.id, { code: 'owner1', inviterId: owner.id });

		const port = await freePort();
		base = `http://127.0.0.1:${port}`;
		emulator.oauth.redirectUris.add(`${base}/oauth/callback`);
		dataDir = mkdtempSync(join(tmpdir(), 'supreme-dashboard-browser-'));
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
		await bot.waitForLog(/Invite tracking ready/);
		// Some history for the overview and the leaderboard: joins through two inviters, one of them gone again.
		for (const name of ['ada', 'bram', 'cleo', 'dara']) emulator.joinViaInvite(guild.id, 'admin1', { username: name });
		const left = emulator.joinViaInvite(guild.id, 'owner1', { username: 'eli' });
		emulator.joinViaInvite(guild.id, 'owner1', { username: 'fay' });
		emulator.leave(guild.id, left.id);
		browser = await launchBrowser();
	}, 120_000);

	afterEach(async () => {
		for (const page of pages.splice(0)) await page.context().close();
		expect(problems).toEqual([]);
		problems = [];
	});

	afterAll(async () => {
		await browser?.close();
		if (bot?.running) await bot.stop('SIGTERM');
		await emulator?.stop();
		if (dataDir) rmSync(dataDir, { recursive: true, force: true });
	});

	/** A fresh browser profile, logged in through the login page and the emulator's consent as `userId`. */
	async function loggedIn(userId: string, options: { colorScheme?: 'light' | 'dark' } = {}): Promise<Page> {
		const opened = await newPage(browser, options);
		pages.push(opened.page);
		problems = opened.problems;
		const { page } = opened;
		emulator.oauth.consentAs(userId);
		await page.goto(base);
		await page.getByRole('link', { name: t('dashboard:login.button') }).click();
		await page.getByRole('heading', { name: t('dashboard:servers.title') }).waitFor();
		return page;
	}

	it('logs in through Discord and lists only the server the user manages', async () => {
		const opened = await newPage(browser);
		pages.push(opened.page);
		problems = opened.problems;
		const { page } = opened;
		await page.goto(base);
		await page.getByRole('heading', { name: t('dashboard:login.title') }).waitFor();
		await screenshot(page, '01-login');

		emulator.oauth.consentAs(admin.id);
		await page.getByRole('link', { name: t('dashboard:login.button') }).click();
		await page.getByRole('heading', { name: t('dashboard:servers.title') }).waitFor();
		await page.getByText('admin', { exact: true }).waitFor();
		await page.getByRole('link', { name: /Supreme Lounge/ }).waitFor();
		await screenshot(page, '02-servers');
	});

	it('refuses a write without the CSRF token, and takes it with the token', async () => {
		const page = await loggedIn(admin.id);
		const forged = await page.evaluate(async () => {
			const response = await fetch('/oauth/logout', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
			return { status: response.status, body: await response.text() };
		});
		expect(forged.status).toBe(403);
		expect(JSON.parse(forged.body)).toMatchObject({ error: 'csrf' });
		// Still logged in: the forged request changed nothing.
		const session = await page.evaluate(async () => (await (await fetch('/api/session')).json()) as { user: { id: string } | null });
		expect(session.user?.id).toBe(admin.id);
		// The page's own logout sends the token.
		await page.getByRole('button', { name: t('dashboard:shell.logout') }).click();
		await page.getByRole('link', { name: t('dashboard:login.button') }).waitFor();
		const after = await page.evaluate(async () => (await (await fetch('/api/session')).json()) as { user: unknown });
		expect(after.user).toBeNull();
	});
});
