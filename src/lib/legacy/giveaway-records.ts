/**
 * Supreme-BOT2's giveaways as the import keeps them until the bot, logged in, finds their messages: the old bot kept
 * only the message id and the entrants (later versions also the channel); the prize, the end and the winner count
 * lived in the message (its embed title and its button `giveaway_entry_<end seconds>_<winners>`).
 */
export const LEGACY_GIVEAWAYS_NAMESPACE = 'legacy-giveaways';

/** `legacy-giveaways` namespace, key `<guildId>:<messageId>`. */
export interface StagedLegacyGiveaway {
	guildId: string;
	messageId: string;
	/** User ids, each once. */
	entrants: string[];
	/** Where the message is, when the old data says so (`giveaway_meta_<id>.channelId`). */
	channelId: string | null;
	/** waiting: not looked for yet (or some channels could not be read); imported; not-found. */
	state: 'waiting' | 'imported' | 'not-found';
	importedAt: number;
	/** What became of it: the giveaway id, or why it was not imported. */
	outcome: string | null;
}
