import { ApplicationFlags } from 'discord.js';
import { WebSocketServer } from 'ws';
import { Gateway, PRIVILEGED_INTENTS, type GatewaySession, type PrivilegedIntent } from './emulator/gateway.js';
import { Router } from './emulator/http.js';
import {
	commandInteraction,
	componentInteraction,
	modalSubmitInteraction,
	type CommandOptionValue,
	type InteractionContext
} from './emulator/interaction-payloads.js';
import { InteractionHandle } from './emulator/interactions.js';
import { publicMessage } from './emulator/messages.js';
import { apiInvite } from './emulator/shapes.js';
import { registerChannelRoutes } from './emulator/routes/channels.js';
import { commandUsableIn, registerCommandRoutes } from './emulator/routes/commands.js';
import { BotAccess } from './emulator/routes/access.js';
import { registerGuildRoutes } from './emulator/routes/guilds.js';
import { registerIdentityRoutes } from './emulator/routes/identity.js';
import { OAuth2Emulator } from './emulator/oauth2.js';
import { registerInteractionRoutes } from './emulator/routes/interactions.js';
import type { SpecMismatch } from './emulator/spec.js';
import { EmulatorServer, requestMatches, type RecordedRequest, type RequestMatcher } from './emulator/server.js';
import { snowflakeAt } from './emulator/snowflake.js';
import { EmulatorState } from './emulator/state.js';
import type { ApiAttachment, ApiChannel, ApiMember, ApiMessage, ApiRole, ApiUser, ApplicationCommandRecord, GuildRecord } from './emulator/types.js';
import { waitUntil } from './emulator/wait.js';
import {
	World,
	type CreateChannelOptions,
	type CreateGuildOptions,
	type CreateInviteOptions,
	type CreateRoleOptions,
	type CreateUserOptions,
	type JoinTiming
} from './emulator/world.js';

export interface EmulatorOptions {
	/** 0 (default) picks a free port. */
	port?: number;
	host?: string;
	/** HELLO's heartbeat interval; Discord uses 41250, tests may lower it. */
	heartbeatIntervalMs?: number;
	/** The `shards` that `GET /gateway/bot` recommends. */
	shardCount?: number;
	/** Privileged intents the application may request; all allowed by default. A disallowed one closes the gateway with 4014. */
	privilegedIntents?: Partial<Record<PrivilegedIntent, boolean>>;
	botUsername?: string;
	/** Tokens answered with 401 (REST) and 4004 (gateway); any other token is accepted. */
	invalidTokens?: string[];
}

export interface JoinOptions extends JoinTiming {
	/** The server screens new members (rules screening / onboarding): the member arrives `pending: true`. */
	pending?: boolean;
}

/** A user given by id, or the options for a new one (a new user with a generated name when omitted). */
export type UserSpec = string | CreateUserOptions | undefined;

export interface RunCommandOptions {
	/** Omit for a command run in the bot's DMs. */
	guildId?: string;
	/** Defaults to the guild's default channel. */
	channelId?: string;
	userId: string;
	name: string;
	subcommandGroup?: string;
	subcommand?: string;
	/** Option values by name; users, roles and channels by id. Types come from the registered command. */
	options?: Record<string, CommandOptionValue>;
	/** Overrides the member's computed permissions (e.g. `PermissionFlagsBits.ManageGuild`). */
	memberPermissions?: bigint;
	locale?: string;
}

export interface ClickOptions {
	guildId?: string;
	channelId: string;
	userId: string;
	messageId: string;
	customId: string;
	/** For select menus: the chosen values. */
	values?: string[];
	memberPermissions?: bigint;
}

/**
 * A local Discord: REST under `/api/v10` and the gateway WebSocket on one 127.0.0.1 port. The real discord.js client
 * connects with `rest: { api: emulator.apiUrl }`. Tests seed it, act as members, and read what the bot did.
 */
export class DiscordEmulator {
	public readonly state: EmulatorState;
	public readonly gateway: Gateway;
	/** Discord's OAuth2 for web logins: `oauth.consentAs(userId)`, `oauth.clientSecret`, `oauth.redirectUris`. */
	public readonly oauth: OAuth2Emulator;

	private readonly world: World;
	private readonly server: EmulatorServer;
	private readonly invalidTokens: Set<string>;
	private port = 0;

