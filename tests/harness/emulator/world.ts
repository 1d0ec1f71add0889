import { EventEmitter } from 'node:events';
import { GatewayIntentBits, PermissionFlagsBits } from 'discord.js';
import { DiscordApiError, missingAccess, notFound, type UploadedFile } from './http.js';
import type { Gateway } from './gateway.js';
import { InteractionRegistry } from './interactions.js';
import { applyMessageEdit, buildMessage, messageForSession } from './messages.js';
import { channelPermissions, DEFAULT_BOT_PERMISSIONS, DEFAULT_EVERYONE_PERMISSIONS } from './permissions.js';
import { inviteCreateEvent, inviteDeleteEvent } from './shapes.js';
import { snowflakeAt } from './snowflake.js';
import type { EmulatorState } from './state.js';
import type { ApiAttachment, ApiChannel, ApiMessage, ApiRole, ApiUser, GuildRecord, InviteRecord, PermissionOverwrite } from './types.js';

export interface CreateGuildOptions {
	id?: string;
	name?: string;
	/** The owner; a user named "owner" is created when omitted. */
	ownerId?: string;
	/** A vanity invite code (the guild gets the VANITY_URL feature). */
	vanity?: string;
	vanityUses?: number;
	/** Turn on Community (feature COMMUNITY). */
	community?: boolean;
	/**
	 * preferred_locale, "the preferred locale of a Community guild", en-US by default (discord-api-docs,
	 * resources/guild.mdx, Guild Object): refused without `community`, as Discord's server settings offer it only there.
	 */
	preferredLocale?: string;
	/** Permissions of the bot's managed role (a bigint bitfield); a typical invite-tracker set by default. */
	botPermissions?: bigint;
	/** Position of the bot's managed role; roles above it cannot be assigned by the bot. Default 50. */
	botRolePosition?: number;
	everyonePermissions?: bigint;
	/** Name of the default text channel (also the system channel). */
	defaultChannelName?: string;
}

export interface CreateChannelOptions {
	name: string;
	type?: number;
	topic?: string;
	parentId?: string;
	permissionOverwrites?: { id: string; type: 'role' | 'member'; allow?: bigint; deny?: bigint }[];
}

export interface CreateRoleOptions {
	name: string;
	permissions?: bigint;
	position?: number;
	managed?: boolean;
	color?: number;
	hoist?: boolean;
	mentionable?: boolean;
}

export interface CreateUserOptions {
	username?: string;
	globalName?: string;
	bot?: boolean;
	/** Account creation time; the user's snowflake carries it, as Discord's do. */
	createdAt?: Date;
	/**
	 * The user's avatar hash; null (the default) for a user who never set one, who then shows a default avatar
	 * (discord-api-docs, resources/user.mdx, User Object: `avatar ?string`; reference.mdx, Image Formatting "Default User Avatar").
	 */
	avatar?: string | null;
	dmsClosed?: boolean;
	id?: string;
}

export interface CreateInviteOptions {
	inviterId?: string | null;
	channelId?: string;
	maxUses?: number;
	uses?: number;
	maxAge?: number;
	temporary?: boolean;
	code?: string;
	createdAt?: Date;
}

/** When a join's invite use and its GUILD_MEMBER_ADD happen, relative to each other (default: use, then event at once). */
export interface JoinTiming {
	/** The use is counted this long after the event is sent. */
	useDelayMs?: number;
	/** The event is sent this long after the use is counted. */
	eventDelayMs?: number;
}

let generatedNames = 0;

/** The emulated Discord's behaviour: every change to its state, and the gateway events Discord would send for it. */
export class World {
	public readonly interactions = new InteractionRegistry();
	/** Emits 'message' (message, 'create' | 'update') for every message posted or edited, ephemeral ones too. */
	public readonly events = new EventEmitter();
	public baseUrl = '';

	public constructor(
		public readonly state: EmulatorState,
		public readonly gateway: Gateway
	) {}

