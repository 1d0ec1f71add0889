import { validateComponents } from './components.js';
import { invalidForm, DiscordApiError, type UploadedFile } from './http.js';
import { snowflakeAt } from './snowflake.js';
import type { EmulatorState } from './state.js';
import type { ApiAttachment, ApiMessage, ApiUser } from './types.js';

/** Discord's message limits, checked so a bot that would be rejected by Discord is rejected here too. */
function validateMessageBody(body: any): void {
	if (body.content !== undefined && body.content !== null) {
		if (typeof body.content !== 'string') throw invalidForm('content', 'BASE_TYPE_STRING', 'Must be a string.');
		if (body.content.length > 2000) throw invalidForm('content', 'BASE_TYPE_MAX_LENGTH', 'Must be 2000 or fewer in length.');
	}
	const embeds: any[] = body.embeds ?? [];
	if (embeds.length > 10) throw invalidForm('embeds', 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
	let totalEmbedText = 0;
	const limit = (value: unknown, max: number, path: string, required = false) => {
		if (value === undefined || value === null) {
			if (required) throw invalidForm(path, 'BASE_TYPE_REQUIRED', 'This field is required');
			return;
		}
		const text = String(value);
		if (required && text.length === 0) throw invalidForm(path, 'BASE_TYPE_REQUIRED', 'This field is required');
		if (text.length > max) throw invalidForm(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
		totalEmbedText += text.length;
	};
	embeds.forEach((embed, index) => {
		limit(embed.title, 256, `embeds.${index}.title`);
		limit(embed.description, 4096, `embeds.${index}.description`);
		limit(embed.footer?.text, 2048, `embeds.${index}.footer.text`);
		limit(embed.author?.name, 256, `embeds.${index}.author.name`);
		const fields: any[] = embed.fields ?? [];
		if (fields.length > 25) throw invalidForm(`embeds.${index}.fields`, 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
		fields.forEach((field, fieldIndex) => {
			limit(field.name, 256, `embeds.${index}.fields.${fieldIndex}.name`, true);
			limit(field.value, 1024, `embeds.${index}.fields.${fieldIndex}.value`, true);
		});
	});
	if (totalEmbedText > 6000) throw invalidForm('embeds', 'MAX_EMBED_SIZE_EXCEEDED', 'Embed size exceeds maximum size of 6000');
	validateComponents(body);
	// "nonce? integer or string: Can be used to verify a message was sent (up to 25 characters)" (discord-api-docs,
	// developers/resources/message.mdx, Create Message).
	if (body.nonce !== undefined && body.nonce !== null) {
		if (typeof body.nonce !== 'string' && !Number.isInteger(body.nonce))
			throw invalidForm('nonce', 'NONCE_TYPE_INVALID', 'Must be an integer or a string.');
		if (String(body.nonce).length > 25) throw invalidForm('nonce', 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
	}
}

function mentionedUsers(state: EmulatorState, content: string): ApiUser[] {
	const ids = new Set([...content.matchAll(/<@!?(\d+)>/g)].map((match) => match[1]!));
	return [...ids].flatMap((id) => state.user(id) ?? []);
}

/** Stores uploaded files as attachments; `body.attachments` may name them by upload index (`files[n]`). */
function storeAttachments(state: EmulatorState, baseUrl: string, channelId: string, body: any, files: UploadedFile[]): ApiAttachment[] {
	const described: any[] = body.attachments ?? [];
	return files.map((file, position) => {
		const index = /\[(\d+)\]/.exec(file.field)?.[1] ?? String(position);
		const description = described.find((entry) => String(entry.id) === index);
		const id = snowflakeAt();
		const filename = description?.filename ?? file.filename;
		state.attachmentBytes.set(id, file.data);
		const url = `${baseUrl}/attachments/${channelId}/${id}/${encodeURIComponent(filename)}`;
		return {
			id,
			filename,
			size: file.data.length,
			url,
			proxy_url: url,
			content_type: file.contentType,
			...(description?.description ? { description: description.description } : {})
		};
	});
}

/**
 * Embeds as Discord answers them: `type` is "rich" for embeds a bot sends and a field's `inline` defaults to false
 * (docs/resources/Message.md, Embed Object and Embed Field Structure: "type? string, always rich for webhook embeds",
 * "inline? boolean"; discord-api-spec's MessageEmbedResponse and MessageEmbedFieldResponse make both required).
 */
function storedEmbeds(embeds: any[] | null | undefined): Record<string, unknown>[] {
	return (embeds ?? []).map((embed) => ({
		type: 'rich',
		...embed,
		...(embed.fields ? { fields: embed.fields.map((field: any) => ({ ...field, inline: Boolean(field.inline) })) } : {})
	}));
}

/**
 * Components as Discord answers them: every component gets a numeric `id`, "auto populated through increment if not
 * provided" (docs/components/reference.mdx, Anatomy of a Component: id; required in discord-api-spec's responses).
 */
function storedComponents(components: any[] | null | undefined): Record<string, unknown>[] {
	let next = 1;
	const taken = new Set<number>();
	const collect = (list: any[]) => {
		for (const component of list) {
			if (typeof component.id === 'number') taken.add(component.id);
			if (Array.isArray(component.components)) collect(component.components);
		}
	};
	const number = (list: any[]): any[] =>
		list.map((component) => {
			while (taken.has(next)) next++;
			const id = typeof component.id === 'number' ? component.id : next++;
			return { ...component, id, ...(Array.isArray(component.components) ? { components: number(component.components) } : {}) };
		});
	collect(components ?? []);
	return number(components ?? []);
}

export interface NewMessage {
	channelId: string;
	guildId?: string;
	author: ApiUser;
	body: any;
	files: UploadedFile[];
	type?: number;
	extra?: Partial<ApiMessage>;
	/** A deferred interaction's "thinking" placeholder is the one message allowed to be empty. */
	allowEmpty?: boolean;
}

export function buildMessage(state: EmulatorState, baseUrl: string, message: NewMessage): ApiMessage {
	const { body } = message;
	validateMessageBody(body);
	const hasContent = typeof body.content === 'string' && body.content.length > 0;
	const isEmpty =
		!hasContent && !body.embeds?.length && !message.files.length && !body.components?.length && !body.sticker_ids?.length && !body.poll;
	if (isEmpty && !message.allowEmpty) throw new DiscordApiError(400, 50006, 'Cannot send an empty message');
	const content = hasContent ? (body.content as string) : '';
	return {
		id: snowflakeAt(),
		channel_id: message.channelId,
		...(message.guildId ? { guild_id: message.guildId } : {}),
		author: message.author,
		content,
		timestamp: new Date().toISOString(),
		edited_timestamp: null,
		tts: Boolean(body.tts),
		mention_everyone: content.includes('@everyone'),
		mentions: mentionedUsers(state, content),
		mention_roles: [...content.matchAll(/<@&(\d+)>/g)].map((match) => match[1]!),
		attachments: storeAttachments(state, baseUrl, message.channelId, body, message.files),
		embeds: storedEmbeds(body.embeds),
		components: storedComponents(body.components),
		pinned: false,
		type: message.type ?? (body.message_reference ? 19 : 0),
		flags: Number(body.flags ?? 0),
		// A reference's `type` defaults to 0, DEFAULT (docs/resources/Message.md, Message Reference Structure).
		...(body.message_reference ? { message_reference: { type: 0, ...body.message_reference, channel_id: message.channelId } } : {}),
		...(body.nonce === undefined ? {} : { nonce: body.nonce }),
		...message.extra
	};
}

/** Applies a PATCH: given fields replace, `attachments` lists the ones kept, new files are appended. */
export function applyMessageEdit(state: EmulatorState, baseUrl: string, message: ApiMessage, body: any, files: UploadedFile[]): ApiMessage {
	validateMessageBody(body ?? {});
	const patch = body ?? {};
	if (patch.content !== undefined) {
		message.content = patch.content ?? '';
		message.mentions = mentionedUsers(state, message.content);
	}
	if (patch.embeds !== undefined) message.embeds = storedEmbeds(patch.embeds);
	if (patch.components !== undefined) message.components = storedComponents(patch.components);
	if (patch.flags !== undefined && patch.flags !== null) message.flags = (message.flags & 64) | Number(patch.flags);
	if (patch.attachments !== undefined) {
		const kept = new Set((patch.attachments ?? []).map((entry: any) => String(entry.id)));
		message.attachments = message.attachments.filter((attachment) => kept.has(attachment.id));
	}
	message.attachments.push(...storeAttachments(state, baseUrl, message.channel_id, patch, files));
	// A deferred reply stops "thinking" once it is edited.
	message.flags &= ~128;
	message.edited_timestamp = new Date().toISOString();
	return message;
}

/** A message as Discord shows it, without the emulator's bookkeeping. */
export function publicMessage({ ephemeral: _ephemeral, ...message }: ApiMessage): ApiMessage {
	return message;
}

/** What the gateway sends: without the Message Content intent, other users' content is blanked, as Discord does. */
export function messageForSession(message: ApiMessage, botUserId: string, hasMessageContent: boolean): ApiMessage {
	const visible = publicMessage(message);
	if (hasMessageContent || message.author.id === botUserId || message.mentions.some((user) => user.id === botUserId)) return visible;
	return { ...visible, content: '', embeds: [], attachments: [], components: [] };
}
