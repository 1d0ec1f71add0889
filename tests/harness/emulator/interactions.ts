import { randomBytes } from 'node:crypto';
import { timestampOf } from './snowflake.js';
import { waitUntil } from './wait.js';
import type { ApiAttachment, ApiMessage } from './types.js';

export const InteractionType = { ApplicationCommand: 2, MessageComponent: 3 } as const;
export const CallbackType = {
	ChannelMessageWithSource: 4,
	DeferredChannelMessageWithSource: 5,
	DeferredUpdateMessage: 6,
	UpdateMessage: 7,
	ApplicationCommandAutocompleteResult: 8,
	Modal: 9
} as const;
const EPHEMERAL = 64;

/**
 * "Interaction tokens are valid for 15 minutes and can be used to send followup messages but you must send an initial
 * response within 3 seconds of receiving the event. If the 3 second deadline is exceeded, the token will be
 * invalidated." (discord-api-docs, developers/interactions/receiving-and-responding.mdx, Responding to an
 * Interaction). A late callback gets 404 with 10062 Unknown interaction, a webhook request with an expired token
 * 401 with 50027 Invalid Webhook Token (developers/topics/opcodes-and-status-codes.mdx, JSON Error Codes; the statuses
 * as reported in discord-api-docs issue #6851 and discord.js issue #8335).
 */
export const INITIAL_RESPONSE_DEADLINE_MS = 3000;
export const INTERACTION_TOKEN_LIFETIME_MS = 15 * 60_000;

/** The bot's first answer to an interaction, as a test reads it. */
export interface InteractionReply {
	/** The callback type: 4 reply, 5 deferred reply, 6 deferred update, 7 update, 9 modal. */
	type: number;
	deferred: boolean;
	ephemeral: boolean;
	content: string;
	embeds: Record<string, unknown>[];
	components: Record<string, unknown>[];
	flags: number;
	attachments: ApiAttachment[];
	/** The message the callback created or updated (a snapshot), null for a modal. */
	message: ApiMessage | null;
	/** The raw callback data as the bot sent it. */
	data: any;
}

/** A running interaction: what the bot answered, edited and followed up with. */
export class InteractionHandle {
	public readonly token = randomBytes(24).toString('base64url');
	/** Every callback the bot sent, with the emulator's time it arrived. */
	public readonly callbacks: { type: number; data: any; at: number }[] = [];
	/** Snapshots of the @original message after each edit, oldest first. */
	public readonly edits: ApiMessage[] = [];
	public readonly followUps: ApiMessage[] = [];
	/** The @original message: the reply, or the clicked message for component updates. */
	public original: ApiMessage | null = null;
	public originalDeleted = false;
	private firstReply: InteractionReply | null = null;

	public constructor(
		public readonly id: string,
		public readonly payload: any
	) {}

	public get acknowledged(): boolean {
		return this.callbacks.length > 0;
	}

	/** When Discord created the interaction: the timestamp in its id, as on Discord. */
	public get createdAt(): number {
		return timestampOf(this.id);
	}

	/** How long after its creation the first callback arrived (emulator time); null while unanswered. */
	public get acknowledgedAfterMs(): number | null {
		const first = this.callbacks[0];
		return first ? first.at - this.createdAt : null;
	}

	/** Past the 3 s for the initial response: a callback now is refused with 10062. */
	public responseDeadlinePassed(now: number): boolean {
		return now - this.createdAt > INITIAL_RESPONSE_DEADLINE_MS;
	}

	/** Past the token's 15 minutes: webhook requests with it are refused with 50027. */
	public tokenExpired(now: number): boolean {
		return now - this.createdAt > INTERACTION_TOKEN_LIFETIME_MS;
	}

	/** Records the first callback; the REST layer has already created or updated `message`. */
	public recordCallback(type: number, data: any, message: ApiMessage | null, at = Date.now()): void {
		this.callbacks.push({ type, data, at });
		if (message) this.original = message;
		this.firstReply = replyOf(type, data, message);
	}