	public get botId(): string {
		return this.state.botUser.id;
	}

	public createUser(options: CreateUserOptions = {}): ApiUser {
		const id = options.id ?? snowflakeAt(options.createdAt ?? Date.now() - 365 * 24 * 3600 * 1000);
		const username = options.username ?? `user${++generatedNames}`;
		const user: ApiUser = {
			id,
			username,
			discriminator: options.bot ? '0001' : '0',
			global_name: options.bot ? null : (options.globalName ?? username),
			avatar: options.avatar ?? null,
			public_flags: 0,
			...(options.bot ? { bot: true } : {})
		};
		this.state.users.set(id, { user, dmsClosed: options.dmsClosed ?? false });
		return user;
	}

	public requireUser(userId: string): ApiUser {
		const user = this.state.user(userId);
		if (!user) throw notFound(10013, 'User');
		return user;
	}

	/** A guild the bot is in, or Discord's error: unknown guild, or no access when the bot is not a member. */
	public requireGuild(guildId: string): GuildRecord {
		const guild = this.state.guilds.get(guildId);
		if (!guild) throw notFound(10004, 'Guild');
		if (!guild.members.has(this.botId)) throw missingAccess();
		return guild;
	}

	public requireChannel(channelId: string): ApiChannel {
		const channel = this.state.channel(channelId);
		if (!channel) throw notFound(10003, 'Channel');
		return channel;
	}

	public createGuild(options: CreateGuildOptions = {}): GuildRecord {
		const id = options.id ?? snowflakeAt();
		if (options.preferredLocale && options.preferredLocale !== 'en-US' && !options.community)
			throw new Error('only a Community server can change preferred_locale (pass community: true)');
		const ownerId = options.ownerId ?? this.createUser({ username: 'owner' }).id;
		const guild: GuildRecord = {
			id,
			name: options.name ?? 'Test Server',
			ownerId,
			vanityCode: options.vanity ?? null,
			vanityUses: options.vanityUses ?? 0,
			community: options.community ?? false,
			preferredLocale: options.preferredLocale ?? 'en-US',
			systemChannelId: null,
			roles: new Map(),
			channels: new Map(),
			members: new Map(),
			botJoinedAt: new Date().toISOString()
		};
		this.state.guilds.set(id, guild);
		guild.roles.set(
			id,
			this.role(id, { name: '@everyone', position: 0, permissions: options.everyonePermissions ?? DEFAULT_EVERYONE_PERMISSIONS })
		);
		const botRole = this.role(snowflakeAt(), {
			name: this.state.botUser.username,
			position: options.botRolePosition ?? 50,
			permissions: options.botPermissions ?? DEFAULT_BOT_PERMISSIONS,
			managed: true
		});
		botRole.tags = { bot_id: this.botId };
		guild.roles.set(botRole.id, botRole);
		const general = this.channel(guild, { name: options.defaultChannelName ?? 'general' });
		guild.channels.set(general.id, general);
		guild.systemChannelId = general.id;
		this.seedMember(guild, ownerId, []);
		this.seedMember(guild, this.botId, [botRole.id]);
		// Being added to a server is a GUILD_CREATE for the bot; before it connects there is nobody to tell.
		this.gateway.dispatchWith('GUILD_CREATE', (session) => this.gateway.guildCreateFor(session, id), id);
		return guild;
	}

	/** Removes the bot from a guild (kick or guild deletion): GUILD_DELETE. */
	public removeGuild(guildId: string): void {
		this.state.guilds.delete(guildId);
		for (const invite of this.state.guildInvites(guildId)) this.state.invites.delete(invite.code);
		this.gateway.dispatch('GUILD_DELETE', { id: guildId }, guildId);
	}

	public createChannel(guildId: string, options: CreateChannelOptions): ApiChannel {
		const guild = this.requireGuild(guildId);
		const channel = this.channel(guild, options);
		guild.channels.set(channel.id, channel);
		this.gateway.dispatch('CHANNEL_CREATE', channel, guildId);
		return channel;
	}

