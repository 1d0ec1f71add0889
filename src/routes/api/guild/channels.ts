import { ApplyOptions } from '@sapphire/decorators';
import { ChannelType, PermissionFlagsBits } from 'discord.js';
import { DashboardRoute, type DashboardRouteOptions, type RouteContext } from '../../../lib/dashboard/route.js';
import { roleProblem } from '../../../lib/roles.js';

/** GET /api/guilds/:guild/channels: text channels and roles for the pages' pickers, with what the bot may do there. */
@ApplyOptions<DashboardRouteOptions>({ route: 'api/guilds/[guild]/channels', methods: ['GET'], access: 'guild' })
export class ChannelsRoute extends DashboardRoute {
	protected override handle({ guild }: RouteContext) {
		const { me } = guild.members;
		const channels = [...guild.channels.cache.values()]
			.filter((channel) => channel.type === ChannelType.GuildText || channel.type === ChannelType.GuildAnnouncement)
			.sort((a, b) => a.position - b.position)
			.map((channel) => {
				const permissions = me ? channel.permissionsFor(me) : null;
				return {
					id: channel.id,
					name: channel.name,
					type: channel.type === ChannelType.GuildText ? 'text' : 'announcement',
					botCanSend: permissions?.has(PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages) ?? false
				};
			});
		const roles = [...guild.roles.cache.values()]
			.filter((role) => role.id !== guild.id)
			.sort((a, b) => b.position - a.position)
			.map((role) => ({
				id: role.id,
				name: role.name,
				color: role.color === 0 ? null : `#${role.color.toString(16).padStart(6, '0')}`,
				position: role.position,
				managed: role.managed,
				assignable: roleProblem(role, guild) === null
			}));
		return { channels, roles };
	}
}
