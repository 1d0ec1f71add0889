import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotProcess, DiscordEmulator } from '../harness/index.js';
import { runDataCli } from '../helpers/data-cli.js';
import { freePort } from '../helpers/free-port.js';
import { eventually } from '../helpers/eventually.js';

const ADMIN = PermissionFlagsBits.ManageGuild | PermissionFlagsBits.SendMessages | PermissionFlagsBits.ViewChannel;
const MEMBER = PermissionFlagsBits.SendMessages | PermissionFlagsBits.ViewChannel;

function buttons(message: { components?: any[] }): any[] {
	return (message.components ?? []).flatMap((row: any) => row.components);
}

/** /data-status, /backup-data, /restore-data and the health endpoint, through the real bot and the emulator. */
describe('data tools end to end', () => {
	let emulator: DiscordEmulator;
	let bot: BotProcess;
	let dataDir: string;
	let guildId: string;
	let channelId: string;
	let owner: string;
	let admin: string;
	let alice: string;
	let healthPort: number;

	beforeAll(async () => {
		emulator = await DiscordEmulator.start();
		const guild = emulator.createGuild({ name: 'Data' });
		guildId = guild.id;
		channelId = guild.systemChannelId!;
		owner = emulator.createUser({ username: 'owner' }).id;
		admin = emulator.createUser({ username: 'admin' }).id;
		alice = emulator.createUser({ username: 'alice' }).id;
		for (const id of [owner, admin, alice]) emulator.addMember(guildId, id);
		emulator.createInvite(guildId, { code: 'alice1', inviterId: alice });
		dataDir = mkdtempSync(join(tmpdir(), 'supreme-data-tools-'));
		healthPort = await freePort();
		bot = new BotProcess({
			apiUrl: emulator.apiUrl,
			dataDir,
			storageAdapter: 'file',
			env: { COMMAND_GUILD_IDS: guildId, OWNER_IDS: owner, HEALTH_PORT: String(healthPort) }
		});
		await bot.start();
		await bot.waitForLog(/Invite tracking ready/);
	});

	afterAll(async () => {
		if (bot?.running) await bot.stop('SIGKILL');
		await emulator?.stop();
		rmSync(dataDir, { recursive: true, force: true });
	});

	async function command(name: string, userId: string, options: Record<string, string | number> = {}, permissions = ADMIN, subcommand?: string) {
		const handle = emulator.runCommand({
			guildId,
			channelId,
			userId,
			name,
			options,
			memberPermissions: permissions,
			...(subcommand ? { subcommand } : {})
		});
		const first = await handle.reply();
		// Deferred replies arrive as an edit.
		const reply = first.deferred ? await handle.waitForEdit((edit: any) => edit.embeds.length > 0 || edit.content !== '') : first;
		return { handle, reply: reply as any, ephemeral: first.ephemeral };
	}

	async function invitesOf(userId: string): Promise<string> {
		const { reply } = await command('invites', admin, { user: userId });
		return String(reply.embeds[0]?.description ?? reply.content);
	}

	function field(reply: any, name: string): string {
		return String(reply.embeds[0]?.fields?.find((candidate: any) => candidate.name === name)?.value);
	}

	it('/data-status shows this server and the storage to admins only', async () => {
		emulator.joinViaInvite(guildId, 'alice1', { username: 'bob' });
		await eventually(async () => (await invitesOf(alice)).includes('1 invite (1 regular'), 'the join to be counted');

		const { reply, ephemeral } = await command('data-status', admin);
		expect(ephemeral).toBe(true);
		expect(field(reply, 'This server')).toContain('Members tracked: 1 · join history: 1');
		expect(field(reply, 'This server')).toContain('Invites: 1 from 1 inviter');
		expect(field(reply, 'This server')).toContain('Invite tracking: working');
		expect(field(reply, 'Welcome and auto-roles')).toMatch(/Welcome: off/);
		const storage = field(reply, 'Storage (whole bot)');
		expect(storage).toContain('Adapter: **file** · healthy');
		expect(storage).toMatch(/Last backup: <t:\d+:f> \(\d+ (sec|min)\. ago\) · `\d{8}T\d{9}Z-\d{2}-startup`/);
		expect(field(reply, 'Records per namespace')).toMatch(/join-history 1/);
		expect(field(reply, 'Recent recoveries and errors')).toBe('none since the bot started');

		const denied = await command('data-status', alice, {}, MEMBER);
		expect(denied.ephemeral).toBe(true);
		expect(denied.reply.content).toMatch(/permission/i);
	});

	it('/backup-data is for bot owners; it replies with the id, place, size and counts', async () => {
		const denied = await command('backup-data', admin);
		expect(denied.ephemeral).toBe(true);
		expect(denied.reply.content).toMatch(/only for the bot owner/);

		const { reply } = await command('backup-data', owner);
		const embed = reply.embeds[0];
		expect(embed.title).toBe('Backup made');
		expect(embed.description).toMatch(new RegExp(`^\`\\d{8}T\\d{9}Z-\\d{2}-manual-${owner}\`$`));
		expect(field(reply, 'Where')).toContain(join(dataDir, 'backups'));
		expect(field(reply, 'Records')).toMatch(/join-history 1/);
	});

	it('/restore-data lists backups in pages for owners', async () => {
		expect((await command('restore-data', admin)).reply.content).toMatch(/only for the bot owner/);
		for (let index = 0; index < 4; index++) await command('backup-data', owner);
		const { handle, reply } = await command('restore-data', owner);
		expect(reply.embeds[0].footer.text).toMatch(/^Page 1 of 2 · [6-9] backups$/);
		const next = buttons(reply).find((button) => button.label === 'Next');
		expect(next.disabled).toBe(false);
		const page = emulator.clickButton({
			guildId,
			channelId,
			userId: owner,
			messageId: handle.original!.id,
			customId: next.custom_id,
			memberPermissions: ADMIN
		});
		await page.answer();
		const second: any = page.current!;
		expect(second.embeds[0]!.footer!.text).toMatch(/^Page 2 of 2/);
		expect(buttons(second).find((button) => button.label === 'Next').disabled).toBe(true);

		// A button of the list clicked by someone else is refused.
		const previous = buttons(second).find((button) => button.label === 'Previous');
		const stranger = emulator.clickButton({
			guildId,
			channelId,
			userId: admin,
			messageId: handle.original!.id,
			customId: previous.custom_id,
			memberPermissions: ADMIN
		});
		// Refused privately after a defer (the refusal is in the server's language, read from storage).
		expect((await stranger.answer()).content).toMatch(/only for the bot owner/);
	});

	it('/restore-data with an id asks first, then backs up, restores, reloads and reports counts', async () => {
		const backupId = /`([^`]+)`/.exec((await command('backup-data', owner)).reply.embeds[0].description)![1]!;
		// A change after the backup that the restore must undo (joins would be found again in the member list).
		await command('bonus-invites', admin, { user: alice, amount: 5 }, ADMIN, 'add');
		expect(await invitesOf(alice)).toContain('6 invites (1 regular, 0 left, 0 fake, 5 bonus)');

		const unknown = await command('restore-data', owner, { id: '20990101T000000000Z-00-nothing' });
		expect(unknown.reply.content).toMatch(/There is no backup `20990101T000000000Z-00-nothing`/);

		const { handle, reply } = await command('restore-data', owner, { id: backupId });
		expect(reply.content).toContain(`Restore backup \`${backupId}\``);
		expect(reply.content).toMatch(/every server/);
		const restore = buttons(reply).find((button) => button.label === 'Restore');

		const stranger = emulator.clickButton({
			guildId,
			channelId,
			userId: admin,
			messageId: handle.original!.id,
			customId: restore.custom_id,
			memberPermissions: ADMIN
		});
		// Refused privately after a defer (the refusal is in the server's language, read from storage).
		expect((await stranger.answer()).content).toMatch(/only for the bot owner/);
		expect(await invitesOf(alice)).toContain('5 bonus');

		const click = emulator.clickButton({
			guildId,
			channelId,
			userId: owner,
			messageId: handle.original!.id,
			customId: restore.custom_id,
			memberPermissions: ADMIN
		});
		const done = await click.waitForEdit((edit: any) => edit.embeds.length > 0, 15_000);
		expect(done.embeds[0]!.title).toBe('Backup restored');
		expect(done.embeds[0]!.description).toMatch(
			new RegExp(`Restored \`${backupId}\`\\. The state before it is backup \`\\d{8}T\\d{9}Z-\\d{2}-before-restore-`)
		);
		expect(field(done, 'Records before → after')).toContain('invites: 1 → 0');
		expect(field(done, 'Features reloaded').split(', ').sort()).toEqual(['autoroles', 'giveaways', 'invites', 'screening', 'welcome']);
		// The tracker reloaded: the counts are the backup's, without a restart.
		expect(await invitesOf(alice)).toContain('1 invite (1 regular, 0 left, 0 fake, 0 bonus)');

		// A restore survives a restart too.
		await bot.restart('SIGKILL');
		expect(await invitesOf(alice)).toContain('1 invite (1 regular, 0 left, 0 fake, 0 bonus)');
		expect(emulator.unknownRoutes).toEqual([]);
	});

	it('serves /healthz (200 while connected, 503 once the gateway is gone) and /status without secrets', async () => {
		const base = `http://127.0.0.1:${healthPort}`;
		const healthy = await fetch(`${base}/healthz`);
		expect(healthy.status).toBe(200);
		expect(await healthy.text()).toBe('ok\n');
		const status = await fetch(`${base}/status`);
		const text = await status.text();
		expect(status.status).toBe(200);
		expect(JSON.parse(text)).toMatchObject({
			healthy: true,
			gateway: { connected: true, guilds: 1 },
			storage: { adapter: 'file', healthy: true }
		});
		expect(text).not.toContain('test-token');
		expect((await fetch(`${base}/nope`)).status).toBe(404);

		await emulator.stop();
		let last = 0;
		await eventually(
			async () => (last = (await fetch(`${base}/healthz`)).status) === 503,
			'/healthz to answer 503',
			20_000,
			() => String(last)
		);
		expect(await (await fetch(`${base}/healthz`)).text()).toBe('gateway not connected\n');
	});
});