	private constructor(
		options: EmulatorOptions,
		private readonly host: string
	) {
		const allowed = new Set((Object.keys(PRIVILEGED_INTENTS) as PrivilegedIntent[]).filter((name) => options.privilegedIntents?.[name] ?? true));
		const botUser: ApiUser = {
			id: snowflakeAt(Date.now() - 400 * 86_400_000),
			username: options.botUsername ?? 'Supreme Bot',
			discriminator: '0001',
			global_name: null,
			avatar: null,
			bot: true,
			public_flags: 0
		};
		this.state = new EmulatorState(botUser, applicationFlagsFor(allowed));
		this.invalidTokens = new Set(options.invalidTokens ?? []);
		this.gateway = new Gateway(this.state, {
			heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
			shardCount: options.shardCount ?? 1,
			allowedPrivilegedIntents: allowed,
			isTokenValid: (token) => this.isTokenValid(token),
			resumeUrl: () => this.gatewayUrl
		});
		this.world = new World(this.state, this.gateway);
		const applicationOwner = this.world.createUser({ username: 'app-owner' });
		const router = new Router();
		const access = new BotAccess(this.world);
		this.oauth = new OAuth2Emulator(this.state);
		registerIdentityRoutes(router, this.world, {
			oauth: this.oauth,
			gatewayUrl: () => this.gatewayUrl,
			shardCount: options.shardCount ?? 1,
			applicationOwnerId: applicationOwner.id
		});
		registerCommandRoutes(router, this.world);
		registerGuildRoutes(router, this.world, access);
		registerChannelRoutes(router, this.world, access);
		registerInteractionRoutes(router, this.world);
		this.oauth.register(router);
		const sockets = new WebSocketServer({ noServer: true });
		sockets.on('connection', (socket, request) => this.gateway.accept(socket, request));
		this.server = new EmulatorServer({
			router,
			isTokenValid: (token) => this.isTokenValid(token),
			attachment: (id) => this.state.attachmentBytes.get(id),
			onUpgrade: sockets,
			authorize: (query) => this.oauth.authorize(query)
		});
	}

	public async stop(): Promise<void> {
		this.gateway.closeAll();
		await this.server.close();
	}

	// --- addresses -------------------------------------------------------------------------------------------

	public get baseUrl(): string {
		return `http://${this.host}:${this.port}`;
	}

	/** What the bot gets as DISCORD_API_URL / `rest.api`; discord.js appends `/v10`. */
	public get apiUrl(): string {
		return `${this.baseUrl}/api`;
	}

	public get gatewayUrl(): string {
		return `ws://${this.host}:${this.port}/gateway`;
	}

	public get botUser(): ApiUser {
		return this.state.botUser;
	}

	public get applicationId(): string {
		return this.state.applicationId;
	}

	/** Moves the emulator's time forward (interaction deadlines, nonce window) without waiting; see emulator/clock.ts. */
	public advanceClock(ms: number): void {
		this.state.clock.advance(ms);
	}

	public markTokenInvalid(token: string): void {
		this.invalidTokens.add(token);
	}

	// --- seeding ---------------------------------------------------------------------------------------------

	/** A guild with @everyone, the bot's managed role, a default text channel (`systemChannelId`), the owner and the bot as members. */
	public createGuild(options: CreateGuildOptions = {}): GuildRecord {
		return this.world.createGuild(options);
	}

	public createChannel(guildId: string, options: CreateChannelOptions): ApiChannel {
		return this.world.createChannel(guildId, options);
	}

	/** Replaces a channel's permission overwrites as a moderator would (CHANNEL_UPDATE). */
	public setChannelOverwrites(channelId: string, overwrites: NonNullable<CreateChannelOptions['permissionOverwrites']>): ApiChannel {
		return this.world.setChannelOverwrites(channelId, overwrites);
	}

	public deleteChannel(channelId: string): void {
		this.world.deleteChannel(channelId);
	}

	/** Position defaults to just above the highest non-managed role (still below the bot's role at 50). */
	public createRole(guildId: string, options: CreateRoleOptions): ApiRole {
		return this.world.createRole(guildId, options);
	}

	public deleteRole(guildId: string, roleId: string): void {
		this.world.deleteRole(guildId, roleId);
	}

	/** Changes what the bot's managed role allows (GUILD_ROLE_UPDATE). */
	public setBotPermissions(guildId: string, permissions: bigint): void {
		const guild = this.world.requireGuild(guildId);
		const role = [...guild.roles.values()].find((candidate) => candidate.tags?.bot_id === this.applicationId)!;
		role.permissions = String(permissions);
		this.gateway.dispatch('GUILD_ROLE_UPDATE', { guild_id: guildId, role }, guildId);
	}

	public createUser(options: CreateUserOptions = {}): ApiUser {
		return this.world.createUser(options);
	}

