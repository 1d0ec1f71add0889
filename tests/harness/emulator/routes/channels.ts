import { PermissionFlagsBits } from 'discord.js';
import { DiscordApiError, notFound, type RestRequest, type Router } from '../http.js';
import { publicMessage } from '../messages.js';
import { apiInvite } from '../shapes.js';
import type { ApiChannel } from '../types.js';
import type { World } from '../world.js';
import type { BotAccess } from './access.js';

/** Channels, their messages and invites, invites by code, and DM channels. */
export function registerChannelRoutes(router: Router, world: World, access: BotAccess): void {
	const { state } = world;
	const channelOf = (request: RestRequest, permission: bigint = PermissionFlagsBits.ViewChannel): ApiChannel => {
		const channel = world.requireChannel(request.params.channelId!);
		access.requireChannelPermission(channel, permission);
		return channel;
	};
	const messageOf = (request: RestRequest) => {
		const channel = channelOf(request, PermissionFlagsBits.ViewChannel | PermissionFlagsBits.ReadMessageHistory);
		const message = state.channelMessages(channel.id).find((candidate) => candidate.id === request.params.messageId);
		if (!message) throw notFound(10008, 'Message');
		return message;
	};

	router.add('GET', '/channels/:channelId', (request) => channelOf(request));
	router.add('DELETE', '/channels/:channelId', (request) => {
		const channel = channelOf(request, PermissionFlagsBits.ManageChannels);
		world.deleteChannel(channel.id);
		return channel;
	});

	router.add('GET', '/channels/:channelId/messages', (request) => {
		const channel = channelOf(request, PermissionFlagsBits.ViewChannel | PermissionFlagsBits.ReadMessageHistory);
		const limit = Math.min(100, Math.max(1, Number(request.query.get('limit') ?? 50)));
		const before = request.query.get('before');
		const after = request.query.get('after');
		// discord-api-docs resources/Message.md, "Get Channel Messages": limit 1-100 (default 50); before, after and around
		// are mutually exclusive; "returns an array of message objects from newest to oldest". With `after`, the page is the
		// messages just after that id (the oldest end), so a reader pages forward by passing the newest id it got.
		const newestFirst = [...state.channelMessages(channel.id)].reverse();
		const selected = newestFirst.filter(
			(message) => (!before || BigInt(message.id) < BigInt(before)) && (!after || BigInt(message.id) > BigInt(after))
		);
		return (after && !before ? selected.slice(-limit) : selected.slice(0, limit)).map(publicMessage);
	});
	router.add('POST', '/channels/:channelId/messages', (request) => {
		const needed =
			PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages | (request.files.length ? PermissionFlagsBits.AttachFiles : 0n);
		const channel = channelOf(request, needed);
		// enforce_nonce: a second send with the same nonce answers with the first message (see nonce.ts).
		const earlier = state.nonces.earlier(state.botUser.id, request.body, state.clock.now(), (message) => Boolean(state.findMessage(message.id)));
		if (earlier) return publicMessage(earlier);
		const message = world.postMessage({ channelId: channel.id, author: state.botUser, body: request.body, files: request.files });
		state.nonces.record(message, state.clock.now());
		return message;
	});
	router.add('GET', '/channels/:channelId/messages/:messageId', (request) => messageOf(request));
	router.add('PATCH', '/channels/:channelId/messages/:messageId', (request) => {
		const message = messageOf(request);
		if (message.author.id !== world.botId) throw new DiscordApiError(403, 50005, 'Cannot edit a message authored by another user');
		return world.editMessage(message, request.body, request.files);
	});
	router.add('DELETE', '/channels/:channelId/messages/:messageId', (request) => {
		const message = messageOf(request);
		if (message.author.id !== world.botId)
			access.requireChannelPermission(world.requireChannel(message.channel_id), PermissionFlagsBits.ManageMessages);
		world.deleteMessage(message);
		return undefined;
	});

	router.add('GET', '/channels/:channelId/invites', (request) => {
		const channel = channelOf(request, PermissionFlagsBits.ManageChannels);
		return state
			.guildInvites(channel.guild_id ?? '')
			.filter((invite) => invite.channelId === channel.id)
			.map((invite) => apiInvite(state, invite));
	});
	router.add('POST', '/channels/:channelId/invites', (request) => {
		const channel = channelOf(request, PermissionFlagsBits.CreateInstantInvite);
		const body = request.body ?? {};
		const invite = world.createInvite(channel.guild_id!, {
			channelId: channel.id,
			inviterId: world.botId,
			maxAge: body.max_age ?? 86_400,
			maxUses: body.max_uses ?? 0,
			temporary: body.temporary ?? false
		});
		return apiInvite(state, invite);
	});

	router.add('GET', '/invites/:code', (request) => {
		const invite = state.invite(request.params.code!);
		if (!invite) throw notFound(10006, 'Invite');
		const guild = state.guilds.get(invite.guildId)!;
		const counts =
			request.query.get('with_counts') === 'true' ? { approximate_member_count: guild.members.size, approximate_presence_count: 0 } : {};
		return { ...apiInvite(state, invite, false), ...counts };
	});
	router.add('DELETE', '/invites/:code', (request) => {
		const invite = state.invite(request.params.code!);
		if (!invite) throw notFound(10006, 'Invite');
		const guild = world.requireGuild(invite.guildId);
		const channel = guild.channels.get(invite.channelId);
		try {
			access.requireGuildPermission(guild, PermissionFlagsBits.ManageGuild);
		} catch {
			if (channel) access.requireChannelPermission(channel, PermissionFlagsBits.ManageChannels);
		}
		world.deleteInvite(invite.code);
		return apiInvite(state, invite, false);
	});

	router.add('POST', '/users/@me/channels', (request) => world.openDm(String(request.body?.recipient_id ?? '')));
}
