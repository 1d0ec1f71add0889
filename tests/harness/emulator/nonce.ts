import type { ApiMessage } from './types.js';

/**
 * Create Message's `enforce_nonce`: "If true and nonce is present, it will be checked for uniqueness in the past few
 * minutes. If another message was created by the same author with the same nonce, that message will be returned and
 * no new message will be created." (discord-api-docs, developers/resources/message.mdx, Create Message, JSON Params).
 * "A few minutes" is not specified further; the emulator keeps five. A deleted message no longer blocks its nonce
 * (the docs do not say; a message that is gone cannot be returned).
 */
export const NONCE_WINDOW_MS = 5 * 60_000;

export class NonceLedger {
	private readonly byAuthorAndNonce = new Map<string, { message: ApiMessage; at: number }>();

	/** The message this request would duplicate: same author, same nonce, `enforce_nonce` set, within the window. */
	public earlier(authorId: string, body: any, now: number, exists: (message: ApiMessage) => boolean): ApiMessage | undefined {
		if (body?.enforce_nonce !== true || body.nonce === undefined || body.nonce === null) return undefined;
		const entry = this.byAuthorAndNonce.get(key(authorId, body.nonce));
		if (!entry || now - entry.at > NONCE_WINDOW_MS || !exists(entry.message)) return undefined;
		return entry.message;
	}

	/** Remembers a created message that carried a nonce (enforced or not: a later enforced send must find it). */
	public record(message: ApiMessage, now: number): void {
		if (message.nonce === undefined) return;
		const entryKey = key(message.author.id, message.nonce);
		if (!this.byAuthorAndNonce.has(entryKey) || now - this.byAuthorAndNonce.get(entryKey)!.at > NONCE_WINDOW_MS)
			this.byAuthorAndNonce.set(entryKey, { message, at: now });
	}
}

// A nonce may be sent as an integer or a string; Discord echoes what it was given, so 5 and "5" are kept apart.
const key = (authorId: string, nonce: string | number) => `${authorId}:${typeof nonce}:${nonce}`;
