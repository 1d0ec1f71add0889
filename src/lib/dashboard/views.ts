import type { Guild } from 'discord.js';

/** Discord's CDN (reference.mdx, Image Formatting); null when the user has no avatar (the page draws an initial). */
export function avatarUrl(userId: string, avatar: string | null): string | null {
	return avatar === null ? null : `https://cdn.discordapp.com/avatars/${userId}/${avatar}.png?size=128`;
}

export function guildSummary(guild: Guild) {
	return { id: guild.id, name: guild.name, iconUrl: guild.iconURL({ size: 128, extension: 'png' }), memberCount: guild.memberCount };
}
