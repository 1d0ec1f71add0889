import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, expect } from 'vitest';
import { BotProcess, DiscordEmulator, type ApiMessage, type InteractionHandle } from '../harness/index.js';
import { openStorage, type AdapterName } from '../../src/storage-adapters/index.js';
import { eventually } from './eventually.js';
import { flushRedisDatabase, redisAvailable, redisTestUrl } from './redis.js';

/** The setup the giveaway e2e suites share: one emulated guild, its members, and the real bot on one storage adapter. */
export const ADMIN = PermissionFlagsBits.ManageGuild | PermissionFlagsBits.SendMessages | PermissionFlagsBits.ViewChannel;
export const MEMBER = PermissionFlagsBits.SendMessages | PermissionFlagsBits.ViewChannel;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Each suite runs on every storage adapter (Redis when a server is there). */
export const GIVEAWAY_ADAPTERS = [
	{ adapter: 'file', available: true },
	{ adapter: 'sqlite', available: true },
	{ adapter: 'redis', available: redisAvailable }
] as const;

export type CommandOptions = Record<string, string | number | boolean>;

export const mentioned = (content: string) => [...content.matchAll(/<@(\d+)>/g)].map((match) => match[1]!);

export interface GiveawayBotSetup {
	adapter: AdapterName;
	available: boolean;
	/** A Redis database of the suite's own, flushed before and after. */
	redisDatabase: number;
	guildName: string;
	/** Members created in the guild, by username; the first runs the commands (Manage Server). */
	users: readonly string[];
}

/**
 * `useGiveawayBot(...)` inside a describe: the hooks start the emulator, the guild and the bot before its tests and
 * stop them after. Its fields are set once started; its helpers are arrow functions, so they can be destructured.
 */
export class GiveawayBot {
	public emulator!: DiscordEmulator;
	public bot!: BotProcess;
	public dataDir!: string;
	public guildId!: string;
	public channelId!: string;
	/** The ids of `setup.users`, in order. */
	public userIds: string[] = [];
	/** The last commands run (newest last). */
	public interactions: InteractionHandle[] = [];
	public readonly redisUrl: string;

	public constructor(private readonly setup: GiveawayBotSetup) {
		this.redisUrl = redisTestUrl(setup.redisDatabase);
	}

	/** The bot's storage, opened beside it (the adapters allow a second process). */
	public readonly openData = () =>
		openStorage({
			adapter: this.setup.adapter,
			dataDir: this.dataDir,
			sqlitePath: join(this.dataDir, 'bot.sqlite'),
			redisUrl: this.redisUrl,
			backupDir: join(this.dataDir, 'backups'),
			backupKeep: 20
		});

	/** Runs a /giveaway subcommand (by the admin with Manage Server, unless told otherwise). */
	public readonly giveaway = (subcommand: string, options: CommandOptions = {}, userId = this.admin, permissions = ADMIN): InteractionHandle => {
		const { guildId, channelId } = this;
		const handle = this.emulator.runCommand({
			guildId,
			channelId,
			userId,
			name: 'giveaway',
			subcommand,
			options,
			memberPermissions: permissions
		});
		this.interactions = [...this.interactions.slice(-20), handle];
		return handle;
	};

	/** Runs a subcommand that answers ephemerally, deferred or not, and resolves with the final text. */
	public readonly answer = async (subcommand: string, options: CommandOptions = {}, userId = this.admin, permissions = ADMIN): Promise<string> => {
		const handle = this.giveaway(subcommand, options, userId, permissions);
		const first = await handle.reply();
		expect(first.ephemeral).toBe(true);
		if (!first.deferred) return first.content;
		return (await handle.waitForEdit(() => true, 15_000)).content;
	};

	/** Starts (or schedules) a giveaway and resolves with its id. */
	public readonly startGiveaway = async (options: CommandOptions): Promise<string> => {
		const text = await this.answer('start', options);
		const id = /Giveaway `(\w+)` (?:started|is scheduled)/.exec(text)?.[1];
		if (!id) throw new Error(`no giveaway id in: ${text}`);
		return id;
	};

	public readonly giveawayMessages = (id: string): ApiMessage[] =>
		this.emulator.messages(this.channelId).filter((candidate) => (candidate.embeds[0] as any)?.footer?.text === `Giveaway ID: ${id}`);

