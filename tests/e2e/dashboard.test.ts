import { rmSync } from 'node:fs';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotProcess, DiscordEmulator } from '../harness/index.js';
import type { GuildRecord } from '../harness/emulator/types.js';
import { DashboardClient, startDashboardBot } from '../helpers/dashboard.js';
import { eventually } from '../helpers/eventually.js';

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
		({ bot, base, dataDir } = await startDashboardBot(emulator, { guildId: guild.id, ownerId: owner.id, dataDirPrefix: 'supreme-dashboard-' }));
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

	it('refuses a callback whose state was not issued to this browser (login CSRF)', async () => {
		const victim = new DashboardClient(base);
		await victim.request('/oauth/login');
		// The attacker's own code and state, replayed into the victim's browser.
		const attacker = new DashboardClient(base);
		emulator.oauth.consentAs(member.id);
		const start = await attacker.request('/oauth/login');
		const consent = await fetch(start.headers.get('location')!, { redirect: 'manual' });
		const forged = await victim.request(consent.headers.get('location')!);
		expect(forged.status).toBe(302);
		expect(forged.headers.get('location')).toBe('/?login_error=bad_state');
		expect(forged.headers.getSetCookie().some((line) => line.startsWith('sb_session=') && !line.includes('Max-Age=0'))).toBe(false);
		expect((await victim.json('/api/session')).body.user).toBeNull();
		// No state cookie at all (a link sent by someone else) is refused the same way.
		const bare = await new DashboardClient(base).request(`/oauth/callback?code=whatever&state=${'x'.repeat(32)}`);
		expect(bare.headers.get('location')).toBe('/?login_error=bad_state');
	});

	it("answers 401 without a session, and 403 to a member without Manage Server, checked from the bot's view", async () => {
		expect((await new DashboardClient(base).json(`/api/guilds/${guild.id}/greetings/welcome`)).status).toBe(401);
		const browser = new DashboardClient(base);
		await browser.login(emulator, member.id);
		expect((await browser.json('/api/guilds')).body.guilds).toEqual([]);
		const refused = await browser.json(`/api/guilds/${guild.id}/greetings/welcome`);
		expect(refused.status).toBe(403);
		expect(refused.body).toEqual({ error: 'forbidden', message: 'You need the Manage Server permission in this server.' });
		// Given Manage Server now, the same session gets in at once; taken away again, it is refused at once.
		const role = emulator.createRole(guild.id, { name: 'Helpers', permissions: PermissionFlagsBits.ManageGuild });
		emulator.updateMember(guild.id, member.id, { roles: [role.id] });
		await eventually(async () => (await browser.json(`/api/guilds/${guild.id}/greetings/welcome`)).status === 200, 'access after the role');
		emulator.updateMember(guild.id, member.id, { roles: [] });
		await eventually(async () => (await browser.json(`/api/guilds/${guild.id}/greetings/welcome`)).status === 403, 'refusal after the role');
		// A server the bot is not in.
		expect((await browser.json(`/api/guilds/${absent.id}/greetings/welcome`)).status).toBe(404);
	});

	it('refuses a write without the CSRF token, and with the wrong one', async () => {
		const browser = new DashboardClient(base);
		await browser.login(emulator, admin.id);
		const body = { channelId: guild.systemChannelId!, message: 'Forged {user}' };
		const missing = await browser.json(`/api/guilds/${guild.id}/greetings/welcome`, { method: 'PUT', json: body, csrf: false });
		expect(missing.status).toBe(403);
		expect(missing.body.error).toBe('csrf');
		const wrong = await browser.json(`/api/guilds/${guild.id}/greetings/welcome`, {
			method: 'PUT',
			json: body,
			csrf: false,
			headers: { 'x-csrf-token': 'not-the-token' }
		});
		expect(wrong.status).toBe(403);
		expect((await browser.json(`/api/guilds/${guild.id}/greetings/welcome`)).body.enabled).toBe(false);
	});

	it('changes the welcome message through the API, and the next join in Discord gets it', async () => {
		const browser = new DashboardClient(base);
		await browser.login(emulator, admin.id);
		const channel = guild.systemChannelId!;
		const settings = { channelId: channel, message: 'Hello {user}, welcome to {server} from the dashboard!', banner: 'generated' };
		const preview = await browser.json(`/api/guilds/${guild.id}/greetings/welcome/preview`, { method: 'POST', json: settings });
		expect(preview.status).toBe(200);
		expect(preview.body.content).toBe(`Hello <@${admin.id}>, welcome to Managed from the dashboard!`);
		expect(preview.body.card).toMatch(/^data:image\/png;base64,iVBOR/);
		// Previewing saves nothing.
		expect((await browser.json(`/api/guilds/${guild.id}/greetings/welcome`)).body.enabled).toBe(false);

		const saved = await browser.json(`/api/guilds/${guild.id}/greetings/welcome`, { method: 'PUT', json: settings });
		expect(saved.status).toBe(200);
		expect(saved.body.settings).toMatchObject({ channelId: channel, message: settings.message, banner: 'generated', embed: false });
		const newcomer = emulator.joinUnknown(guild.id, { username: 'newcomer' });
		const message = await emulator.waitForMessage(channel, (candidate) => candidate.content.includes(`<@${newcomer.id}>`), 15_000);
		expect(message.content).toBe(`Hello <@${newcomer.id}>, welcome to Managed from the dashboard!`);
		expect(message.attachments).toHaveLength(1);

		// The same checks as /setup-welcome: a bad colour is refused with the command's reason.
		const refused = await browser.json(`/api/guilds/${guild.id}/greetings/welcome`, { method: 'PUT', json: { ...settings, colour: 'blue' } });
		expect(refused.status).toBe(400);
		expect(refused.body.message).toContain('is not a colour');
	});

	it('keeps backups, restores and exports for OWNER_IDS', async () => {
		const admins = new DashboardClient(base);
		await admins.login(emulator, admin.id);
		for (const [method, path] of [
			['POST', '/api/data/backups'],
			['GET', '/api/data/backups'],
			['GET', '/api/data/export'],
			['POST', '/api/data/restore']
		] as const) {
			const answer = await admins.json(path, { method, ...(method === 'POST' ? { json: { backupId: 'x', confirm: 'x' } } : {}) });
			expect(answer.status, `${method} ${path}`).toBe(403);
			expect(answer.body.error).toBe('owner_only');
		}
		expect((await admins.json(`/api/guilds/${guild.id}/data`)).body.backups).toBeNull();

		const owners = new DashboardClient(base);
		await owners.login(emulator, owner.id);
		expect((await owners.json('/api/session')).body.isOwner).toBe(true);
		const made = await owners.json('/api/data/backups', { method: 'POST' });
		expect(made.status).toBe(200);
		const { id } = made.body.backup;
		expect(JSON.stringify(made.body)).not.toContain(dataDir);
		const unconfirmed = await owners.json('/api/data/restore', { method: 'POST', json: { backupId: id, confirm: 'yes' } });
		expect(unconfirmed.status).toBe(400);
		expect(unconfirmed.body.error).toBe('confirmation');
		const restored = await owners.json('/api/data/restore', { method: 'POST', json: { backupId: id, confirm: id } });
		expect(restored.status).toBe(200);
		expect(restored.body.restored.id).toBe(id);
		const download = await owners.request('/api/data/export');
		expect(download.status).toBe(200);
		expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename="supreme-bot-export-/);
		expect(((await download.json()) as { format: string }).format).toBe('supreme-bot-data');
	});

	it('sends the security headers, and never the client secret or a token', async () => {
		const browser = new DashboardClient(base);
		await browser.login(emulator, admin.id);
		for (const path of ['/api/session', '/api/guilds', '/', '/oauth/login']) {
			const response = await browser.request(path);
			const csp = response.headers.get('content-security-policy') ?? '';
			expect(csp, path).toContain("frame-ancestors 'none'");
			expect(csp, path).toContain("script-src 'self'");
			expect(csp, path).not.toContain('unsafe-inline');
			expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
			expect(response.headers.get('referrer-policy'), path).toMatch(/same-origin|no-referrer/);
			expect(response.headers.get('access-control-allow-origin'), path).not.toBe('*');
			const text = await response.text();
			expect(text).not.toContain(emulator.oauth.clientSecret);
			expect(text).not.toContain('test-token');
		}
	});

	it('logs out: the session stops working at once', async () => {
		const browser = new DashboardClient(base);
		await browser.login(emulator, admin.id);
		const stolen = new Map(browser.cookies);
		expect((await browser.json('/oauth/logout', { method: 'POST', csrf: false })).status).toBe(403);
		expect((await browser.json('/oauth/logout', { method: 'POST' })).body).toEqual({ ok: true });
		expect((await browser.json('/api/session')).body.user).toBeNull();
		const replay = new DashboardClient(base);
		for (const [name, value] of stolen) replay.cookies.set(name, value);
		expect((await replay.json('/api/guilds')).status).toBe(401);
	});

	it('serves the overview, invites, auto-roles and giveaways through the services the commands use', async () => {
		const browser = new DashboardClient(base);
		await browser.login(emulator, admin.id);
		const api = `/api/guilds/${guild.id}`;
		const config = await browser.json(`${api}/invites/config`, { method: 'PUT', json: { fakeAccountDays: 0 } });
		expect(config.body).toMatchObject({ fakeAccountDays: 0, rankRoles: [] });
		emulator.createInvite(guild.id, { code: 'dashboard', inviterId: admin.id });
		const invited = emulator.joinViaInvite(guild.id, 'dashboard', { username: 'invited' });
		await eventually(async () => (await browser.json(`${api}/invites/leaderboard`)).body.entries[0]?.regular === 1, 'the join counted');
		const board = await browser.json(`${api}/invites/leaderboard?page=1`);
		expect(board.body).toMatchObject({ page: 1, pageCount: 1, entries: [{ rank: 1, userId: admin.id, name: 'admin', total: 1, regular: 1 }] });
		const joined = await browser.json(`${api}/invites/members/${invited.id}`);
		expect(joined.body.invitedBy).toMatchObject({ userId: admin.id, code: 'dashboard', how: 'normal' });
		const bonus = await browser.json(`${api}/invites/bonus`, { method: 'POST', json: { userId: admin.id, amount: 5 } });
		expect(bonus.body).toMatchObject({ userId: admin.id, total: 6, bonus: 5 });

		const overview = await browser.json(`${api}/overview`);
		expect(overview.status).toBe(200);
		expect(overview.body.days).toHaveLength(30);
		expect(overview.body.days.at(-1).date).toBe(new Date().toISOString().slice(0, 10));
		expect(overview.body.days.at(-1).joins).toBeGreaterThanOrEqual(1);
		expect(overview.body.topInviters[0]).toMatchObject({ userId: admin.id, total: 6 });
		expect(overview.body.membersTracked).toBeGreaterThanOrEqual(1);

		const role = emulator.createRole(guild.id, { name: 'Newcomers', position: 1 });
		const added = await browser.json(`${api}/autoroles`, { method: 'PUT', json: { roleId: role.id } });
		expect(added.body.roles).toEqual([{ roleId: role.id, for: 'all', delayMs: 0, delay: null }]);
		const greeted = emulator.joinUnknown(guild.id, { username: 'gets-role' });
		await emulator.waitFor(() => emulator.memberRoles(guild.id, greeted.id).includes(role.id), 10_000, 'the auto-role given');
		const everyone = await browser.json(`${api}/autoroles`, { method: 'PUT', json: { roleId: guild.id } });
		expect(everyone.status).toBe(400);
		expect(everyone.body.error).toBe('autorole:notAssignable');

		const channel = guild.systemChannelId!;
		const started = await browser.json(`${api}/giveaways`, {
			method: 'POST',
			json: { channelId: channel, prize: 'Nitro', winners: 1, duration: '1h' }
		});
		expect(started.status).toBe(200);
		const { id } = started.body.giveaway;
		await emulator.waitForMessage(channel, (message) => JSON.stringify(message.embeds ?? []).includes('Nitro'));
		expect((await browser.json(`${api}/giveaways/${id}/pause`, { method: 'POST' })).body.giveaway.state).toBe('paused');
		expect((await browser.json(`${api}/giveaways/${id}/resume`, { method: 'POST' })).body.giveaway.state).toBe('active');
		const ended = await browser.json(`${api}/giveaways/${id}/end`, { method: 'POST' });
		expect(ended.status).toBe(200);
		const list = await browser.json(`${api}/giveaways`);
		expect(list.body.running).toEqual([]);
		expect(list.body.ended.map((giveaway: { id: string }) => giveaway.id)).toContain(id);
	});

	it('starts a giveaway with every /giveaway start option, refused with the command key and text when one is wrong', async () => {
		const browser = new DashboardClient(base);
		await browser.login(emulator, admin.id);
		const api = `/api/guilds/${guild.id}`;
		const channel = guild.systemChannelId!;
		const vip = emulator.createRole(guild.id, { name: 'VIP', position: 1 });
		const booster = emulator.createRole(guild.id, { name: 'Booster', position: 1 });
		const banned = emulator.createRole(guild.id, { name: 'Banned', position: 1 });
		await eventually(async () => {
			const known = (await browser.json(`${api}/channels`)).body.roles.map((role: { id: string }) => role.id);
			return [vip.id, booster.id, banned.id].every((id) => known.includes(id));
		}, 'the bot to know the new roles');
		const scheduled = await browser.json(`${api}/giveaways`, {
			method: 'POST',
			json: {
				channelId: channel,
				prize: 'Scheduled Nitro',
				description: 'From the dashboard',
				winners: 2,
				duration: '1h',
				requiredRoleId: vip.id,
				blockedRoles: banned.id,
				minAccountAge: '1d',
				bonusRoles: `${booster.id} x3, boosters x2`,
				bonusMode: 'highest',
				startsIn: '2s',
				claimWindow: '1h',
				// An empty field of the form is an option left out.
				startsAt: '',
				minServerAge: null
			}
		});
		expect(scheduled.status).toBe(200);
		expect(scheduled.body.giveaway).toMatchObject({ prize: 'Scheduled Nitro', state: 'scheduled', winnerCount: 2, messageId: null });
		// Posted by the scheduler at its start, with the requirements and bonus entries the command would show.
		const posted = await emulator.waitForMessage(channel, (message) => message.embeds?.[0]?.title === '🎉 Scheduled Nitro', 15_000);
		const text = posted.embeds![0]!.description!;
		expect(text).toContain('From the dashboard');
		expect(text).toContain(`Only for <@&${vip.id}>`);
		expect(text).toContain(`Not for <@&${banned.id}>`);
		expect(text).toContain('Accounts at least 1 day old');
		expect(text).toContain(`Bonus entries: <@&${booster.id}> ×3, server boosters ×2 (the highest counts)`);
		const drop = await browser.json(`${api}/giveaways`, {
			method: 'POST',
			json: { channelId: channel, prize: 'Dropped key', winners: 1, duration: '1h', drop: true, requiredRoles: `<@&${vip.id}>` }
		});
		expect(drop.body.giveaway).toMatchObject({ state: 'active', drop: true });
		const dropped = await emulator.waitForMessage(channel, (message) => message.embeds?.[0]?.title === '🎉 Dropped key');
		expect(dropped.embeds![0]!.description).toContain('**Drop**: the first to enter wins (1 winner)');

		// The same option refused by the dashboard and by the command: the same key, the same sentence.
		const past = { prize: 'Too late', winners: 1, duration: '1h', startsAt: '2020-01-01 00:00' };
		const refused = await browser.json(`${api}/giveaways`, { method: 'POST', json: { channelId: channel, ...past } });
		expect(refused.status).toBe(400);
		expect(refused.body).toEqual({ error: 'giveaways:option', message: '`starts-at`: it is in the past.' });
		const command = emulator.runCommand({
			guildId: guild.id,
			channelId: channel,
			userId: admin.id,
			name: 'giveaway',
			subcommand: 'start',
			options: { prize: past.prize, winners: past.winners, duration: past.duration, 'starts-at': past.startsAt },
			memberPermissions: PermissionFlagsBits.ManageGuild
		});
		expect((await command.answer()).content).toBe(refused.body.message);
		const refusals: Array<[Record<string, unknown>, string]> = [
			[{ claimWindow: '100d' }, 'giveaways:claimWindowRetention'],
			[{ bonusRoles: 'everyone x2' }, 'giveaways:option'],
			[{ requiredRoleId: '123456789012345678' }, 'giveaways:unknownRole'],
			[{ startsIn: '1h', startsAt: '2030-01-01 00:00' }, 'giveaways:startBoth'],
			[{ duration: 'soon' }, 'giveaways:notDuration'],
			[{ winners: 0 }, 'giveaways:badWinners'],
			[{ channelId: vip.id }, 'giveaways:chooseChannel']
		];
		// A channel where the bot may not send: refused now, not when a scheduled giveaway would post there.
		const closed = emulator.createChannel(guild.id, {
			name: 'closed',
			permissionOverwrites: [{ id: emulator.botUser.id, type: 'member', deny: PermissionFlagsBits.SendMessages }]
		});
		await eventually(
			async () => (await browser.json(`${api}/channels`)).body.channels.some((entry: { id: string }) => entry.id === closed.id),
			'the bot to know the closed channel'
		);
		refusals.push([{ channelId: closed.id, startsIn: '1h' }, 'giveaways:cannotPost']);
		for (const [change, key] of refusals) {
			const answer = await browser.json(`${api}/giveaways`, {
				method: 'POST',
				json: { channelId: channel, prize: 'Refused', winners: 1, duration: '1h', ...change }
			});
			expect([answer.status, answer.body.error], JSON.stringify(change)).toEqual([400, key]);
		}
		// None of the refused starts left a giveaway behind.
		const list = await browser.json(`${api}/giveaways`);
		expect(list.body.running.map((giveaway: { prize: string }) => giveaway.prize).sort()).toEqual(['Dropped key', 'Scheduled Nitro']);
	});

	it('rate-limits writes per session with 429 and Retry-After, other sessions unaffected', async () => {
		const browser = new DashboardClient(base);
		await browser.login(emulator, admin.id);
		const write = () => browser.json(`/api/guilds/${guild.id}/invites/config`, { method: 'PUT', json: {} });
		const statuses: number[] = [];
		for (let index = 0; index < 31; index++) statuses.push((await write()).status);
		expect(statuses.slice(0, 30).every((status) => status === 200)).toBe(true);
		const limited = await browser.request(`/api/guilds/${guild.id}/invites/config`, { method: 'PUT', json: {} });
		expect(limited.status).toBe(429);
		expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
		const other = new DashboardClient(base);
		await other.login(emulator, admin.id);
		expect((await other.json(`/api/guilds/${guild.id}/invites/config`, { method: 'PUT', json: {} })).status).toBe(200);
	});

	it('refuses a body over 256 KiB, also one sent without a length (chunked), before reading it all', async () => {
		const browser = new DashboardClient(base);
		await browser.login(emulator, admin.id);
		const big = new TextEncoder().encode(JSON.stringify({ fakeAccountDays: 1, padding: 'x'.repeat(1024 * 1024) }));
		// Sent in pieces over time: the refusal must come while the client is still sending.
		let sent = 0;
		const chunked = new ReadableStream({
			async pull(controller) {
				if (sent >= big.length) {
					controller.close();
					return;
				}
				controller.enqueue(big.subarray(sent, sent + 64 * 1024));
				sent += 64 * 1024;
				await new Promise((resolve) => setTimeout(resolve, 50));
			}
		});
		const refused = await browser.json(`/api/guilds/${guild.id}/invites/config`, {
			method: 'PUT',
			body: chunked,
			headers: { 'content-type': 'application/json' },
			duplex: 'half'
		} as RequestInit);
		expect(refused.status).toBe(413);
		expect(refused.body).toEqual({ error: 'too_large', message: 'The body is too large.' });
		// With a length, refused on the length alone, the same way.
		const announced = await browser.json(`/api/guilds/${guild.id}/invites/config`, {
			method: 'PUT',
			body: big,
			headers: { 'content-type': 'application/json' }
		});
		expect(announced.status).toBe(413);
		expect(announced.body).toEqual({ error: 'too_large', message: 'The body is too large.' });
		expect((await browser.json(`/api/guilds/${guild.id}/invites/config`)).body.fakeAccountDays).not.toBe(1);
	});

	it('counts greeting previews as reads: typing in the editor does not use up the writes that saving needs', async () => {
		const browser = new DashboardClient(base);
		await browser.login(emulator, admin.id);
		const settings = { channelId: guild.systemChannelId!, message: 'Preview {user}' };
		const statuses: number[] = [];
		for (let index = 0; index < 35; index++) {
			statuses.push((await browser.json(`/api/guilds/${guild.id}/greetings/welcome/preview`, { method: 'POST', json: settings })).status);
		}
		expect(statuses.every((status) => status === 200)).toBe(true);
		expect((await browser.json(`/api/guilds/${guild.id}/invites/config`, { method: 'PUT', json: {} })).status).toBe(200);
		// Still a POST: the CSRF token is needed all the same.
		const forged = await browser.json(`/api/guilds/${guild.id}/greetings/welcome/preview`, { method: 'POST', json: settings, csrf: false });
		expect(forged.status).toBe(403);
	});
});