	/**
	 * A moderator replaces a channel's permission overwrites: CHANNEL_UPDATE carries the whole channel ("Sent when a
	 * channel is updated ... The inner payload is a channel object", docs/events/Gateway_Events.md, Channel Update).
	 */
	public setChannelOverwrites(channelId: string, overwrites: NonNullable<CreateChannelOptions['permissionOverwrites']>): ApiChannel {
		const guild = this.state.guildOfChannel(channelId);
		const channel = guild?.channels.get(channelId);
		if (!guild || !channel) throw notFound(10003, 'Channel');
		channel.permission_overwrites = apiOverwrites(overwrites);
		this.gateway.dispatch('CHANNEL_UPDATE', channel, guild.id);
		return channel;
	}

	public deleteChannel(channelId: string): void {
		const guild = this.state.guildOfChannel(channelId);
		const channel = guild?.channels.get(channelId);
		if (!guild || !channel) throw notFound(10003, 'Channel');
		guild.channels.delete(channelId);
		for (const invite of this.state.guildInvites(guild.id)) if (invite.channelId === channelId) this.state.invites.delete(invite.code);
		this.gateway.dispatch('CHANNEL_DELETE', channel, guild.id);
	}

	public createRole(guildId: string, options: CreateRoleOptions): ApiRole {
		const guild = this.requireGuild(guildId);
		const position = options.position ?? Math.max(...[...guild.roles.values()].filter((role) => !role.managed).map((role) => role.position)) + 1;
		const role = this.role(snowflakeAt(), { ...options, position });
		guild.roles.set(role.id, role);
		this.gateway.dispatch('GUILD_ROLE_CREATE', { guild_id: guildId, role }, guildId);
		return role;
	}

	public deleteRole(guildId: string, roleId: string): void {
		const guild = this.requireGuild(guildId);
		if (!guild.roles.delete(roleId)) throw notFound(10011, 'Role');
		for (const member of guild.members.values()) member.roles = member.roles.filter((id) => id !== roleId);
		this.gateway.dispatch('GUILD_ROLE_DELETE', { guild_id: guildId, role_id: roleId }, guildId);
	}

	/**
	 * Adds a member; `silent` seeds state without the GUILD_MEMBER_ADD a real join sends. `pending`: the guild has
	 * Membership Screening / Onboarding and the member has not passed it yet; GUILD_MEMBER_ADD carries `pending: true`
	 * and GUILD_MEMBER_UPDATE with `pending: false` follows once they do (discord-api-docs PR #2396 "Document Membership
	 * Screening" and PR #2547; developers/resources/guild.mdx, guild member object `pending`).
	 */
	public addMember(
		guildId: string,
		userId: string,
		options: { roles?: string[]; joinedAt?: Date; silent?: boolean; pending?: boolean } = {}
	): void {
		const guild = this.state.guilds.get(guildId);
		if (!guild) throw notFound(10004, 'Guild');
		if (guild.members.has(userId)) throw new Error(`user ${userId} is already a member of guild ${guildId}`);
		this.seedMember(guild, userId, options.roles ?? [], options.joinedAt, options.pending ?? false);
		if (!options.silent) this.gateway.dispatch('GUILD_MEMBER_ADD', { ...this.state.apiMember(guild, userId), guild_id: guildId }, guildId);
	}

	/** A pending member completes the rules screening / onboarding: GUILD_MEMBER_UPDATE with `pending: false`. */
	public passScreening(guildId: string, userId: string): void {
		const member = this.requireGuild(guildId).members.get(userId);
		if (!member) throw notFound(10007, 'Member');
		if (!member.pending) throw new Error(`member ${userId} of guild ${guildId} is not pending`);
		member.pending = false;
		this.gateway.dispatch('GUILD_MEMBER_UPDATE', { ...this.state.apiMember(this.requireGuild(guildId), userId), guild_id: guildId }, guildId);
	}

