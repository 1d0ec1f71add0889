import { DiscordApiError, notFound, type RestRequest, type Router } from '../http.js';
import { CallbackType, InteractionType, type InteractionHandle } from '../interactions.js';
import { publicMessage } from '../messages.js';
import type { ApiMessage } from '../types.js';
import type { World } from '../world.js';

const EPHEMERAL = 64;
const LOADING = 128;
const MESSAGE_TYPE_CHAT_INPUT_COMMAND = 20;

/** Interaction callbacks and the interaction webhook (edit @original, follow-ups), authorized by the interaction token. */
export function registerInteractionRoutes(router: Router, world: World): void {
	const { state } = world;

	const interactionMessage = (
		handle: InteractionHandle,
		body: any,
		files: RestRequest['files'],
		isReply: boolean,
		allowEmpty = false
	): ApiMessage => {
		const { payload } = handle;
		const ephemeral = (Number(body?.flags ?? 0) & EPHEMERAL) !== 0;
		return world.postMessage({
			channelId: payload.channel_id,
			author: state.botUser,
			body,
			files,
			allowEmpty,
			type: isReply && payload.type === InteractionType.ApplicationCommand ? MESSAGE_TYPE_CHAT_INPUT_COMMAND : 0,
			extra: {
				webhook_id: state.applicationId,
				application_id: state.applicationId,
				interaction_metadata: {
					id: handle.id,
					type: payload.type,
					user: payload.member?.user ?? payload.user,
					authorizing_integration_owners: payload.authorizing_integration_owners,
					...(payload.data?.name ? { name: payload.data.name } : {}),
					// "ID of the message that contained the interactive component; present only on messages created from
					// component interactions" (docs/resources/Message.md, Message Component Interaction Metadata).
					...(payload.message?.id ? { interacted_message_id: payload.message.id } : {})
				},
				...(ephemeral ? { ephemeral: true } : {})
			}
		});
	};

	router.add(
		'POST',
		'/interactions/:interactionId/:token/callback',
		(request) => {
			const handle = world.interactions.get(request.params.interactionId!);
			if (!handle || handle.token !== request.params.token) throw notFound(10062, 'interaction');
			if (handle.acknowledged) throw new DiscordApiError(400, 40060, 'Interaction has already been acknowledged.');
			// The initial response is due within 3 s; later, the interaction is gone (see INITIAL_RESPONSE_DEADLINE_MS).
			const now = state.clock.now();
			if (handle.responseDeadlinePassed(now)) throw notFound(10062, 'interaction');
			const type = Number(request.body?.type);
			const data = request.body?.data ?? {};
			let message: ApiMessage | null = null;
			switch (type) {
				case CallbackType.ChannelMessageWithSource:
					message = interactionMessage(handle, data, request.files, true);
					break;
				case CallbackType.DeferredChannelMessageWithSource:
					// A "thinking…" placeholder that the bot fills in with an edit of @original.
					message = interactionMessage(handle, { flags: LOADING | (Number(data.flags ?? 0) & EPHEMERAL) }, [], true, true);
					break;
				case CallbackType.DeferredUpdateMessage:
				case CallbackType.UpdateMessage: {
					message = handle.payload.message
						? (state.findMessage(handle.payload.message.id) ?? world.interactions.findMessage(handle.payload.message.id) ?? null)
						: null;
					if (!message) throw new DiscordApiError(400, 50035, 'Invalid Form Body: this interaction has no message to update');
					if (type === CallbackType.UpdateMessage) {
						world.editMessage(message, data, request.files);
						handle.recordEdit(message);
					}
					break;
				}
				case CallbackType.Modal:
				case CallbackType.ApplicationCommandAutocompleteResult:
					break;
				default:
					throw new DiscordApiError(400, 50035, `Invalid Form Body: unknown interaction callback type ${type}`);
			}
			handle.recordCallback(type, data, message, now);
			if (request.query.get('with_response') !== 'true') return undefined;
			return {
				interaction: {
					id: handle.id,
					type: handle.payload.type,
					activity_instance_id: null,
					response_message_id: message?.id ?? null,
					response_message_loading: type === CallbackType.DeferredChannelMessageWithSource,
					response_message_ephemeral: ((message?.flags ?? 0) & EPHEMERAL) !== 0
				},
				resource: { type, ...(message ? { message: publicMessage(message) } : {}) }
			};
		},
		{ needsBotAuth: false }
	);

	const handleOf = (request: RestRequest) => {
		const handle = request.params.applicationId === state.applicationId ? world.interactions.withToken(request.params.token!) : undefined;
		if (!handle) throw notFound(10015, 'Webhook');
		// The token works for 15 minutes (see INTERACTION_TOKEN_LIFETIME_MS); one whose 3 s passed unanswered was
		// invalidated: "404 Not found" within the 15 minutes, as discord-api-docs issue #6851 reports.
		const now = state.clock.now();
		if (handle.tokenExpired(now)) throw new DiscordApiError(401, 50027, 'Invalid Webhook Token');
		if (!handle.acknowledged && handle.responseDeadlinePassed(now)) throw notFound(10015, 'Webhook');
		return handle;
	};
	/** `@original`, or a follow-up (or the original) by id. */
	const webhookMessage = (request: RestRequest) => {
		const handle = handleOf(request);
		const id = request.params.messageId!;
		const message = id === '@original' ? handle.original : [handle.original, ...handle.followUps].find((candidate) => candidate?.id === id);
		if (!message || (message === handle.original && handle.originalDeleted)) throw notFound(10008, 'Message');
		return { handle, message };
	};

	const base = '/webhooks/:applicationId/:token';
	router.add(
		'POST',
		base,
		(request) => {
			const handle = handleOf(request);
			// Follow-ups are possible only once the interaction was answered.
			if (!handle.acknowledged) throw notFound(10015, 'Webhook');
			const message = interactionMessage(handle, request.body ?? {}, request.files, false);
			handle.followUps.push(message);
			return request.query.get('wait') === 'false' ? undefined : publicMessage(message);
		},
		{ needsBotAuth: false }
	);
	router.add('GET', `${base}/messages/:messageId`, (request) => publicMessage(webhookMessage(request).message), { needsBotAuth: false });
	router.add(
		'PATCH',
		`${base}/messages/:messageId`,
		(request) => {
			const { handle, message } = webhookMessage(request);
			world.editMessage(message, request.body, request.files);
			if (message === handle.original) handle.recordEdit(message);
			return publicMessage(message);
		},
		{ needsBotAuth: false }
	);
	router.add(
		'DELETE',
		`${base}/messages/:messageId`,
		(request) => {
			const { handle, message } = webhookMessage(request);
			world.deleteMessage(message);
			if (message === handle.original) handle.originalDeleted = true;
			return undefined;
		},
		{ needsBotAuth: false }
	);
}