	/** Seeds a member without any gateway event. */
	public addMember(guildId: string, userId: string, options: { roles?: string[]; joinedAt?: Date } = {}): void {
		this.world.addMember(guildId, userId, { ...options, silent: true });
	}

	/** Creates an invite (INVITE_CREATE when the bot is connected); the inviter defaults to the guild owner. */
	public createInvite(guildId: string, options: CreateInviteOptions = {}) {
		return apiInvite(this.state, this.world.createInvite(guildId, options));
	}

	/** A member joins through an invite: its uses go up (an exhausted invite is deleted) before GUILD_MEMBER_ADD. */
	public joinViaInvite(guildId: string, code: string, user?: UserSpec, options: JoinOptions = {}): ApiUser {
		const joiner = this.userFrom(user);
		this.world.joinViaInvite(guildId, code, joiner.id, options);
		return joiner;
	}

	/** A pending member (joined with `pending: true`) passes the server's rules screening: GUILD_MEMBER_UPDATE `pending: false`. */
	public passScreening(guildId: string, userId: string): void {
		this.world.passScreening(guildId, userId);
	}

	/** A member joins through the vanity URL: the vanity uses go up, no invite changes. */
	public joinViaVanity(guildId: string, user?: UserSpec): ApiUser {
		const joiner = this.userFrom(user);
		this.world.joinViaVanity(guildId, joiner.id);
		return joiner;
	}

	/** A join no invite explains (e.g. server discovery): nothing but GUILD_MEMBER_ADD. */
	public joinUnknown(guildId: string, user?: UserSpec, options: JoinOptions = {}): ApiUser {
		const joiner = this.userFrom(user);
		this.world.addMember(guildId, joiner.id, options);
		return joiner;
	}

	/** Another bot added through OAuth: a bot user joins, no invite changes. */
	public addBot(guildId: string, user?: UserSpec): ApiUser {
		const bot = this.userFrom(typeof user === 'string' ? user : { ...user, bot: true });
		this.world.addMember(guildId, bot.id);
		return bot;
	}

	public leave(guildId: string, userId: string): void {
		this.world.removeMember(guildId, userId);
	}

	public deleteInvite(code: string): void {
		this.world.deleteInvite(code);
	}

	/** Changes a member's roles or nickname as a moderator would (GUILD_MEMBER_UPDATE). */
	public updateMember(guildId: string, userId: string, patch: { roles?: string[]; nick?: string | null }): void {
		this.world.updateMember(guildId, userId, patch);
	}

	/** The bot is removed from a guild (GUILD_DELETE). */
	public removeGuild(guildId: string): void {
		this.world.removeGuild(guildId);
	}

	/**
	 * A message with embeds and components by any author, the bot's own user included: e.g. one an earlier bot on the
	 * same application posted before the test (a legacy giveaway message).
	 */
	public postMessageAs(channelId: string, author: ApiUser, body: Record<string, unknown>): ApiMessage {
		return this.world.postMessage({ channelId, author, body });
	}

	/** A user writes in a channel (MESSAGE_CREATE). */
	public sendMessage(channelId: string, userId: string, content: string): ApiMessage {
		return this.world.postMessage({ channelId, author: this.world.requireUser(userId), body: { content } });
	}

	/** A member runs a registered slash command; the handle shows the bot's reply, edits and follow-ups. */
	public runCommand(options: RunCommandOptions): InteractionHandle {
		const command = this.registeredCommand(options.name, options.guildId);
		const context = this.interactionContext(options.guildId, options.channelId, options.userId, options.memberPermissions, options.locale);
		return this.dispatchInteraction(options.guildId, (token) =>
			commandInteraction(context, token, {
				command,
				subcommandGroup: options.subcommandGroup,
				subcommand: options.subcommand,
				options: options.options
			})
		);
	}

	/** A member clicks a button (or picks select menu `values`) on a message. */
	public clickButton(options: ClickOptions): InteractionHandle {
		const message = this.state.findMessage(options.messageId) ?? this.world.interactions.findMessage(options.messageId);
		if (!message) throw new Error(`message ${options.messageId} does not exist`);
		const context = this.interactionContext(options.guildId ?? message.guild_id, options.channelId, options.userId, options.memberPermissions);
		return this.dispatchInteraction(context.guild?.id, (token) =>
			componentInteraction(context, token, publicMessage(message), options.customId, options.values)
		);
	}

	/** A member submits a modal the bot showed (reply type 9), with text input values by custom_id. */
	public submitModal(options: {
		guildId?: string;
		channelId: string;
		userId: string;
		customId: string;
		fields: Record<string, string>;
		memberPermissions?: bigint;
	}): InteractionHandle {
		const context = this.interactionContext(options.guildId, options.channelId, options.userId, options.memberPermissions);
		return this.dispatchInteraction(context.guild?.id, (token) => modalSubmitInteraction(context, token, options.customId, options.fields));
	}