	public updateMember(guildId: string, userId: string, patch: { roles?: string[]; nick?: string | null }): void {
		const guild = this.requireGuild(guildId);
		const member = guild.members.get(userId);
		if (!member) throw notFound(10007, 'Member');
		if (patch.roles) {
			// A role given to a pending member lets them bypass screening: they become a full member (discord-api-docs
			// issue #2479 "Ignore Integration roles when determining a member's pending state"; PR #2652: "it is
			// recommended to grant roles only after the user completes screening").
			if (member.pending && patch.roles.some((roleId) => !member.roles.includes(roleId))) member.pending = false;
			member.roles = [...new Set(patch.roles)];
		}
		if (patch.nick !== undefined) member.nick = patch.nick || null;
		this.gateway.dispatch('GUILD_MEMBER_UPDATE', { ...this.state.apiMember(guild, userId), guild_id: guildId }, guildId);
	}

	public removeMember(guildId: string, userId: string): void {
		const guild = this.requireGuild(guildId);
		if (!guild.members.delete(userId)) throw notFound(10007, 'Member');
		this.gateway.dispatch('GUILD_MEMBER_REMOVE', { guild_id: guildId, user: this.requireUser(userId) }, guildId);
	}

	public createInvite(guildId: string, options: CreateInviteOptions = {}): InviteRecord {
		const guild = this.requireGuild(guildId);
		const code = options.code ?? Math.random().toString(36).slice(2, 10);
		if (this.state.invites.has(code)) throw new Error(`invite code ${code} already exists`);
		const invite: InviteRecord = {
			code,
			guildId,
			channelId: options.channelId ?? guild.systemChannelId ?? [...guild.channels.keys()][0]!,
			inviterId: options.inviterId === undefined ? guild.ownerId : options.inviterId,
			uses: options.uses ?? 0,
			maxUses: options.maxUses ?? 0,
			maxAge: options.maxAge ?? 0,
			temporary: options.temporary ?? false,
			createdAt: (options.createdAt ?? new Date()).toISOString()
		};
		this.state.invites.set(code, invite);
		this.dispatchInviteEvent('INVITE_CREATE', inviteCreateEvent(this.state, invite), invite);
		return invite;
	}

	public deleteInvite(code: string): InviteRecord {
		const invite = this.state.invite(code);
		if (!invite) throw notFound(10006, 'Invite');
		this.state.invites.delete(code);
		this.dispatchInviteEvent('INVITE_DELETE', inviteDeleteEvent(invite), invite);
		return invite;
	}

	/**
	 * A join through an invite, in Discord's order: the invite's uses go up (and an exhausted invite is deleted)
	 * before GUILD_MEMBER_ADD is sent, so a bot fetching invites on the join sees the new count.
	 */
	public joinViaInvite(guildId: string, code: string, userId: string, timing: JoinTiming & { pending?: boolean } = {}): void {
		// An expired invite is gone (state.invite): nobody joins through it.
		const invite = this.state.invite(code);
		if (!invite || invite.guildId !== guildId) throw new Error(`invite ${code} does not exist in guild ${guildId}`);
		const countUse = () => {
			invite.uses++;
			const exhausted = invite.maxUses > 0 && invite.uses >= invite.maxUses;
			if (exhausted) this.state.invites.delete(code);
			if (exhausted) this.dispatchInviteEvent('INVITE_DELETE', inviteDeleteEvent(invite), invite);
			return exhausted;
		};
		const announce = () => {
			this.gateway.dispatch(
				'GUILD_MEMBER_ADD',
				{ ...this.state.apiMember(this.state.guilds.get(guildId)!, userId), guild_id: guildId },
				guildId
			);
		};
		if (!timing.useDelayMs && !timing.eventDelayMs) {
			invite.uses++;
			const exhausted = invite.maxUses > 0 && invite.uses >= invite.maxUses;
			if (exhausted) this.state.invites.delete(code);
			this.addMember(guildId, userId, { pending: timing.pending ?? false });
			if (exhausted) this.dispatchInviteEvent('INVITE_DELETE', inviteDeleteEvent(invite), invite);
			return;
		}
		// Discord documents no order between the invite's use count and GUILD_MEMBER_ADD (the Invite object's `uses` and
		// the Guild Member Add event, docs/resources/Invite.md and docs/events/Gateway_Events.md), so either may come late:
		// the gateway event is delivered with latency, and the count may be updated after the event (issue 14, item 10).
		this.addMember(guildId, userId, { silent: true, pending: timing.pending ?? false });
		if (timing.useDelayMs) {
			announce();
			setTimeout(countUse, timing.useDelayMs);
		} else {
			countUse();
			setTimeout(announce, timing.eventDelayMs);
		}
	}

