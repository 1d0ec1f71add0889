import { definePlugin } from 'supreme-bot/plugin';
import { NOTES_NAMESPACE, NoteStore, setNoteStore, setTranslator } from './notes.js';

/** Moderator notes on members: /note add|list|remove|channel, and the notes shown again when a noted member rejoins. */
export default definePlugin({
	name: 'member-notes',
	version: '1.0.0',
	namespaces: [NOTES_NAMESPACE],
	// commands/, listeners/ and preconditions/ inside; registered after register() succeeded.
	piecesPath: new URL('./pieces/', import.meta.url),
	// languages/<locale>/member-notes.json: the replies of /note in every language the bot speaks.
	languages: new URL('../languages/', import.meta.url),
	register({ storage, logger, fetchT }) {
		setNoteStore(new NoteStore(storage));
		setTranslator(fetchT);
		logger.debug('note store ready');
	},
	async statusLines(guildId, { storage }) {
		const { members, notes, channelId } = await new NoteStore(storage).summary(guildId);
		return [
			`Notes: ${notes} on ${members} member${members === 1 ? '' : 's'}`,
			`Rejoin alerts: ${channelId ? `<#${channelId}>` : 'bot log only (set one with /note channel)'}`
		];
	}
});