	/** Sends op 7 to every connected session; discord.js reconnects and resumes. */
	public reconnectAll(): void {
		this.gateway.reconnectAll();
	}

	/** Sends op 9; with `resumable` false the sessions are forgotten and clients identify again. */
	public invalidateSessions(resumable = false): void {
		this.gateway.invalidateAll(resumable);
	}

	/** Drops every gateway socket as a network failure would; clients resume. */
	public dropConnections(): void {
		this.gateway.dropConnections();
	}

	/** Makes the next `count` matching REST requests answer 429 with Retry-After. */
	public rateLimit(matcher: RequestMatcher, options: { count?: number; retryAfterMs?: number; global?: boolean } = {}): void {
		this.server.rateLimit(matcher, options.count ?? 1, options.retryAfterMs ?? 100, options.global ?? false);
	}

	// --- reading ---------------------------------------------------------------------------------------------

	/** A channel's messages, oldest first (ephemeral replies are on their interaction handle instead). */
	public messages(channelId: string): ApiMessage[] {
		return (this.state.messages.get(channelId) ?? []).map((message) => structuredClone(publicMessage(message)));
	}

	public waitForMessage(channelId: string, predicate: (message: ApiMessage) => boolean = () => true, timeoutMs = 5000): Promise<ApiMessage> {
		return waitUntil(
			() => this.messages(channelId).find(predicate),
			timeoutMs,
			() => `a message in ${channelId}; messages: ${JSON.stringify(this.messages(channelId).map((message) => message.content))}`
		);
	}

	/** Calls `listener` for every message posted or edited (ephemeral replies included); returns an unsubscribe function. */
	public onMessage(listener: (message: ApiMessage, change: 'create' | 'update') => void): () => void {
		const forward = (message: ApiMessage, change: 'create' | 'update') => listener(structuredClone(message), change);
		this.world.events.on('message', forward);
		return () => this.world.events.off('message', forward);
	}

	/** Messages the bot sent to a user in DMs. */
	public dmMessages(userId: string): ApiMessage[] {
		const channelId = this.state.dmChannelByUser.get(userId);
		return channelId ? this.messages(channelId) : [];
	}

	public waitForDm(userId: string, predicate: (message: ApiMessage) => boolean = () => true, timeoutMs = 5000): Promise<ApiMessage> {
		return waitUntil(
			() => this.dmMessages(userId).find(predicate),
			timeoutMs,
			() => `a DM to ${userId}`
		);
	}

	public member(guildId: string, userId: string): ApiMember | undefined {
		const guild = this.state.guilds.get(guildId);
		return guild && this.state.apiMember(guild, userId);
	}

	public memberRoles(guildId: string, userId: string): string[] {
		return this.member(guildId, userId)?.roles ?? [];
	}

	public guild(guildId: string): GuildRecord | undefined {
		return this.state.guilds.get(guildId);
	}

	/** Invites of a guild as `GET /guilds/{id}/invites` would show them. */
	public invites(guildId: string) {
		return this.state.guildInvites(guildId).map((invite) => apiInvite(this.state, invite));
	}

	public vanityUses(guildId: string): number {
		return this.state.guilds.get(guildId)?.vanityUses ?? 0;
	}

	/** Registered application commands, global or of a guild. */
	public commands(guildId?: string): ApplicationCommandRecord[] {
		return [...(guildId ? (this.state.guildCommands.get(guildId)?.values() ?? []) : this.state.globalCommands.values())].map((command) =>
			structuredClone(command)
		);
	}

	public attachmentData(attachment: ApiAttachment | string): Buffer | undefined {
		return this.state.attachmentBytes.get(typeof attachment === 'string' ? attachment : attachment.id);
	}

	public waitFor<T>(condition: () => T | undefined | false, timeoutMs = 5000, description = 'a condition'): Promise<T> {
		return waitUntil(condition, timeoutMs, () => description);
	}

	/** Every REST request, oldest first, with its route pattern and status. */
	public get requests(): readonly RecordedRequest[] {
		return this.server.requests;
	}

	/** How many REST requests matched, e.g. `countRequests('GET /guilds/:guildId/invites')`. */
	public countRequests(matcher: RequestMatcher): number {
		return this.server.requests.filter((request) => requestMatches(matcher, request.method, request.path, request.route)).length;
	}