	public joinViaVanity(guildId: string, userId: string): void {
		const guild = this.requireGuild(guildId);
		if (!guild.vanityCode) throw new Error(`guild ${guildId} has no vanity URL`);
		guild.vanityUses++;
		this.addMember(guildId, userId);
	}

	/** Opens (or returns) the DM channel between the bot and a user. */
	/**
	 * A user picks a file for a command's attachment option: Discord's client uploads it first, and the interaction
	 * carries it as an attachment object whose `ephemeral` is true ("whether this attachment is ephemeral"; "Ephemeral
	 * attachments will automatically be removed after a set period of time", discord-api-docs, resources/message.mdx,
	 * Attachment Object), served from the CDN's ephemeral-attachments path. `contentType` is what the client says the
	 * file is (its guess from the name), which need not be what the bytes are.
	 */
	public uploadAttachment(options: { filename: string; data: Buffer; contentType?: string }): ApiAttachment {
		const id = snowflakeAt();
		this.state.attachmentBytes.set(id, options.data);
		const url = `${this.baseUrl}/ephemeral-attachments/${this.state.applicationId}/${id}/${encodeURIComponent(options.filename)}`;
		const attachment: ApiAttachment = {
			id,
			filename: options.filename,
			size: options.data.length,
			url,
			proxy_url: url,
			...(options.contentType ? { content_type: options.contentType } : {}),
			ephemeral: true
		};
		this.state.uploads.set(id, attachment);
		return attachment;
	}

	public openDm(userId: string): ApiChannel {
		const user = this.requireUser(userId);
		const existing = this.state.dmChannelByUser.get(userId);
		if (existing) return this.state.dmChannels.get(existing)!;
		const channel: ApiChannel = { id: snowflakeAt(), type: 1, last_message_id: null, recipients: [user], flags: 0 };
		this.state.dmChannels.set(channel.id, channel);
		this.state.dmChannelByUser.set(userId, channel.id);
		return channel;
	}

	/** Stores a message and sends MESSAGE_CREATE; ephemeral messages stay out of channel history and the gateway. */
	public postMessage(options: {
		channelId: string;
		author: ApiUser;
		body: any;
		files?: UploadedFile[];
		type?: number;
		extra?: Partial<ApiMessage>;
		allowEmpty?: boolean;
	}): ApiMessage {
		const channel = this.requireChannel(options.channelId);
		if (channel.type === 1 && this.state.users.get(channel.recipients![0]!.id)?.dmsClosed && options.author.id === this.botId) {
			throw new DiscordApiError(403, 50007, 'Cannot send messages to this user');
		}
		const message = buildMessage(this.state, this.baseUrl, {
			channelId: channel.id,
			...(channel.guild_id ? { guildId: channel.guild_id } : {}),
			author: options.author,
			body: options.body ?? {},
			files: options.files ?? [],
			...(options.type === undefined ? {} : { type: options.type }),
			...(options.extra ? { extra: options.extra } : {}),
			allowEmpty: options.allowEmpty ?? false
		});
		this.events.emit('message', message, 'create');
		if (message.ephemeral) return message;
		this.state.channelMessages(channel.id).push(message);
		channel.last_message_id = message.id;
		this.dispatchMessage('MESSAGE_CREATE', message);
		return message;
	}

