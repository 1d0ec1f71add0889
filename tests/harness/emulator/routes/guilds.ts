import { PermissionFlagsBits } from 'discord.js';
import { invalidForm, notFound, type RestRequest, type Router } from '../http.js';
import { apiGuild, apiInvite } from '../shapes.js';
import type { World } from '../world.js';
import type { BotAccess } from './access.js';

/** Guilds, their channels, roles, members, invites and vanity URL. */
export function registerGuildRoutes(router: Router, world: World, access: BotAccess): void {
	const { state } = world;
	const guildOf = (request: RestRequest) => world.requireGuild(request.params.guildId!);
	const memberOf = (request: RestRequest) => {
		const guild = guildOf(request);
		const userId = request.params.userId === '@me' ? world.botId : request.params.userId!;
		const member = state.apiMember(guild, userId);
		if (!member) throw notFound(10007, 'Member');
		return { guild, userId, member };
	};

	router.add('GET', '/guilds/:guildId', (request) => apiGuild(guildOf(request), request.query.get('with_counts') === 'true'));
	router.add('GET', '/guilds/:guildId/channels', (request) => [...guildOf(request).channels.values()]);
	router.add('POST', '/guilds/:guildId/channels', (request) => {
		const guild = guildOf(request);
		access.requireGuildPermission(guild, PermissionFlagsBits.ManageChannels);
		if (!request.body?.name) throw invalidForm('name', 'BASE_TYPE_REQUIRED', 'This field is required');
		return world.createChannel(guild.id, {
			name: request.body.name,
			type: request.body.type ?? 0,
			topic: request.body.topic,
			parentId: request.body.parent_id
		});
	});

	router.add('GET', '/guilds/:guildId/roles', (request) => [...guildOf(request).roles.values()]);
	router.add('POST', '/guilds/:guildId/roles', (request) => {
		const guild = guildOf(request);
		access.requireGuildPermission(guild, PermissionFlagsBits.ManageRoles);
		const body = request.body ?? {};
		return world.createRole(guild.id, {
			name: body.name ?? 'new role',
			permissions: BigInt(body.permissions ?? guild.roles.get(guild.id)!.permissions),
			color: body.color ?? 0,
			hoist: body.hoist ?? false,
			mentionable: body.mentionable ?? false
		});
	});
	router.add('PATCH', '/guilds/:guildId/roles/:roleId', (request) => {
		const guild = guildOf(request);
		const role = access.requireManageableRole(guild, request.params.roleId!);
		const body = request.body ?? {};
		for (const field of ['name', 'color', 'hoist', 'mentionable'] as const)
			if (body[field] !== undefined) Object.assign(role, { [field]: body[field] });
		if (body.permissions !== undefined) role.permissions = String(body.permissions);
		if (body.color !== undefined) role.colors = { ...role.colors, primary_color: body.color };
		world.gateway.dispatch('GUILD_ROLE_UPDATE', { guild_id: guild.id, role }, guild.id);
		return role;
	});
	router.add('DELETE', '/guilds/:guildId/roles/:roleId', (request) => {
		const guild = guildOf(request);
		access.requireManageableRole(guild, request.params.roleId!);
		world.deleteRole(guild.id, request.params.roleId!);
		return undefined;
	});

	router.add('GET', '/guilds/:guildId/members', (request) => {
		const guild = guildOf(request);
		const limit = Math.min(1000, Math.max(1, Number(request.query.get('limit') ?? 1)));
		const after = BigInt(request.query.get('after') ?? 0);
		return state
			.apiMembers(guild)
			.filter((member) => BigInt(member.user.id) > after)
			.sort((a, b) => (BigInt(a.user.id) < BigInt(b.user.id) ? -1 : 1))
			.slice(0, limit);
	});
	router.add('GET', '/guilds/:guildId/members/:userId', (request) => memberOf(request).member);
	router.add('PATCH', '/guilds/:guildId/members/:userId', (request) => {
		const { guild, userId, member } = memberOf(request);
		const body = request.body ?? {};
		if (body.roles !== undefined) {
			// Every member has @everyone (its id is the guild's); discord.js sends it along and Discord ignores it.
			const wanted = new Set<string>((body.roles ?? []).filter((id: string) => id !== guild.id));
			const changed = [...wanted].filter((id) => !member.roles.includes(id)).concat(member.roles.filter((id) => !wanted.has(id)));
			for (const roleId of changed) access.requireManageableRole(guild, roleId);
		}
		if (body.nick !== undefined) {
			access.requireGuildPermission(guild, userId === world.botId ? PermissionFlagsBits.ChangeNickname : PermissionFlagsBits.ManageNicknames);
		}
		world.updateMember(guild.id, userId, {
			...(body.roles === undefined ? {} : { roles: (body.roles ?? []).filter((id: string) => id !== guild.id) }),
			...(body.nick === undefined ? {} : { nick: body.nick })
		});
		return state.apiMember(guild, userId);
	});
	router.add('DELETE', '/guilds/:guildId/members/:userId', (request) => {
		const { guild, userId } = memberOf(request);
		access.requireGuildPermission(guild, PermissionFlagsBits.KickMembers);
		world.removeMember(guild.id, userId);
		return undefined;
	});
	const changeRole = (add: boolean) => (request: RestRequest) => {
		const { guild, userId, member } = memberOf(request);
		const roleId = request.params.roleId!;
		access.requireManageableRole(guild, roleId);
		// Adding a role the member has, or removing one it lacks, changes nothing and sends no event.
		if (add === member.roles.includes(roleId)) return undefined;
		const roles = add ? [...member.roles, roleId] : member.roles.filter((id) => id !== roleId);
		world.updateMember(guild.id, userId, { roles });
		return undefined;
	};
	router.add('PUT', '/guilds/:guildId/members/:userId/roles/:roleId', changeRole(true));
	router.add('DELETE', '/guilds/:guildId/members/:userId/roles/:roleId', changeRole(false));

	// "Requires the MANAGE_GUILD or VIEW_AUDIT_LOG permission. Invite Metadata is included with the MANAGE_GUILD
	// permission" (discord-api-docs, developers/resources/guild.mdx, Get Guild Invites): without it no `uses`.
	router.add('GET', '/guilds/:guildId/invites', (request) => {
		const guild = guildOf(request);
		const withMetadata = access.hasGuildPermission(guild, PermissionFlagsBits.ManageGuild);
		if (!withMetadata) access.requireGuildPermission(guild, PermissionFlagsBits.ViewAuditLog);
		return state.guildInvites(guild.id).map((invite) => apiInvite(state, invite, withMetadata));
	});
	router.add('GET', '/guilds/:guildId/vanity-url', (request) => {
		const guild = guildOf(request);
		access.requireGuildPermission(guild, PermissionFlagsBits.ManageGuild);
		return { code: guild.vanityCode, uses: guild.vanityUses };
	});
}
