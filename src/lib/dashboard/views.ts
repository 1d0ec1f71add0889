import type { Guild } from 'discord.js';
import type { InviteConfig } from '../invites/tracker.js';

/** Discord's CDN (reference.mdx, Image Formatting); null when the user has no avatar (the page draws an initial). */
export function avatarUrl(userId: string, avatar: string | null): string | null {
	return avatar === null ? null : `https://cdn.discordapp.com/avatars/${userId}/${avatar}.png?size=128`;
}

export function guildSummary(guild: Guild) {
	return { id: guild.id, name: guild.name, iconUrl: guild.iconURL({ size: 128, extension: 'png' }), memberCount: guild.memberCount };
}

export function inviteConfigView(config: InviteConfig) {
	return {
		fakeAccountDays: config.fakeAccountDays,
		fakeWithoutAvatar: config.fakeWithoutAvatar,
		removeRankRolesBelow: config.removeRankRolesBelow,
		rankRoles: config.rankRoles.map((rank) => ({ total: rank.total, roleId: rank.roleId })),
		resetAt: config.resetAt === 0 ? null : new Date(config.resetAt).toISOString()
	};
}