	public editMessage(message: ApiMessage, body: any, files: UploadedFile[] = []): ApiMessage {
		applyMessageEdit(this.state, this.baseUrl, message, body, files);
		this.events.emit('message', message, 'update');
		if (!message.ephemeral) this.dispatchMessage('MESSAGE_UPDATE', message);
		return message;
	}

	public deleteMessage(message: ApiMessage): void {
		const messages = this.state.channelMessages(message.channel_id);
		const index = messages.indexOf(message);
		if (index >= 0) messages.splice(index, 1);
		if (!message.ephemeral) {
			const event = { id: message.id, channel_id: message.channel_id, ...(message.guild_id ? { guild_id: message.guild_id } : {}) };
			this.gateway.dispatch('MESSAGE_DELETE', event, message.guild_id);
		}
	}

	private role(id: string, options: CreateRoleOptions): ApiRole {
		return {
			id,
			name: options.name,
			color: options.color ?? 0,
			colors: { primary_color: options.color ?? 0, secondary_color: null, tertiary_color: null },
			hoist: options.hoist ?? false,
			icon: null,
			unicode_emoji: null,
			position: options.position ?? 1,
			permissions: String(options.permissions ?? 0n),
			managed: options.managed ?? false,
			mentionable: options.mentionable ?? false,
			flags: 0
		};
	}

	private channel(guild: GuildRecord, options: CreateChannelOptions): ApiChannel {
		const overwrites = apiOverwrites(options.permissionOverwrites ?? []);
		return {
			id: snowflakeAt(),
			type: options.type ?? 0,
			guild_id: guild.id,
			name: options.name,
			position: guild.channels.size,
			permission_overwrites: overwrites,
			parent_id: options.parentId ?? null,
			topic: options.topic ?? null,
			nsfw: false,
			rate_limit_per_user: 0,
			last_message_id: null,
			flags: 0
		};
	}

	private seedMember(guild: GuildRecord, userId: string, roles: string[], joinedAt = new Date(), pending = false): void {
		this.requireUser(userId);
		guild.members.set(userId, { userId, nick: null, roles: [...roles], joined_at: joinedAt.toISOString(), pending });
	}

	/**
	 * "All Invite related events are only sent to bot users with the MANAGE_CHANNELS permission on the channel"
	 * (discord-api-docs, developers/events/gateway-events.mdx, Invites).
	 */
	private dispatchInviteEvent(event: 'INVITE_CREATE' | 'INVITE_DELETE', data: unknown, invite: InviteRecord): void {
		const guild = this.state.guilds.get(invite.guildId);
		const channel = guild?.channels.get(invite.channelId);
		if (!guild || !(channelPermissions(guild, channel, this.botId) & PermissionFlagsBits.ManageChannels)) return;
		this.gateway.dispatch(event, data, invite.guildId);
	}

	private dispatchMessage(event: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE', message: ApiMessage): void {
		const guild = message.guild_id ? this.state.guilds.get(message.guild_id) : undefined;
		const member = guild && guild.members.has(message.author.id) ? this.state.apiMember(guild, message.author.id) : undefined;
		this.gateway.dispatchWith(
			event,
			(session) => ({
				...messageForSession(message, this.botId, session.hasIntent(GatewayIntentBits.MessageContent)),
				...(member && !message.webhook_id ? { member: { ...member, user: undefined } } : {})
			}),
			message.guild_id
		);
	}
}

function apiOverwrites(overwrites: NonNullable<CreateChannelOptions['permissionOverwrites']>): PermissionOverwrite[] {
	return overwrites.map((overwrite) => ({
		id: overwrite.id,
		type: overwrite.type === 'member' ? 1 : 0,
		allow: String(overwrite.allow ?? 0n),
		deny: String(overwrite.deny ?? 0n)
	}));
}