	public recordEdit(message: ApiMessage): void {
		this.edits.push(structuredClone(message));
	}

	/** Waits for the bot's callback (reply, defer or update). */
	public reply(timeoutMs = 5000): Promise<InteractionReply> {
		return waitUntil(
			() => this.firstReply ?? undefined,
			timeoutMs,
			() => `a response to interaction ${this.describe()}`
		);
	}

	/**
	 * Waits for what the user is finally shown: the reply itself, or for a deferred one the first edit of @original
	 * (or the first follow-up, when the bot replaced the deferred reply by one).
	 */
	public async answer(timeoutMs = 15_000): Promise<InteractionReply> {
		const first = await this.reply(timeoutMs);
		if (!first.deferred) return first;
		return waitUntil(
			() => {
				const shown = this.edits[0] ?? this.followUps[0];
				return shown && replyOf(first.type, first.data, shown);
			},
			timeoutMs,
			() => `the answer to deferred interaction ${this.describe()}`
		);
	}

	/** Waits for an edit of the @original message matching `predicate` (any edit when omitted). */
	public waitForEdit(predicate: (message: ApiMessage) => boolean = () => true, timeoutMs = 5000): Promise<ApiMessage> {
		return waitUntil(
			() => this.edits.find(predicate),
			timeoutMs,
			() => `an edit of ${this.describe()}; edits so far: ${JSON.stringify(this.edits.map(summary))}`
		);
	}

	public waitForFollowUp(predicate: (message: ApiMessage) => boolean = () => true, timeoutMs = 5000): Promise<ApiMessage> {
		return waitUntil(
			() => this.followUps.find(predicate),
			timeoutMs,
			() => `a follow-up of ${this.describe()}; follow-ups so far: ${JSON.stringify(this.followUps.map(summary))}`
		);
	}

	/** The latest state of the @original message: after edits, the last edit; else the first reply's message. */
	public get current(): ApiMessage | null {
		return this.original && structuredClone(this.original);
	}

	private describe(): string {
		const { data } = this.payload;
		return data?.name ? `/${data.name}` : `component ${data?.custom_id}`;
	}
}

function replyOf(type: number, data: any, message: ApiMessage | null): InteractionReply {
	const flags = Number(data?.flags ?? message?.flags ?? 0);
	return {
		type,
		deferred: type === CallbackType.DeferredChannelMessageWithSource || type === CallbackType.DeferredUpdateMessage,
		ephemeral: ((message?.flags ?? flags) & EPHEMERAL) !== 0,
		content: message?.content ?? data?.content ?? '',
		embeds: message?.embeds ?? data?.embeds ?? [],
		components: message?.components ?? data?.components ?? [],
		flags: message?.flags ?? flags,
		attachments: message?.attachments ?? [],
		message: message && structuredClone(message),
		data
	};
}

function summary(message: ApiMessage) {
	return { content: message.content, embeds: message.embeds.length, flags: message.flags };
}

/** Interactions by id and by token (webhook routes only know the token). */
export class InteractionRegistry {
	private readonly byId = new Map<string, InteractionHandle>();
	private readonly byToken = new Map<string, InteractionHandle>();

	public add(handle: InteractionHandle): void {
		this.byId.set(handle.id, handle);
		this.byToken.set(handle.token, handle);
	}

	public get(id: string): InteractionHandle | undefined {
		return this.byId.get(id);
	}

	public withToken(token: string): InteractionHandle | undefined {
		return this.byToken.get(token);
	}

	/** Finds an ephemeral or follow-up message that lives only with its interaction. */
	public findMessage(messageId: string): ApiMessage | undefined {
		for (const handle of this.byId.values()) {
			if (handle.original?.id === messageId) return handle.original;
			const followUp = handle.followUps.find((message) => message.id === messageId);
			if (followUp) return followUp;
		}
		return undefined;
	}
}
