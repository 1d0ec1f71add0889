import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@redis/client';
import { PermissionFlagsBits } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BotProcess, DiscordEmulator } from '../harness/index.js';
import { eventually } from '../helpers/eventually.js';
import { flushRedisDatabase, redisAvailable, redisTestUrl } from '../helpers/redis.js';

const ADMIN = PermissionFlagsBits.ManageGuild | PermissionFlagsBits.SendMessages | PermissionFlagsBits.ViewChannel;
const REDIS_URL = redisTestUrl(13);
const PREFIX = 'supreme:';

/**
 * Redis glob patterns for every key except those starting with `forbidden`: one pattern per position, "the same up to
 * here, then another character". An ACL user with write access to these alone can write anything but those keys.
 */
function everythingBut(forbidden: string): string[] {
	const escape = (text: string) => text.replace(/[\\*?[\]^-]/g, (char) => `\\${char}`);
	return [...forbidden].map((char, index) => `${escape(forbidden.slice(0, index))}[^${escape(char)}]*`);
}

/**
 * "Snapshot before records" (issue 16): the bot is SIGKILLed after the first of the two writes a join needs (the
 * member's record, the guild's invite snapshot) and before the second. The second write is held back by a Redis ACL
 * on the bot's own user: its write is refused, so the process is killed with the first write done and the second not.
 * Both orders are tried; in each, the next start must still count the join for its inviter. (With the snapshot
 * written first, holding back the records leaves a snapshot that already holds the join's use, and the join is lost.)
 */
describe.runIf(redisAvailable)('a crash between a join record and the invite snapshot', () => {
	let emulator: DiscordEmulator;
	let dataDir: string;
	let guildId: string;
	let channelId: string;
	let admin: string;
	let alice: string;
	let admin$: ReturnType<typeof createClient>;
	const user = `crash-${randomBytes(4).toString('hex')}`;
	const password = randomBytes(12).toString('hex');
	const botUrl = () => {
		const url = new URL(REDIS_URL);
		url.username = user;
		url.password = password;
		return url.toString();
	};
	const allowWrites = (patterns: string[]) =>
		admin$.sendCommand([
			'ACL',
			'SETUSER',
			user,
			'on',
			`>${password}`,
			'+@all',
			'allchannels',
			'resetkeys',
			'%R~*',
			...patterns.map((p) => `%W~${p}`)
		]);

	beforeEach(async () => {
		admin$ = createClient({ url: REDIS_URL });
		await admin$.connect();
		await flushRedisDatabase(REDIS_URL);
		await allowWrites(['*']);
		emulator = await DiscordEmulator.start();
		dataDir = mkdtempSync(join(tmpdir(), 'supreme-crash-'));
		const guild = emulator.createGuild({ name: 'Crash' });
		guildId = guild.id;
		channelId = guild.systemChannelId!;
		admin = emulator.createUser({ username: 'admin' }).id;
		alice = emulator.createUser({ username: 'alice' }).id;
		for (const id of [admin, alice]) emulator.addMember(guildId, id);
		emulator.createInvite(guildId, { code: 'alice1', inviterId: alice });
	});

	afterEach(async () => {
		await emulator.stop();
		rmSync(dataDir, { recursive: true, force: true });
		await admin$.sendCommand(['ACL', 'DELUSER', user]);
		await flushRedisDatabase(REDIS_URL);
		await admin$.close();
	});

	const bot = () =>
		new BotProcess({ apiUrl: emulator.apiUrl, dataDir, storageAdapter: 'redis', env: { COMMAND_GUILD_IDS: guildId, REDIS_URL: botUrl() } });

	async function invitesText(userId: string): Promise<string> {
		const reply = await emulator
			.runCommand({ guildId, channelId, userId: admin, name: 'invites', options: { user: userId }, memberPermissions: ADMIN })
			.reply();
		return String(reply.embeds[0]?.description);
	}

	it.each([
		['the invite snapshot', 'invite-snapshot'],
		["the member's record", 'join-history']
	])('killed before %s is written, the next start still counts the join', async (_what, namespace) => {
		const crashing = bot();
		await crashing.start();
		await crashing.waitForLog(/Invite tracking ready/);
		await allowWrites(everythingBut(`${PREFIX}${namespace}`));
		emulator.joinViaInvite(guildId, 'alice1', { username: 'newcomer' });
		// The refused write stops the guild's stream (it is not an outage to wait out); the other write went through.
		await crashing.waitForLog(/Invite stream of guild \d+ stopped/, 20_000);
		await crashing.stop('SIGKILL');

		await allowWrites(['*']);
		const restarted = bot();
		await restarted.start();
		try {
			let last = '';
			await eventually(
				async () => (last = await invitesText(alice)).includes('1 invite (1 regular, 0 left'),
				'/invites to count the join made before the crash',
				20_000,
				() => last
			);
			expect(last).toContain('1 invite (1 regular, 0 left');
		} finally {
			await restarted.stop('SIGKILL');
		}
	});
});
