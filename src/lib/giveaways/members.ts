import { PermissionFlagsBits, type GuildMember, type APIInteractionGuildMember } from 'discord.js';

/** Role ids of an interaction's member, cached or not. */
export function memberRoleIds(member: GuildMember | APIInteractionGuildMember | null): string[] {
	if (!member) return [];
	return Array.isArray(member.roles) ? [...member.roles] : [...member.roles.cache.keys()];
}

/** Giveaway hosts: members with Manage Server, or with the guild's host role. */
export function isGiveawayHost(
	permissions: Readonly<{ has(flag: bigint): boolean }> | null,
	roleIds: readonly string[],
	hostRoleId: string | null
): boolean {
	if (permissions?.has(PermissionFlagsBits.ManageGuild)) return true;
	return hostRoleId !== null && roleIds.includes(hostRoleId);
}
