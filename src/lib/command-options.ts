import { CommandOptionsRunTypeEnum, type Command } from '@sapphire/framework';
import { ApplicationIntegrationType, InteractionContextType, PermissionFlagsBits, type SlashCommandBuilder } from 'discord.js';

/**
 * Options of a command any member may run in a server. The description is needed by commands that do not use
 * localizeCommand yet; localized ones take theirs from the `commands` language namespace.
 */
export function guildCommand(description?: string): Command.Options {
	return { description, runIn: CommandOptionsRunTypeEnum.GuildAny };
}

/**
 * Options of an admin command: Sapphire refuses it to members without Manage Server (answered by our
 * chatInputCommandDenied listener), and registration sets the same default so Discord hides it from them.
 */
export function adminCommand(description?: string): Command.Options {
	return { description, runIn: CommandOptionsRunTypeEnum.GuildAny, requiredUserPermissions: [PermissionFlagsBits.ManageGuild] };
}

export const ADMIN_DEFAULT_PERMISSIONS = PermissionFlagsBits.ManageGuild;

/**
 * Every command of the bot works in servers only: registered with contexts = Guild, Discord does not offer it in DMs.
 * The installation context is set too: Discord answers a command registered without it with `[GUILD_INSTALL]`, which
 * Sapphire would take for a change and register again at every start.
 */
export function inGuildsOnly(builder: SlashCommandBuilder): SlashCommandBuilder {
	return builder.setContexts(InteractionContextType.Guild).setIntegrationTypes(ApplicationIntegrationType.GuildInstall);
}
