import {
	GuildFeature,
	type Locale,
	type APIGuild,
	type GuildSystemChannelFlags,
	type GatewayGuildCreateDispatchData,
	type GatewayInviteCreateDispatchData,
	type GatewayInviteDeleteDispatchData
} from 'discord-api-types/v10';
import type { EmulatorState } from './state.js';
import type { GuildRecord, InviteRecord } from './types.js';

/** Discord API shapes built from the emulator's records. */

/** `nsfw` is in discord-api-spec's GuildResponse (required) but not in discord-api-types' APIGuild. */
export function apiGuild(guild: GuildRecord, withCounts = false): APIGuild & { nsfw: boolean } {
	return {
		id: guild.id,
		name: guild.name,
		icon: null,
		icon_hash: null,
		splash: null,
		discovery_splash: null,
		banner: null,
		description: null,
		owner_id: guild.ownerId,
		region: 'deprecated',
		afk_channel_id: null,
		afk_timeout: 300,
		widget_enabled: false,
		widget_channel_id: null,
		verification_level: 0,
		default_message_notifications: 0,
		explicit_content_filter: 0,
		roles: [...guild.roles.values()],
		emojis: [],
		stickers: [],
		features: guildFeatures(guild),
		mfa_level: 0,
		application_id: null,
		system_channel_id: guild.systemChannelId,
		system_channel_flags: 0 as GuildSystemChannelFlags,
		rules_channel_id: null,
		public_updates_channel_id: null,
		safety_alerts_channel_id: null,
		max_presences: null,
		max_members: 500_000,
		max_video_channel_users: 25,
		max_stage_video_channel_users: 50,
		vanity_url_code: guild.vanityCode,
		premium_tier: 0,
		premium_subscription_count: 0,
		premium_progress_bar_enabled: false,
		// A test gives the locale as a string (e.g. 'de'), one of Discord's locales.
		preferred_locale: guild.preferredLocale as Locale,
		nsfw_level: 0,
		nsfw: false,
		incidents_data: null,
		// Required by discord-api-types' APIGuild (the Student Hub type; null for any other guild).
		hub_type: null,
		...(withCounts ? { approximate_member_count: guild.members.size, approximate_presence_count: 0 } : {})
	};
}

/** GUILD_CREATE: the guild plus what only the gateway carries (channels, members, joined_at, member_count). */
export function guildCreatePayload(
	state: EmulatorState,
	guild: GuildRecord,
	included: 'all' | 'listed' | 'bot',
	large: boolean
): GatewayGuildCreateDispatchData {
	const members = state
		.apiMembers(guild)
		.filter(
			(member) =>
				included === 'all' ||
				member.user.id === state.botUser.id ||
				(included === 'listed' && (member.roles.length > 0 || member.nick !== null))
		);
	return {
		...apiGuild(guild),
		joined_at: guild.botJoinedAt,
		large,
		unavailable: false,
		member_count: guild.members.size,
		voice_states: [],
		members,
		// The emulator's ApiChannel also covers DM channels (no name); every guild channel is created with a name and a guild type.
		channels: [...guild.channels.values()].map(({ guild_id: _guildId, ...channel }) => channel) as GatewayGuildCreateDispatchData['channels'],
		threads: [],
		presences: [],
		stage_instances: [],
		guild_scheduled_events: [],
		soundboard_sounds: []
	};
}

export function apiInvite(state: EmulatorState, invite: InviteRecord, withMetadata = true) {
	const guild = state.guilds.get(invite.guildId);
	const channel = guild?.channels.get(invite.channelId);
	const inviter = invite.inviterId ? state.user(invite.inviterId) : undefined;
	const expiresAt = invite.maxAge > 0 ? new Date(Date.parse(invite.createdAt) + invite.maxAge * 1000).toISOString() : null;
	return {
		type: 0,
		code: invite.code,
		// discord-api-spec's GuildInviteResponse requires guild_id and guild.nsfw beside the partial guild.
		guild_id: invite.guildId,
		guild: guild && {
			id: guild.id,
			name: guild.name,
			icon: null,
			splash: null,
			banner: null,
			description: null,
			features: guildFeatures(guild),
			verification_level: 0,
			vanity_url_code: guild.vanityCode,
			nsfw_level: 0,
			nsfw: false,
			premium_subscription_count: 0
		},
		channel: channel && { id: channel.id, name: channel.name, type: channel.type },
		...(inviter ? { inviter } : {}),
		expires_at: expiresAt,
		...(withMetadata
			? {
					uses: invite.uses,
					max_uses: invite.maxUses,
					max_age: invite.maxAge,
					temporary: invite.temporary,
					created_at: invite.createdAt
				}
			: {})
	};
}

export function inviteCreateEvent(state: EmulatorState, invite: InviteRecord): GatewayInviteCreateDispatchData {
	const inviter = invite.inviterId ? state.user(invite.inviterId) : undefined;
	return {
		channel_id: invite.channelId,
		guild_id: invite.guildId,
		code: invite.code,
		created_at: invite.createdAt,
		...(inviter ? { inviter } : {}),
		max_age: invite.maxAge,
		max_uses: invite.maxUses,
		temporary: invite.temporary,
		// "How many times the invite has been used (always will be 0)" (developers/events/gateway-events.mdx, Invite Create).
		uses: 0,
		expires_at: invite.maxAge > 0 ? new Date(Date.parse(invite.createdAt) + invite.maxAge * 1000).toISOString() : null
	};
}

/** INVITE_DELETE: which invite, nothing else (docs/events/Gateway_Events.md, Invite Delete). */
export function inviteDeleteEvent(invite: InviteRecord): GatewayInviteDeleteDispatchData {
	return { channel_id: invite.channelId, guild_id: invite.guildId, code: invite.code };
}

/** Guild features (discord-api-docs, resources/guild.mdx, Guild Features) the emulator models. */
export function guildFeatures(guild: GuildRecord): GuildFeature[] {
	return [...(guild.community ? [GuildFeature.Community] : []), ...(guild.vanityCode ? [GuildFeature.VanityURL] : [])];
}
