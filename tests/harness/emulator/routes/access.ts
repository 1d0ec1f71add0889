import { PermissionFlagsBits } from 'discord.js';
import { missingAccess, missingPermissions, notFound } from '../http.js';
import { basePermissions, channelPermissions, highestRolePosition } from '../permissions.js';
import type { ApiChannel, ApiRole, GuildRecord } from '../types.js';
import type { World } from '../world.js';

/** The bot's permission checks, answered with Discord's 403s. */
export class BotAccess {
	public constructor(private readonly world: World) {}

	public hasGuildPermission(guild: GuildRecord, permission: bigint): boolean {
		return (basePermissions(guild, this.world.botId) & permission) === permission;
	}

	public requireGuildPermission(guild: GuildRecord, permission: bigint): void {
		if (!this.hasGuildPermission(guild, permission)) throw missingPermissions();
	}

	/** Without View Channel a channel is "Missing Access" (50001); other missing bits are "Missing Permissions" (50013). */
	public requireChannelPermission(channel: ApiChannel, permission: bigint): void {
		const guild = channel.guild_id ? this.world.requireGuild(channel.guild_id) : undefined;
		if (!guild) return;
		const permissions = channelPermissions(guild, channel, this.world.botId);
		if (!(permissions & PermissionFlagsBits.ViewChannel)) throw missingAccess();
		if ((permissions & permission) !== permission) throw missingPermissions();
	}

	/** Assigning, editing or deleting a role needs Manage Roles and a role strictly below the bot's highest. */
	public requireManageableRole(guild: GuildRecord, roleId: string): ApiRole {
		this.requireGuildPermission(guild, PermissionFlagsBits.ManageRoles);
		const role = guild.roles.get(roleId);
		if (!role) throw notFound(10011, 'Role');
		if (role.managed || role.id === guild.id || role.position >= highestRolePosition(guild, this.world.botId)) throw missingPermissions();
		return role;
	}
}
