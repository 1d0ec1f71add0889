/**
 * The emulator keeps Discord objects in their API (snake_case) shape, so REST and gateway can send them as they are.
 * Only fields the emulator reasons about are typed; the rest rides along as Discord sends it.
 */

export interface ApiUser {
	id: string;
	username: string;
	discriminator: string;
	global_name: string | null;
	avatar: string | null;
	bot?: boolean;
	system?: boolean;
	public_flags?: number;
	/** Required in discord-api-spec's UserResponse (docs/resources/User.md: flags, primary_guild). */
	flags?: number;
	primary_guild?: { identity_guild_id: string | null; identity_enabled: boolean | null; tag: string | null; badge: string | null } | null;
}

/** Emulator-only facts about a user that Discord would not reveal. */
export interface UserRecord {
	user: ApiUser;
	/** DMs from this user's servers are closed: sending a DM answers 50007. */
	dmsClosed: boolean;
}

export interface ApiRole {
	id: string;
	name: string;
	color: number;
	/** The role's colours, `primary_color` being `color` (docs/topics/Permissions.md, Role Object; required in discord-api-spec's GuildRoleResponse). */
	colors: { primary_color: number; secondary_color: number | null; tertiary_color: number | null };
	hoist: boolean;
	icon: string | null;
	unicode_emoji: string | null;
	position: number;
	permissions: string;
	managed: boolean;
	mentionable: boolean;
	flags: number;
	tags?: Record<string, unknown>;
}

export interface PermissionOverwrite {
	id: string;
	/** 0 = role, 1 = member */
	type: 0 | 1;
	allow: string;
	deny: string;
}

export interface ApiChannel {
	id: string;
	type: number;
	guild_id?: string;
	name?: string;
	position?: number;
	permission_overwrites?: PermissionOverwrite[];
	parent_id?: string | null;
	topic?: string | null;
	nsfw?: boolean;
	rate_limit_per_user?: number;
	last_message_id: string | null;
	recipients?: ApiUser[];
	flags?: number;
}

export interface MemberRecord {
	userId: string;
	nick: string | null;
	roles: string[];
	joined_at: string;
	pending: boolean;
}

export interface ApiMember {
	user: ApiUser;
	nick: string | null;
	avatar: string | null;
	banner: string | null;
	roles: string[];
	joined_at: string;
	premium_since: string | null;
	deaf: boolean;
	mute: boolean;
	flags: number;
	pending: boolean;
	communication_disabled_until: string | null;
	permissions?: string;
}

export interface GuildRecord {
	id: string;
	name: string;
	ownerId: string;
	vanityCode: string | null;
	vanityUses: number;
	/** A Community server (feature COMMUNITY): only those can change preferred_locale from en-US. */
	community: boolean;
	preferredLocale: string;
	systemChannelId: string | null;
	roles: Map<string, ApiRole>;
	channels: Map<string, ApiChannel>;
	members: Map<string, MemberRecord>;
	/** When the bot joined; Discord sends it in GUILD_CREATE. */
	botJoinedAt: string;
}

export interface InviteRecord {
	code: string;
	guildId: string;
	channelId: string;
	inviterId: string | null;
	uses: number;
	maxUses: number;
	maxAge: number;
	temporary: boolean;
	createdAt: string;
}

export interface ApiAttachment {
	id: string;
	filename: string;
	size: number;
	url: string;
	proxy_url: string;
	content_type?: string;
	description?: string;
	ephemeral?: boolean;
}

export interface ApiMessage {
	id: string;
	channel_id: string;
	guild_id?: string;
	author: ApiUser;
	content: string;
	timestamp: string;
	edited_timestamp: string | null;
	tts: boolean;
	mention_everyone: boolean;
	mentions: ApiUser[];
	mention_roles: string[];
	attachments: ApiAttachment[];
	embeds: Record<string, unknown>[];
	components: Record<string, unknown>[];
	pinned: boolean;
	type: number;
	flags: number;
	webhook_id?: string;
	application_id?: string;
	interaction_metadata?: Record<string, unknown>;
	message_reference?: Record<string, unknown>;
	nonce?: string | number;
	/** Emulator bookkeeping: ephemeral interaction responses are not part of channel history. */
	ephemeral?: boolean;
}

export interface ApplicationCommandRecord {
	id: string;
	application_id: string;
	guild_id?: string;
	version: string;
	name: string;
	type: number;
	[field: string]: unknown;
}
