import { CommandOptionsRunTypeEnum, type Command } from '@sapphire/framework';
import { PermissionFlagsBits } from 'discord.js';

/** Options of a command any member may run in a server. */
export function guildCommand(description: string): Command.Options {
	return { description, runIn: CommandOptionsRunTypeEnum.GuildAny };
}

/**
 * Options of an admin command: Sapphire refuses it to members without Manage Server (answered by our
 * chatInputCommandDenied listener), and registration sets the same default so Discord hides it from them.
 */
export function adminCommand(description: string): Command.Options {
	return { description, runIn: CommandOptionsRunTypeEnum.GuildAny, requiredUserPermissions: [PermissionFlagsBits.ManageGuild] };
}

export const ADMIN_DEFAULT_PERMISSIONS = PermissionFlagsBits.ManageGuild;
