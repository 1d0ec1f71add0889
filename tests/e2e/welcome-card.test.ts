import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotProcess, DiscordEmulator } from '../harness/index.js';
import type { ApiAttachment } from '../harness/emulator/types.js';
import { eventually } from '../helpers/eventually.js';
import { flushRedisDatabase, redisAvailable, redisTestUrl } from '../helpers/redis.js';
import type { BackupManifest } from '../../src/storage-adapters/types.js';

const ADMIN = PermissionFlagsBits.ManageGuild | PermissionFlagsBits.SendMessages | PermissionFlagsBits.ViewChannel;

function solidPng(color: string, width = 400, height = 200): Buffer {
	const canvas = createCanvas(width, height);
	const context = canvas.getContext('2d');
	context.fillStyle = color;
	context.fillRect(0, 0, width, height);
	return canvas.toBuffer('image/png');
}

/** The colour in the card's top right corner, where only the background is (no text, no avatar). */
async function cornerPixel(png: Buffer): Promise<number[]> {
	const image = await loadImage(png);
	const canvas = createCanvas(image.width, image.height);
	const context = canvas.getContext('2d');
	context.drawImage(image, 0, 0);
	return [...context.getImageData(image.width - 10, 10, 1, 1).data].slice(0, 3);
}

/** A picture under the card's dark veil (35 % black): what a solid background shows as in the corner. */
const veiled = (red: number, green: number, blue: number) => [red, green, blue].map((value) => Math.round(value * 0.65));

const REDIS_URL = redisTestUrl(11);