/** The data CLI beside a running bot on sqlite: the database is shared safely, and the bot reloads what the CLI replaced. */
describe('data CLI restore beside a running bot (sqlite)', () => {
	let emulator: DiscordEmulator;
	let bot: BotProcess;
	let dataDir: string;
	let guildId: string;
	let channelId: string;
	let alice: string;

	beforeAll(async () => {
		emulator = await DiscordEmulator.start();
		const guild = emulator.createGuild({ name: 'Shared sqlite' });
		guildId = guild.id;
		channelId = guild.systemChannelId!;
		alice = emulator.createUser({ username: 'alice' }).id;
		emulator.addMember(guildId, alice);
		emulator.createInvite(guildId, { code: 'alice1', inviterId: alice });
		dataDir = mkdtempSync(join(tmpdir(), 'supreme-shared-sqlite-'));
		bot = new BotProcess({ apiUrl: emulator.apiUrl, dataDir, storageAdapter: 'sqlite', env: { COMMAND_GUILD_IDS: guildId } });
		await bot.start();
		await bot.waitForLog(/Invite tracking ready/);
	});

	afterAll(async () => {
		if (bot?.running) await bot.stop('SIGKILL');
		await emulator?.stop();
		rmSync(dataDir, { recursive: true, force: true });
	});

	async function invitesOfAlice(): Promise<string> {
		const reply = await emulator
			.runCommand({ guildId, channelId, userId: alice, name: 'invites', options: { user: alice }, memberPermissions: MEMBER })
			.answer();
		return String(reply.embeds[0]?.description ?? reply.content);
	}

	const cliEnv = () => ({ STORAGE_ADAPTER: 'sqlite', DATA_DIR: dataDir });

	it('reloads the counts a CLI restore replaced, without a restart', async () => {
		emulator.joinViaInvite(guildId, 'alice1');
		await eventually(async () => (await invitesOfAlice()).includes('1 invite (1 regular, 0 left, 0 fake, 0 bonus)'), 'the join to be counted');
		const backup = await runDataCli(['backup'], cliEnv());
		expect(backup.code, backup.stderr).toBe(0);
		const backupId = /(\d{8}T\d{9}Z-\d{2}-\S+)/.exec(backup.stdout)?.[1];
		expect(backupId).toBeDefined();
		await emulator
			.runCommand({
				guildId,
				channelId,
				userId: alice,
				name: 'bonus-invites',
				subcommand: 'add',
				options: { user: alice, amount: 3 },
				memberPermissions: ADMIN
			})
			.answer();
		expect(await invitesOfAlice()).toContain('4 invites (1 regular, 0 left, 0 fake, 3 bonus)');

		const restore = await runDataCli(['restore', backupId!], cliEnv());
		expect(restore.code, restore.stderr).toBe(0);
		// The bot notices within its check interval and reloads, as /restore-data would.
		let last = '';
		await eventually(
			async () => (last = await invitesOfAlice()).includes('1 invite (1 regular, 0 left, 0 fake, 0 bonus)'),
			'the bot to reload the restored counts',
			25_000,
			() => last
		);
		expect(bot.logLines(/stored data was replaced by another process/)).toHaveLength(1);
		emulator.joinViaInvite(guildId, 'alice1');
		await eventually(
			async () => (await invitesOfAlice()).includes('2 invites (2 regular, 0 left, 0 fake, 0 bonus)'),
			'a join after the restore to be counted'
		);
	}, 60_000);
});