	/** Requests no route answered (`METHOD /path`); a test can assert this stays empty. */
	public get unknownRoutes(): readonly string[] {
		return this.server.unknownRoutes;
	}

	/** Exceptions inside the emulator (answered with 500): emulator bugs, worth asserting empty. */
	public get serverErrors(): readonly Error[] {
		return this.server.serverErrors;
	}

	/** Bodies that disagree with discord-api-spec (emulator/spec.ts); each also fails the running test. */
	public get specMismatches(): readonly SpecMismatch[] {
		return this.server.specMismatches;
	}

	// --- gateway sessions ------------------------------------------------------------------------------------

	public get connectedSessions(): GatewaySession[] {
		return this.gateway.connectedSessions;
	}

	/** Resolves with the next (or, if one is already connected, the current) identified session. */
	public waitForIdentify(timeoutMs = 10_000): Promise<GatewaySession> {
		return waitUntil(
			() => this.gateway.connectedSessions[0],
			timeoutMs,
			() => 'a gateway IDENTIFY'
		);
	}

	public waitForSessions(count: number, timeoutMs = 10_000): Promise<GatewaySession[]> {
		return waitUntil(
			() => this.gateway.connectedSessions.length >= count && this.gateway.connectedSessions,
			timeoutMs,
			() => `${count} connected gateway sessions (have ${this.gateway.connectedSessions.length})`
		);
	}

	private isTokenValid(token: string): boolean {
		return token.length > 0 && !this.invalidTokens.has(token);
	}

	// --- actions ---------------------------------------------------------------------------------------------

	private userFrom(spec: UserSpec): ApiUser {
		return typeof spec === 'string' ? this.world.requireUser(spec) : this.world.createUser(spec ?? {});
	}

	private registeredCommand(name: string, guildId?: string): ApplicationCommandRecord {
		const candidates = [...(guildId ? this.state.commandsOf(guildId).values() : []), ...this.state.globalCommands.values()];
		const command = candidates.find((candidate) => candidate.name === name && candidate.type === 1);
		if (!command)
			throw new Error(`/${name} is not registered; registered: ${candidates.map((candidate) => candidate.name).join(', ') || 'nothing'}`);
		// Discord shows a command only where its `contexts` allow (developers/interactions/application-commands.mdx,
		// Interaction Contexts); "Guild commands don't support the BOT_DM interaction context" (same page).
		const where = guildId ? 'guild' : 'dm';
		if (!commandUsableIn(command, where) || (where === 'dm' && command.guild_id))
			throw new Error(
				`/${name} is not available in ${where === 'dm' ? 'DMs with the bot' : 'servers'} (contexts ${JSON.stringify(command.contexts)})`
			);
		return command;
	}

	private interactionContext(
		guildId: string | undefined,
		channelId: string | undefined,
		userId: string,
		memberPermissions?: bigint,
		locale?: string
	): InteractionContext {
		this.world.requireUser(userId);
		if (!guildId)
			return {
				state: this.state,
				guild: undefined,
				channel: channelId ? this.world.requireChannel(channelId) : this.world.openDm(userId),
				userId,
				locale
			};
		const guild = this.world.requireGuild(guildId);
		if (!guild.members.has(userId)) throw new Error(`user ${userId} is not a member of guild ${guildId}`);
		const channel = this.world.requireChannel(channelId ?? guild.systemChannelId!);
		return { state: this.state, guild, channel, userId, memberPermissions, locale };
	}

	private dispatchInteraction(guildId: string | undefined, build: (token: string) => { id: string }): InteractionHandle {
		// The handle owns the token, so build the payload first and give it the handle's token.
		const payload = build('');
		const handle = new InteractionHandle(payload.id, payload);
		Object.assign(payload, { token: handle.token });
		this.world.interactions.add(handle);
		this.gateway.dispatch('INTERACTION_CREATE', payload, guildId);
		return handle;
	}

	public static async start(options: EmulatorOptions = {}): Promise<DiscordEmulator> {
		const emulator = new DiscordEmulator(options, options.host ?? '127.0.0.1');
		emulator.port = await emulator.server.listen(options.port ?? 0, emulator.host);
		emulator.world.baseUrl = emulator.baseUrl;
		return emulator;
	}
}

function applicationFlagsFor(allowed: Set<PrivilegedIntent>): number {
	const flags: Record<PrivilegedIntent, number> = {
		guildMembers: ApplicationFlags.GatewayGuildMembers,
		guildPresences: ApplicationFlags.GatewayPresence,
		messageContent: ApplicationFlags.GatewayMessageContent
	};
	return [...allowed].reduce((all, name) => all | flags[name], 0);
}
