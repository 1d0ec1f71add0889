import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotProcess, DiscordEmulator } from '../harness/index.js';
import { eventually } from '../helpers/eventually.js';

const MEMBER = PermissionFlagsBits.SendMessages | PermissionFlagsBits.ViewChannel;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from a PNG's IHDR chunk (the first one, right after the signature). */
function pngSize(png: Buffer): [number, number] {
	expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
	expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
	return [png.readUInt32BE(16), png.readUInt32BE(20)];
}

/** /invite-stats through the real bot: a chart drawn from the join history, its alt text in the server's language. */
describe('/invite-stats end to end', () => {
	let emulator: DiscordEmulator;
	let bot: BotProcess;
	let dataDir: string;
	let guildId: string;
	let alice: string;

	beforeAll(async () => {
		emulator = await DiscordEmulator.start();
		guildId = emulator.createGuild({ name: 'Statistik', community: true, preferredLocale: 'de' }).id;
		alice = emulator.createUser({ username: 'alice' }).id;
		emulator.addMember(guildId, alice);
		emulator.createInvite(guildId, { code: 'alice1', inviterId: alice });
		dataDir = mkdtempSync(join(tmpdir(), 'supreme-invite-stats-'));
		// alice is a bot owner: owners are not held to the command's cooldown, so the tests above may poll it.
		bot = new BotProcess({ apiUrl: emulator.apiUrl, dataDir, env: { COMMAND_GUILD_IDS: guildId, OWNER_IDS: alice } });
		await bot.start();
		await bot.waitForLog(/Invite tracking ready/);
	});

	afterAll(async () => {
		if (bot?.running) await bot.stop('SIGKILL');
		await emulator?.stop();
		rmSync(dataDir, { recursive: true, force: true });
	});

	function stats(options: Record<string, string> = {}, userId = alice) {
		return emulator.runCommand({ guildId, userId, name: 'invite-stats', options, memberPermissions: MEMBER }).answer();
	}

	/** Polls /invite-stats until its alt text matches: joins are recorded a moment after the event. */
	async function altTextMatches(pattern: RegExp): Promise<void> {
		let last = '';
		await eventually(
			async () => {
				last = String((await stats()).attachments[0]?.description);
				return pattern.test(last);
			},
			`alt text ${pattern}`,
			10_000,
			() => last
		);
	}

	it('replies with a PNG chart of the right size whose alt text says what it shows, in German, after a restart too', async () => {
		const bob = emulator.joinViaInvite(guildId, 'alice1', { username: 'bob' }).id;
		emulator.joinViaInvite(guildId, 'alice1', { username: 'carol' });
		await altTextMatches(/insgesamt 2 Beitritte/);
		emulator.leave(guildId, bob);
		// The join history is what the chart is drawn from: it survives a crash.
		await altTextMatches(/und 1 Austritte/);
		await bot.restart('SIGKILL');
		await bot.waitForLog(/Invite tracking ready/);

		const reply = await stats({ period: '7d' });
		expect(reply.ephemeral).toBe(false);
		expect(reply.content).toBe('**Beitritte und Austritte, letzte 7 Tage**');
		expect(reply.attachments).toHaveLength(1);
		const [attachment] = reply.attachments;
		expect(attachment).toMatchObject({ filename: 'invite-stats.png', content_type: 'image/png' });
		expect(attachment!.description).toBe(
			'Balkendiagramm der Beitritte (grün) und Austritte (rot) pro Tag, letzte 7 Tage: insgesamt 2 Beitritte und 1 Austritte. Top-Einlader: alice: 2 Beitritte.'
		);
		expect(pngSize(emulator.attachmentData(attachment!)!)).toEqual([1200, 600]);
	});

	it('refuses a since date that is not one, in German', async () => {
		const reply = await stats({ since: '2026-02-30' });
		expect(reply.ephemeral).toBe(true);
		expect(reply.content).toBe('`2026-02-30` ist kein Datum: Schreibe es als JJJJ-MM-TT, zum Beispiel 2026-03-01.');
		// Not 10 characters: our refusal says how to write it, not Discord's bare length error (the leaderboard's options).
		const short = await stats({ since: '1.3.2026' });
		expect(short.content).toBe('`1.3.2026` ist kein Datum: Schreibe es als JJJJ-MM-TT, zum Beispiel 2026-03-01.');
		expect((await stats({ period: 'since', since: '2026-03-01' })).attachments).toHaveLength(1);
		expect(emulator.unknownRoutes).toEqual([]);
		expect(emulator.serverErrors).toEqual([]);
	});

	it('draws at most 2 charts per 10 seconds per server for members (each reads the whole join history), in German', async () => {
		const members = ['dora', 'emil', 'finn'].map((username) => {
			const { id } = emulator.createUser({ username });
			emulator.addMember(guildId, id);
			return id;
		});
		const replies = await Promise.all(members.map((userId) => stats({ period: '7d' }, userId)));
		const charts = replies.filter((reply) => reply.attachments.length === 1);
		const refused = replies.filter((reply) => reply.attachments.length === 0);
		expect(charts).toHaveLength(2);
		expect(refused).toHaveLength(1);
		expect(refused[0]!.ephemeral).toBe(true);
		expect(refused[0]!.content).toMatch(/^Dieser Befehl wurde auf diesem Server gerade oft benutzt: Versuche es in \d+ Sekunden? erneut\.$/);
		// A bot owner is not held to it.
		expect((await stats({ period: '7d' })).attachments).toHaveLength(1);
	});
});
