import type { PluginContext, PluginStorage } from 'supreme-bot/plugin';

/** The plugin's one namespace: `notes:<guild>:<member>` -> Note[], `channel:<guild>` -> the moderator channel id. */
export const NOTES_NAMESPACE = 'member-notes';
/** A member's notes are capped so one list always fits in a reply. */
export const MAX_NOTES_PER_MEMBER = 20;
export const MAX_NOTE_LENGTH = 500;

export interface Note {
	id: number;
	text: string;
	authorId: string;
	createdAt: string;
}

const notesKey = (guildId: string, userId: string) => `notes:${guildId}:${userId}`;
const channelKey = (guildId: string) => `channel:${guildId}`;

/** Every read and write goes through the bot's storage, so notes are in backups, restores and migrations. */
export class NoteStore {
	public constructor(private readonly storage: PluginStorage) {}

	public async list(guildId: string, userId: string): Promise<Note[]> {
		return (await this.storage.namespace<Note[]>(NOTES_NAMESPACE).get(notesKey(guildId, userId))) ?? [];
	}

	/** Adds a note; null when the member already has the maximum. Atomic, so two moderators never lose a note. */
	public async add(guildId: string, userId: string, authorId: string, text: string, now = new Date()): Promise<Note | null> {
		let added: Note | null = null;
		await this.storage.update<Note[]>(NOTES_NAMESPACE, notesKey(guildId, userId), (current = []) => {
			if (current.length >= MAX_NOTES_PER_MEMBER) {
				added = null;
				return current;
			}
			added = { id: Math.max(0, ...current.map((note) => note.id)) + 1, text, authorId, createdAt: now.toISOString() };
			return [...current, added];
		});
		return added;
	}

	/** Removes one note by its number; false when there is none. The key goes away with the last note. */
	public async remove(guildId: string, userId: string, id: number): Promise<boolean> {
		let removed = false;
		await this.storage.update<Note[]>(NOTES_NAMESPACE, notesKey(guildId, userId), (current) => {
			if (!current) return undefined;
			const rest = current.filter((note) => note.id !== id);
			removed = rest.length !== current.length;
			return rest.length > 0 ? rest : undefined;
		});
		return removed;
	}

	public async channel(guildId: string): Promise<string | null> {
		return (await this.storage.namespace<string>(NOTES_NAMESPACE).get(channelKey(guildId))) ?? null;
	}

	public async setChannel(guildId: string, channelId: string | null): Promise<void> {
		const keyv = this.storage.namespace<string>(NOTES_NAMESPACE);
		if (channelId === null) await keyv.delete(channelKey(guildId));
		else await keyv.set(channelKey(guildId), channelId);
	}

	/** For /data-status: how many notes on how many members of one server. */
	public async summary(guildId: string): Promise<{ members: number; notes: number; channelId: string | null }> {
		const prefix = notesKey(guildId, '');
		const lists = (await this.storage.entries<Note[]>(NOTES_NAMESPACE)).filter(([key]) => key.startsWith(prefix));
		return { members: lists.length, notes: lists.reduce((sum, [, notes]) => sum + notes.length, 0), channelId: await this.channel(guildId) };
	}
}

let store: NoteStore | null = null;

/** Set by the plugin's register hook; pieces read it (they are loaded after register succeeded). */
export function useNotes(): NoteStore {
	if (!store) throw new Error('member-notes was not registered');
	return store;
}

export function setNoteStore(next: NoteStore): void {
	store = next;
}

let translator: PluginContext['fetchT'] | null = null;

/** The bot's translator (context.fetchT), set by the register hook: answers in the server's language. */
export function useTranslator(): PluginContext['fetchT'] {
	if (!translator) throw new Error('member-notes was not registered');
	return translator;
}

export function setTranslator(next: PluginContext['fetchT']): void {
	translator = next;
}
