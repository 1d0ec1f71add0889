import { PermissionFlagsBits } from 'discord.js';
import type { ApiChannel, GuildRecord } from './types.js';

export const ALL_PERMISSIONS = Object.values(PermissionFlagsBits).reduce((all, bit) => all | bit, 0n);

/** What a freshly added invite-tracking bot is typically granted; tests narrow it with `botPermissions`. */
export const DEFAULT_BOT_PERMISSIONS =
	PermissionFlagsBits.ViewChannel |
	PermissionFlagsBits.SendMessages |
	PermissionFlagsBits.EmbedLinks |
	PermissionFlagsBits.AttachFiles |
	PermissionFlagsBits.ReadMessageHistory |
	PermissionFlagsBits.AddReactions |
	PermissionFlagsBits.UseExternalEmojis |
	PermissionFlagsBits.ManageGuild |
	PermissionFlagsBits.ManageRoles |
	PermissionFlagsBits.ManageChannels |
	PermissionFlagsBits.CreateInstantInvite;

/** What @everyone gets in a new server. */
export const DEFAULT_EVERYONE_PERMISSIONS =
	PermissionFlagsBits.ViewChannel |
	PermissionFlagsBits.SendMessages |
	PermissionFlagsBits.ReadMessageHistory |
	PermissionFlagsBits.AddReactions |
	PermissionFlagsBits.EmbedLinks |
	PermissionFlagsBits.AttachFiles |
	PermissionFlagsBits.UseApplicationCommands |
	PermissionFlagsBits.CreateInstantInvite |
	PermissionFlagsBits.ChangeNickname;

/** Guild-level permissions, Discord's algorithm: owner and Administrator get everything. */
export function basePermissions(guild: GuildRecord, userId: string): bigint {
	if (guild.ownerId === userId) return ALL_PERMISSIONS;
	const member = guild.members.get(userId);
	let permissions = BigInt(guild.roles.get(guild.id)?.permissions ?? '0');
	for (const roleId of member?.roles ?? []) permissions |= BigInt(guild.roles.get(roleId)?.permissions ?? '0');
	return permissions & PermissionFlagsBits.Administrator ? ALL_PERMISSIONS : permissions;
}

/** Channel permissions: @everyone overwrite, then role overwrites together, then the member's own overwrite. */
export function channelPermissions(guild: GuildRecord, channel: ApiChannel | undefined, userId: string): bigint {
	let permissions = basePermissions(guild, userId);
	if (permissions === ALL_PERMISSIONS || !channel) return permissions;
	const overwrites = channel.permission_overwrites ?? [];
	const apply = (allow: bigint, deny: bigint) => {
		permissions = (permissions & ~deny) | allow;
	};
	const everyone = overwrites.find((overwrite) => overwrite.id === guild.id);
	if (everyone) apply(BigInt(everyone.allow), BigInt(everyone.deny));
	const memberRoles = new Set(guild.members.get(userId)?.roles ?? []);
	let roleAllow = 0n;
	let roleDeny = 0n;
	for (const overwrite of overwrites) {
		if (overwrite.type !== 0 || overwrite.id === guild.id || !memberRoles.has(overwrite.id)) continue;
		roleAllow |= BigInt(overwrite.allow);
		roleDeny |= BigInt(overwrite.deny);
	}
	apply(roleAllow, roleDeny);
	const own = overwrites.find((overwrite) => overwrite.type === 1 && overwrite.id === userId);
	if (own) apply(BigInt(own.allow), BigInt(own.deny));
	// Without View Channel nothing else in the channel is possible.
	return permissions & PermissionFlagsBits.ViewChannel ? permissions : 0n;
}

/** The position of a member's highest role; the owner outranks everyone. */
export function highestRolePosition(guild: GuildRecord, userId: string): number {
	if (guild.ownerId === userId) return Number.POSITIVE_INFINITY;
	const member = guild.members.get(userId);
	return Math.max(0, ...(member?.roles ?? []).map((roleId) => guild.roles.get(roleId)?.position ?? 0));
}
