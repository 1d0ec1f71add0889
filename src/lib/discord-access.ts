// What the bot asks of Discord, in one place: the gateway intents it connects with and the permissions its invite
// link requests. The README's "Run it" section lists the same, with the reasons given here.
import { GatewayIntentBits, OAuth2Scopes, PermissionFlagsBits, PermissionsBitField } from 'discord.js';

/** Guilds: servers and channels; GuildMembers (privileged: Server Members Intent): joins and leaves; GuildInvites: invite uses. */
export const BOT_INTENTS = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMembers, GatewayIntentBits.GuildInvites] as const;

/** Every permission a feature uses, and why; nothing more. */
export const BOT_PERMISSIONS = {
	ViewChannel: 'see the welcome, goodbye and giveaway channels',
	SendMessages: 'post welcome and goodbye messages, giveaways and their winners',
	EmbedLinks: 'welcome embeds and giveaway messages',
	AttachFiles: 'generated welcome cards',
	ReadMessageHistory: 'find a giveaway announcement already sent before sending it again',
	ManageGuild: 'read invites and their uses (invite tracking)',
	ManageRoles: 'give auto-roles and invite rank roles'
} as const satisfies Partial<Record<keyof typeof PermissionFlagsBits, string>>;

export function botPermissions(): bigint {
	return PermissionsBitField.resolve(Object.keys(BOT_PERMISSIONS).map((name) => PermissionFlagsBits[name as keyof typeof BOT_PERMISSIONS]));
}

/** The OAuth2 link that adds the bot to a server with its slash commands and exactly these permissions. */
export function inviteUrl(applicationId: string): string {
	// Discord's own page (docs: topics/OAuth2, "Bot Authorization Flow"), whatever DISCORD_API_URL points at.
	const query = new URLSearchParams({
		client_id: applicationId,
		scope: [OAuth2Scopes.Bot, OAuth2Scopes.ApplicationsCommands].join(' '),
		permissions: botPermissions().toString()
	});
	return `https://discord.com/oauth2/authorize?${query}`;
}
