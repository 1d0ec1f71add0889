import { rmSync } from 'node:fs';
import { PermissionFlagsBits } from 'discord.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BotProcess, DiscordEmulator } from '../harness/index.js';
import type { GuildRecord } from '../harness/emulator/types.js';
import { launchBrowser, newPage, screenshot } from '../helpers/browser.js';
import { startDashboardBot } from '../helpers/dashboard.js';
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
	let welcomeChannel: string;
	let giveawayChannel: string;
	let memberRole: string;
	let inviterRole: string;
	let admin: { id: string; username: string };
	let member: { id: string };
	let owner: { id: string };
	let problems: string[] = [];
	const pages: Page[] = [];

	beforeAll(async () => {
		emulator = await DiscordEmulator.start();
		guild = emulator.createGuild({ name: 'Supreme Lounge' });
		welcomeChannel = emulator.createChannel(guild.id, { name: 'welcome' }).id;
		giveawayChannel = emulator.createChannel(guild.id, { name: 'giveaways' }).id;
		const managers = emulator.createRole(guild.id, { name: 'Managers', permissions: PermissionFlagsBits.ManageGuild });
		memberRole = emulator.createRole(guild.id, { name: 'Member' }).id;
		inviterRole = emulator.createRole(guild.id, { name: 'Inviter' }).id;
		admin = emulator.createUser({ username: 'admin' });
		member = emulator.createUser({ username: 'member' });
		owner = emulator.createUser({ username: 'owner' });
		emulator.addMember(guild.id, admin.id, { roles: [managers.id] });
		emulator.addMember(guild.id, member.id);
		emulator.addMember(guild.id, owner.id, { roles: [managers.id] });
		emulator.createInvite(guild.id, { code: 'admin1', inviterId: admin.id });
		emulator.createInvite(guild.id, { code: 'owner1', inviterId: owner.id });

		({ bot, base, dataDir } = await startDashboardBot(emulator, {
			guildId: guild.id,
			ownerId: owner.id,
			dataDirPrefix: 'supreme-dashboard-browser-'
		}));
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

	async function openGuildPage(page: Page, name: string): Promise<void> {
		await page
			.getByRole('navigation', { name: t('dashboard:shell.navigation') })
			.getByRole('link', { name })
			.click();
		await page.getByRole('heading', { level: 1, name }).waitFor();
	}

	async function openGuild(page: Page, path: string, heading: string): Promise<void> {
		await page.goto(`${base}/#/servers/${guild.id}/${path}`);
		await page.getByRole('heading', { level: 1, name: heading }).waitFor();
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
		// A settings write from the page's own origin, with the session cookie but without the token: refused, nothing changed.
		const write = await page.evaluate(async (id) => {
			const body = JSON.stringify({ channelId: id, message: 'Forged {user}' });
			const response = await fetch(`/api/guilds/${id}/greetings/goodbye`, {
				method: 'PUT',
				headers: { 'content-type': 'application/json' },
				body
			});
			return { status: response.status, body: await response.text() };
		}, guild.id);
		expect(write.status).toBe(403);
		expect(JSON.parse(write.body)).toMatchObject({ error: 'csrf' });
		const goodbye = await page.evaluate(
			async (id) => (await (await fetch(`/api/guilds/${id}/greetings/goodbye`)).json()) as { enabled: boolean },
			guild.id
		);
		expect(goodbye.enabled).toBe(false);
		// Still logged in: the forged request changed nothing.
		const session = await page.evaluate(async () => (await (await fetch('/api/session')).json()) as { user: { id: string } | null });
		expect(session.user?.id).toBe(admin.id);
		// The page's own logout sends the token.
		await page.getByRole('button', { name: t('dashboard:shell.logout') }).click();
		await page.getByRole('link', { name: t('dashboard:login.button') }).waitFor();
		const after = await page.evaluate(async () => (await (await fetch('/api/session')).json()) as { user: unknown });
		expect(after.user).toBeNull();
	});

	it('shows every page of the server', async () => {
		const page = await loggedIn(admin.id);
		await page.getByRole('link', { name: /Supreme Lounge/ }).click();
		await page.getByRole('heading', { level: 1, name: t('dashboard:overview.title') }).waitFor();
		await page.locator('svg.chart').waitFor();
		await page.getByRole('heading', { name: t('dashboard:overview.topInviters') }).waitFor();
		await screenshot(page, '03-overview');

		await openGuildPage(page, t('dashboard:nav.invites'));
		await page.getByRole('table').getByText('admin').waitFor();
		// A rank role through the page's form.
		await page.getByLabel(t('dashboard:invites.rankInvites'), { exact: true }).fill('3');
		await page.getByLabel(t('dashboard:common.role'), { exact: true }).selectOption({ label: 'Inviter' });
		await page.getByRole('button', { name: t('dashboard:invites.addRankRole') }).click();
		await page.getByRole('listitem').filter({ hasText: 'Inviter' }).waitFor();
		await page
			.getByRole('button', { name: t('dashboard:invites.details') })
			.first()
			.click();
		await page.getByText(t('dashboard:invites.counts.regular')).first().waitFor();
		await screenshot(page, '04-invites');

		await openGuildPage(page, t('dashboard:nav.autoroles'));
		await page.getByLabel(t('dashboard:common.role'), { exact: true }).selectOption({ label: 'Member' });
		await page.getByLabel(t('dashboard:autoroles.delay'), { exact: true }).fill('10');
		await page.getByRole('button', { name: t('dashboard:autoroles.add') }).click();
		await page.getByRole('listitem').filter({ hasText: 'Member' }).waitFor();
		await screenshot(page, '06-autoroles');

		await openGuildPage(page, t('dashboard:nav.giveaways'));
		await page.getByLabel(t('dashboard:giveaways.prize'), { exact: true }).fill('Nitro Classic');
		await page.getByLabel(t('dashboard:welcome.channel'), { exact: true }).selectOption({ label: '#giveaways' });
		await page.getByLabel(t('dashboard:giveaways.duration'), { exact: true }).fill('2d');
		await page.getByLabel(t('dashboard:giveaways.winners'), { exact: true }).fill('2');
		// The options beyond the basic ones are folded away: opened from the keyboard.
		await page.getByText(t('dashboard:giveaways.advanced'), { exact: true }).focus();
		await page.keyboard.press('Enter');
		const required = page.getByRole('group', { name: t('dashboard:giveaways.requiredRoles') });
		await required.getByLabel('Member', { exact: true }).check();
		await page.getByLabel(t('dashboard:giveaways.minAccountAge'), { exact: true }).fill('7d');
		await page.getByRole('button', { name: t('dashboard:giveaways.addBonus') }).click();
		await page.getByLabel(t('dashboard:giveaways.bonusRoleLabel', { number: 1 }), { exact: true }).selectOption({ label: 'Inviter' });
		await page.getByLabel(t('dashboard:giveaways.bonusEntriesLabel', { number: 1 }), { exact: true }).fill('3');
		await page.getByLabel(t('dashboard:giveaways.claimWindow'), { exact: true }).fill('1d');
		await screenshot(page, '07-giveaways-form');
		await page.getByRole('button', { name: t('dashboard:giveaways.start') }).click();
		await page.getByRole('listitem').filter({ hasText: 'Nitro Classic' }).waitFor();
		const posted = await emulator.waitForMessage(giveawayChannel, (message) => message.embeds?.[0]?.title === '🎉 Nitro Classic');
		expect(posted.embeds![0]!.description).toContain(`Only for <@&${memberRole}>`);
		expect(posted.embeds![0]!.description).toContain('Accounts at least 1 week old');
		expect(posted.embeds![0]!.description).toContain(`Bonus entries: <@&${inviterRole}> ×3`);
		await screenshot(page, '07-giveaways');

		await openGuildPage(page, t('dashboard:nav.data'));
		await page.getByRole('heading', { name: t('dashboard:data.recordsTitle') }).waitFor();
		await screenshot(page, '08-data');
	});

	it('the welcome text changed in the editor is previewed, and the next member who joins gets the same message', async () => {
		const page = await loggedIn(admin.id);
		await openGuild(page, 'welcome', t('dashboard:welcome.title'));
		await page.getByLabel(t('dashboard:welcome.enable.welcome'), { exact: true }).check();
		await page.getByLabel(t('dashboard:welcome.channel'), { exact: true }).selectOption({ label: '#welcome' });
		await page.getByLabel(t('dashboard:welcome.message'), { exact: true }).fill('Welcome to {server}, {username}! Say hi in the channels.');
		await page.getByLabel(t('dashboard:welcome.embedTitle'), { exact: true }).fill('A new face');
		await page.getByLabel(t('dashboard:welcome.banner'), { exact: true }).selectOption('generated');
		const preview = page.getByTestId('preview-description');
		await expect.poll(() => preview.textContent(), { timeout: 10_000 }).toBe('Welcome to Supreme Lounge, admin! Say hi in the channels.');
		// The card is the bot's own render, a PNG.
		const card = page.getByTestId('card-preview');
		await card.waitFor();
		expect(await card.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
		await screenshot(page, '05-welcome');

		await page.getByRole('button', { name: t('dashboard:common.save') }).click();
		await page.getByText(t('dashboard:welcome.saved')).waitFor();
		emulator.joinViaInvite(guild.id, 'admin1', { username: 'gwen' });
		const sent = await emulator.waitForMessage(
			welcomeChannel,
			(message) => String(message.embeds?.[0]?.description ?? '').includes('gwen'),
			10_000
		);
		const previewed = (await preview.textContent())!;
		expect(sent.embeds![0]!.description).toBe(previewed.replace('admin', 'gwen'));
		expect(sent.embeds![0]!.title).toBe('A new face');
		expect(sent.attachments?.length).toBe(1);
	});

	it('a member without Manage Server sees no server, and the API answers 403', async () => {
		const page = await loggedIn(member.id);
		await page.getByRole('heading', { name: t('dashboard:servers.emptyTitle') }).waitFor();
		await screenshot(page, '09-no-servers');
		const status = await page.evaluate(async (id) => (await fetch(`/api/guilds/${id}/greetings/welcome`)).status, guild.id);
		expect(status).toBe(403);
		await page.goto(`${base}/#/servers/${guild.id}/overview`);
		await page.getByRole('heading', { name: t('dashboard:servers.noAccessTitle') }).waitFor();
	});

	it('an owner makes a backup, and restores it only after typing its id', async () => {
		const page = await loggedIn(owner.id);
		await openGuild(page, 'data', t('dashboard:data.title'));
		await page.getByRole('button', { name: t('dashboard:data.makeBackup') }).click();
		await page.getByText(t('dashboard:data.backupMade')).waitFor();
		const row = page.getByRole('row').filter({ hasText: `manual-${owner.id}` });
		await row.waitFor();
		const backupId = (await row.locator('code').textContent())!;

		// A change after the backup: the welcome message turned off.
		await openGuildPage(page, t('dashboard:nav.welcome'));
		await page.getByLabel(t('dashboard:welcome.enable.welcome'), { exact: true }).uncheck();
		await page.getByRole('button', { name: t('dashboard:common.save') }).click();
		await page.getByText(t('dashboard:welcome.disabled')).waitFor();

		await openGuildPage(page, t('dashboard:nav.data'));
		await page.getByRole('button', { name: t('dashboard:data.restoreLabel', { id: backupId }) }).click();
		const dialog = page.getByRole('dialog', { name: t('dashboard:data.restoreTitle') });
		const submit = dialog.getByRole('button', { name: t('dashboard:data.restoreSubmit') });
		const confirm = dialog.getByLabel(t('dashboard:data.restoreConfirm', { id: backupId }), { exact: true });
		await confirm.fill(backupId.slice(0, -1));
		expect(await submit.isDisabled()).toBe(true);
		await confirm.fill(backupId);
		await screenshot(page, '11-restore-dialog', { fullPage: false });
		await submit.click();
		await page.getByText(t('dashboard:data.restored', { id: backupId })).waitFor({ timeout: 20_000 });

		// The welcome is back as it was when the backup was made.
		await openGuildPage(page, t('dashboard:nav.welcome'));
		expect(await page.getByLabel(t('dashboard:welcome.enable.welcome'), { exact: true }).isChecked()).toBe(true);
		expect(await page.getByLabel(t('dashboard:welcome.message'), { exact: true }).inputValue()).toBe(
			'Welcome to {server}, {username}! Say hi in the channels.'
		);
	});

	it('the page is keyboard-usable: a skip link, labelled controls', async () => {
		const page = await loggedIn(admin.id, { colorScheme: 'dark' });
		await openGuild(page, 'welcome', t('dashboard:welcome.title'));
		await page.keyboard.press('Tab');
		const skip = page.getByRole('link', { name: t('dashboard:shell.skip') });
		expect(await skip.evaluate((element) => element === element.ownerDocument.activeElement)).toBe(true);
		await page.keyboard.press('Enter');
		expect(await page.evaluate('document.activeElement?.id')).toBe('main');
		// The tabs follow the arrow keys.
		await page.getByRole('tab', { name: t('dashboard:welcome.welcomeTab') }).focus();
		await page.keyboard.press('ArrowRight');
		expect(await page.getByRole('tab', { name: t('dashboard:welcome.goodbyeTab') }).getAttribute('aria-selected')).toBe('true');
		await page.getByLabel(t('dashboard:welcome.enable.goodbye'), { exact: true }).waitFor();
		// Every form control has a label.
		// (A string: this runs in the page, whose DOM types the tests' TypeScript project does not load.)
		const unlabelled = await page.evaluate(
			"[...document.querySelectorAll('input, select, textarea')].filter((control) => control.labels.length === 0 && !control.getAttribute('aria-label')).map((control) => control.outerHTML)"
		);
		expect(unlabelled).toEqual([]);
		await screenshot(page, '10-goodbye-dark');
	});

	it("speaks the server's language: the language chosen with /language set, whatever the browser's", async () => {
		const language = async (subcommand: 'set' | 'reset', options: Record<string, string> = {}) =>
			emulator
				.runCommand({
					guildId: guild.id,
					userId: admin.id,
					name: 'language',
					subcommand,
					options,
					memberPermissions: PermissionFlagsBits.ManageGuild
				})
				.answer();
		await language('set', { language: 'de' });
		try {
			const page = await loggedIn(admin.id);
			const de = languageT('de');
			await page.goto(`${base}/#/servers/${guild.id}/overview`);
			await page.getByRole('heading', { level: 1, name: de('dashboard:overview.title') }).waitFor();
			expect(await page.getAttribute('html', 'lang')).toBe('de');
			await page.getByRole('link', { name: de('dashboard:nav.welcome') }).waitFor();
			await page.locator('svg.chart').waitFor();
			await screenshot(page, '12-overview-de');
			// Back to the server list, outside any server: the browser's language again.
			await page.getByRole('link', { name: de('dashboard:shell.switchServer', { server: 'Supreme Lounge' }) }).click();
			await page.getByRole('heading', { name: t('dashboard:servers.title') }).waitFor();
		} finally {
			await language('reset');
		}
	});
});