	public readonly giveawayMessage = (id: string): ApiMessage => {
		const [message] = this.giveawayMessages(id);
		if (!message) throw new Error(`the message of giveaway ${id} is not in the channel`);
		return message;
	};

	public readonly description = (id: string): string => String((this.giveawayMessage(id).embeds[0] as any)?.description ?? '');

	public readonly announcements = (id: string): ApiMessage[] =>
		this.emulator.messages(this.channelId).filter((message) => message.content.includes(`(giveaway \`${id}\`)`));

	/** Clicks a button on a message (a server message as a member, a DM as its user) and resolves with the private answer. */
	public readonly click = async (userId: string, message: ApiMessage, customId: string): Promise<string> => {
		const inDm = !message.guild_id;
		const handle = this.emulator.clickButton({
			channelId: message.channel_id,
			userId,
			messageId: message.id,
			customId,
			...(inDm ? {} : { memberPermissions: MEMBER })
		});
		const reply = await handle.reply();
		expect(reply.ephemeral).toBe(true);
		return reply.deferred ? (await handle.waitForEdit(() => true, 15_000)).content : reply.content;
	};

	public readonly pressEnter = (id: string, userId: string): InteractionHandle => {
		const message = this.giveawayMessage(id);
		const customId = (message.components[0] as any).components[0].custom_id as string;
		return this.emulator.clickButton({ channelId: this.channelId, userId, messageId: message.id, customId, memberPermissions: MEMBER });
	};

	/** Clicks the Enter button of a giveaway and resolves with the private answer. */
	public readonly clickEnter = async (id: string, userId: string): Promise<string> => {
		const message = this.giveawayMessage(id);
		return this.click(userId, message, (message.components[0] as any).components[0].custom_id as string);
	};

	/** Waits for the giveaway message to say it ended and for its announcement; resolves with the announcement. */
	public readonly waitForEnd = async (id: string, timeoutMs = 20_000): Promise<ApiMessage> => {
		await eventually(
			() =>
				Promise.resolve(this.giveawayMessages(id).length > 0 && this.description(id).includes('Ended') && this.announcements(id).length > 0),
			`giveaway ${id} to end and be announced`,
			timeoutMs,
			() => (this.giveawayMessages(id).length > 0 ? this.description(id) : 'no message')
		);
		return this.announcements(id)[0]!;
	};

	public get admin(): string {
		return this.userIds[0]!;
	}

	public async start(): Promise<void> {
		const { adapter, available } = this.setup;
		if (!available) return;
		if (adapter === 'redis') await flushRedisDatabase(this.redisUrl);
		this.emulator = await DiscordEmulator.start();
		const guild = this.emulator.createGuild({ name: this.setup.guildName });
		this.guildId = guild.id;
		this.channelId = guild.systemChannelId!;
		this.userIds = this.setup.users.map((username) => this.emulator.createUser({ username }).id);
		for (const id of this.userIds) this.emulator.addMember(this.guildId, id);
		this.dataDir = mkdtempSync(join(tmpdir(), `supreme-${this.setup.guildName.toLowerCase().replaceAll(' ', '-')}-${adapter}-`));
		this.bot = new BotProcess({
			apiUrl: this.emulator.apiUrl,
			dataDir: this.dataDir,
			storageAdapter: adapter,
			env: { COMMAND_GUILD_IDS: this.guildId, REDIS_URL: this.redisUrl }
		});
		await this.bot.start();
		await this.bot.waitForLog(/Giveaways ready/);
	}

	public async stop(): Promise<void> {
		if (!this.setup.available) return;
		if (this.bot?.running) await this.bot.stop('SIGKILL');
		await this.emulator?.stop();
		if (this.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
		if (this.setup.adapter === 'redis') await flushRedisDatabase(this.redisUrl);
	}
}

/** A GiveawayBot for the enclosing describe, with hooks that start it before its tests and stop it after. */
export function useGiveawayBot(setup: GiveawayBotSetup): GiveawayBot {
	const fixture = new GiveawayBot(setup);
	beforeAll(() => fixture.start());
	afterAll(() => fixture.stop());
	return fixture;
}