/** /welcome-card through the real bot: backgrounds fetched once and stored with the data, refusals, backups, restarts. */
describe.each([
	{ adapter: 'file', available: true },
	{ adapter: 'sqlite', available: true },
	{ adapter: 'redis', available: redisAvailable }
] as const)('welcome card designer end to end: $adapter', ({ adapter, available }) => {
	let emulator: DiscordEmulator;
	let bot: BotProcess;
	let dataDir: string;
	let images: Server;
	let imageBase: string;
	const fetched: string[] = [];
	let guildId: string;
	let welcomeChannel: string;
	let admin: string;
	let owner: string;
	let alice: string;

	beforeAll(async () => {
		if (!available) return;
		if (adapter === 'redis') await flushRedisDatabase(REDIS_URL);
		// The web server a URL background comes from; it counts requests, so a refetch would show.
		const red = solidPng('#ff0000');
		const wide = solidPng('#00ff00', 5000, 10);
		images = createServer((request, response) => {
			fetched.push(request.url ?? '');
			if (request.url === '/red.png') return void response.writeHead(200, { 'content-type': 'image/png' }).end(red);
			if (request.url === '/wide.png') return void response.writeHead(200, { 'content-type': 'image/png' }).end(wide);
			if (request.url === '/page.html') return void response.writeHead(200, { 'content-type': 'image/png' }).end('<html>not an image</html>');
			if (request.url === '/endless.png') {
				// No Content-Length: the size is known only as the bytes arrive.
				response.writeHead(200, { 'content-type': 'image/png' });
				for (let chunk = 0; chunk < 40; chunk++) response.write(Buffer.alloc(64 * 1024));
				return void response.end();
			}
			response.writeHead(404).end();
		});
		await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
		imageBase = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;

		emulator = await DiscordEmulator.start();
		guildId = emulator.createGuild({ name: 'Card Hall' }).id;
		welcomeChannel = emulator.createChannel(guildId, { name: 'welcome' }).id;
		admin = emulator.createUser({ username: 'admin' }).id;
		owner = emulator.createUser({ username: 'owner' }).id;
		alice = emulator.createUser({ username: 'alice' }).id;
		for (const id of [admin, owner, alice]) emulator.addMember(guildId, id);
		emulator.createInvite(guildId, { code: 'alice1', inviterId: alice });
		dataDir = mkdtempSync(join(tmpdir(), 'supreme-welcome-card-'));
		bot = new BotProcess({
			apiUrl: emulator.apiUrl,
			dataDir,
			storageAdapter: adapter,
			env: {
				REDIS_URL,
				COMMAND_GUILD_IDS: guildId,
				OWNER_IDS: owner,
				// The image server of this test is on 127.0.0.1, which the bot refuses by default (see card-background.test.ts).
				CARD_IMAGE_PRIVATE_URLS: 'allow'
			}
		});
		await bot.start();
		await bot.waitForLog(/Invite tracking ready/);
	});

	afterAll(async () => {
		if (!available) return;
		if (bot?.running) await bot.stop('SIGKILL');
		await emulator?.stop();
		images?.closeAllConnections();
		await new Promise((resolve) => images?.close(resolve));
		rmSync(dataDir, { recursive: true, force: true });
		if (adapter === 'redis') await flushRedisDatabase(REDIS_URL);
	});

	function run(name: string, subcommand: string | undefined, options: Record<string, string | boolean> = {}, userId = admin) {
		return emulator.runCommand({ guildId, userId, name, options, memberPermissions: ADMIN, ...(subcommand ? { subcommand } : {}) });
	}

	const card = (subcommand: string, options: Record<string, string | boolean> = {}) => run('welcome-card', subcommand, options).answer();

	async function preview(): Promise<{ png: Buffer; attachment: ApiAttachment; content: string }> {
		const reply = await card('preview');
		expect(reply.ephemeral).toBe(true);
		const [attachment] = reply.attachments;
		expect(attachment).toMatchObject({ filename: 'welcome.png', content_type: 'image/png' });
		return { png: emulator.attachmentData(attachment!)!, attachment: attachment!, content: reply.content };
	}

	it.skipIf(!available)(
		'a URL background is downloaded once, stored, drawn at joins and in previews, and not fetched again after a crash',
		async () => {
			const set = await card('background', { url: `${imageBase}/red.png` });
			expect(set.content).toMatch(/^Background stored: a PNG of 400×200 pixels \([\d.]+ kB\)\. It is kept and backed up with the bot's data/);
			expect(fetched.filter((url) => url === '/red.png')).toHaveLength(1);

			const first = await preview();
			expect(await cornerPixel(first.png)).toEqual(veiled(255, 0, 0));
			expect(first.attachment.description).toBe('Welcome card for admin');
			expect(first.content).toMatch(/does not use it yet: run \/setup-welcome with banner `generated`/);

			await run('setup-welcome', undefined, { channel: welcomeChannel, message: 'Hi {user}', banner: 'generated' }).answer();
			await bot.restart('SIGKILL');
			await bot.waitForLog(/Invite tracking ready/);
			const bob = emulator.joinViaInvite(guildId, 'alice1', { username: 'bob' });
			const welcome = await emulator.waitFor(
				() => emulator.messages(welcomeChannel).find((message) => message.content.includes(bob.id)),
				10_000
			);
			expect(welcome.attachments[0]!.description).toBe('Welcome card for bob');
			expect(await cornerPixel(emulator.attachmentData(welcome.attachments[0]!)!)).toEqual(veiled(255, 0, 0));
			expect((await preview()).content).toBe('This is the card as members will get it.');
			// Drawn from the stored copy: the image server saw one request in all.
			expect(fetched.filter((url) => url === '/red.png')).toHaveLength(1);
		}
	);

	it.skipIf(!available)('refuses bad images with what is wrong and the limits, and changes nothing', async () => {
		const refused = async (options: Record<string, string | boolean>) => {
			const reply = await card('background', options);
			expect(reply.ephemeral).toBe(true);
			return reply.content;
		};
		const upload = (filename: string, data: Buffer) => emulator.uploadAttachment({ filename, data, contentType: 'image/png' }).id;

		expect(await refused({ image: upload('cat.png', Buffer.from('just text, named like a picture')) })).toBe(
			'That file is not a PNG, JPEG, WebP or GIF image (judged by its content, not its name).'
		);
		const tooBig = Buffer.concat([solidPng('#0000ff'), Buffer.alloc(1536 * 1024)]);
		expect(await refused({ image: upload('big.png', tooBig) })).toMatch(/^The image is 1\.6 MB; the limit is 1 MB\./);
		const cut = solidPng('#0000ff').subarray(0, 60);
		expect(await refused({ image: upload('cut.png', cut) })).toBe(
			'The image looks like a PNG but could not be read: the file is damaged or cut short.'
		);
		expect(await refused({ url: `${imageBase}/gone.png` })).toBe(`The server at ${new URL(imageBase).host} answered 404 instead of the image.`);
		expect(await refused({ url: `${imageBase}/wide.png` })).toBe('The image is 5,000×10 pixels; the limit is 4,096 pixels on each side.');
		expect(await refused({ url: `${imageBase}/page.html` })).toMatch(/^That file is not a PNG, JPEG, WebP or GIF image/);
		expect(await refused({ url: `${imageBase}/endless.png` })).toMatch(/^The image is larger than the limit of 1 MB\./);
		expect(await refused({ url: 'ftp://example.com/a.png' })).toMatch(/is not a web address/);
		expect(await refused({ url: `${imageBase}/red.png`, image: upload('blue.png', solidPng('#0000ff')) })).toMatch(/^Give exactly one of/);
		expect(await refused({})).toMatch(/^Give exactly one of/);
		// Nothing refused replaced the stored background.
		expect(await cornerPixel((await preview()).png)).toEqual(veiled(255, 0, 0));

		// An upload is an attachment option: Discord's CDN copy is downloaded once and stored.
		const stored = await card('background', { image: upload('blue.png', solidPng('#0000ff')) });
		expect(stored.content).toMatch(/^Background stored: a PNG of 400×200 pixels/);
		expect(await cornerPixel((await preview()).png)).toEqual(veiled(0, 0, 255));
	});

	it.skipIf(!available)('sets colours, text lines and the avatar, refusing bad values', async () => {
		expect((await card('colors', { accent: 'pink' })).content).toBe('The accent colour `pink` is not a colour: use hex like #5865F2.');
		expect((await card('colors')).content).toMatch(/^Give at least one colour/);
		expect((await card('text', { line1: 'Hi {nope}' })).content).toMatch(
			/^Line 1 has an unknown placeholder \{nope\}\. Valid placeholders: \{user\}/
		);
		expect((await card('text', { line2: `{server} ${'x'.repeat(10)}` })).content).toBe(
			'Line 2 can be up to 111 characters once placeholders are filled in; a card line holds 100.'
		);
		const before = (await preview()).png;
		expect((await card('text', { line1: 'HELLO', line2: '{username}', line4: 'you are #{memberCount}' })).content).toBe(
			'The welcome card now shows your 4 lines.'
		);
		expect((await card('avatar', { enabled: false })).content).toBe('The card shows no avatar.');
		expect((await card('background', { remove: true })).content).toBe('The card has no background image now.');
		expect((await card('colors', { background: '#00FF00', text: '#000000' })).content).toBe(
			'Card colours: background #00ff00, accent default, text #000000.'
		);
		const after = (await preview()).png;
		expect(after.equals(before)).toBe(false);
		// No image: the gradient starts at the chosen colour in the top left corner.
		const image = await loadImage(after);
		const canvas = createCanvas(image.width, image.height);
		canvas.getContext('2d').drawImage(image, 0, 0);
		const [red, green, blue] = canvas.getContext('2d').getImageData(0, 0, 1, 1).data;
		expect([red! < 8, green! > 247, blue! < 8]).toEqual([true, true, true]);
		expect((await card('text')).content).toBe("The welcome card shows its own text again, in the server's language.");
	});

	it.skipIf(!available)('is in backups: a restore brings the design and the image back, and the alt text follows the language', async () => {
		await card('background', { url: `${imageBase}/red.png` });
		const downloads = fetched.length;
		const backup = await run('backup-data', undefined, {}, owner).answer();
		const backupId = /`([^`]+)`/.exec(String(backup.embeds[0]!.description))![1]!;
		const manifest = JSON.parse(readFileSync(join(dataDir, 'backups', backupId, 'manifest.json'), 'utf8')) as BackupManifest;
		expect(manifest.counts['welcome-cards']).toBe(1);

		expect((await card('reset')).content).toBe('The card design is back to the default, and its background image is removed.');
		expect(await cornerPixel((await preview()).png)).not.toEqual(veiled(255, 0, 0));

		const handle = run('restore-data', undefined, { id: backupId }, owner);
		const ask = await handle.answer();
		const restore = (ask.components as any[]).flatMap((row) => row.components).find((button: any) => button.label === 'Restore');
		const click = emulator.clickButton({
			guildId,
			channelId: handle.payload.channel_id,
			userId: owner,
			messageId: handle.original!.id,
			customId: restore.custom_id,
			memberPermissions: ADMIN
		});
		await click.waitForEdit((edit) => edit.embeds.length > 0, 15_000);
		await eventually(
			async () => JSON.stringify(await cornerPixel((await preview()).png)) === JSON.stringify(veiled(255, 0, 0)),
			'the restored background'
		);
		// The restored image is the stored copy: nothing was downloaded again.
		expect(fetched).toHaveLength(downloads);

		await run('language', 'set', { language: 'de' }).answer();
		const german = await preview();
		expect(german.attachment.description).toBe('Willkommenskarte für admin');
		expect(german.content).toBe('So sehen Mitglieder die Karte.');
		expect(emulator.unknownRoutes).toEqual([]);
		expect(emulator.serverErrors).toEqual([]);
	});
});
