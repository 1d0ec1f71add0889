import { createHash } from 'node:crypto';
import { ChannelType, DiscordAPIError, RESTJSONErrorCodes, SnowflakeUtil, type Client, type Message } from 'discord.js';
import type { Storage, StorageLogger } from '../../storage-adapters/types.js';
import { NO_REQUIREMENTS } from '../giveaways/requirements.js';
import { GIVEAWAY_NAMESPACE, type Giveaway } from '../giveaways/state.js';
import { LEGACY_GIVEAWAYS_NAMESPACE, type StagedLegacyGiveaway } from './giveaway-records.js';

/**
 * After login: Supreme-BOT2's giveaways (staged by the import with their entrants) are looked for in Discord, and
 * those found become giveaways of ours. How the old bot made them (its giveaway-create): an embed titled with the prize
 * whose description says "Hosted by <@host>", "Ends: <t:end:F>", "Winners: **n**", and a button
 * `giveaway_entry_<end seconds>_<winners>`; ending removed the button and listed the winners ("Winners: <@a>, <@b>").
 * The message id is known; the channel only in later versions, so each text channel of the server is asked for it
 * (GET /channels/{id}/messages/{message id}), skipping channels that cannot hold it: created after the message or
 * whose last message is older (snowflakes are ordered by time: https://discord.com/developers/docs/reference#snowflakes).
 *
 * - found, posted by this bot's own application (the same bot account as before), still running: imported running,
 *   with the message re-drawn with our Enter button (clicks on its buttons come to this application);
 * - found and ended: imported ended, with its winners, so /giveaway list shows it and a reroll draws among its entrants;
 * - found but posted by another application: its buttons send their clicks to that application and only it can edit
 *   the message, so a running one cannot be carried on here: it is listed, not imported (an ended one is imported);
 * - not in any channel the bot can read: listed with its entrant count (the entrants stay in the backup and in the
 *   legacy-giveaways record); if some channels could not be read, it is looked for again at the next start.
 */

const ENTRY_BUTTON = /"custom_id":"giveaway_entry_(\d+)_(\d+)"/;
const HOST = /Hosted by\**:?\**\s*<@!?(\d{17,20})>/;
const WINNERS_COUNT = /Winners\**:?\**\s*\*\*(\d+)\*\*/;
const WINNERS_LINE = /Winners\**:?\**\s*([^\n]*)/;
const TIMESTAMP = /<t:(\d+)(?::[a-zA-Z])?>/;
const ID_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** The same old message always becomes the same giveaway id, so a redo after a crash never makes a second one. */
export function legacyGiveawayId(messageId: string): string {
	const digest = createHash('sha256').update(`supreme-bot2 giveaway ${messageId}`).digest();
	return Array.from({ length: 8 }, (_, index) => ID_ALPHABET[digest[index]! % ID_ALPHABET.length]).join('');
}

type Lookup = { found: Message } | { found: null; unreadable: number; searched: number };

export interface LegacyGiveawayHooks {
	/** Re-reads storage (moves the entrants into their records, schedules the end). */
	reload: () => Promise<void>;
	/** Draws the message of an imported running giveaway with our button. */
	render: (giveawayId: string) => Promise<void>;
}

export class LegacyGiveaways {
	public constructor(
		private readonly storage: Storage,
		private readonly client: Client,
		private readonly logger: StorageLogger,
		private readonly hooks: LegacyGiveawayHooks,
		private readonly now: () => number = Date.now
	) {}

	/** Looks for every waiting giveaway of the servers this process serves; one log line says what became of them. */
	public async resolve(): Promise<void> {
		const waiting = (await this.storage.entries<StagedLegacyGiveaway>(LEGACY_GIVEAWAYS_NAMESPACE)).filter(
			([, staged]) => staged.state === 'waiting' && this.client.guilds.cache.has(staged.guildId)
		);
		if (waiting.length === 0) return;
		const lines: string[] = [];
		const running: string[] = [];
		let imported = 0;
		for (const [key, staged] of waiting) {
			const outcome = await this.resolveOne(staged);
			if (outcome.giveaway) {
				imported++;
				if (outcome.giveaway.state === 'active') running.push(outcome.giveaway.id);
			}
			lines.push(`${staged.guildId}/${staged.messageId} (${staged.entrants.length} entrants): ${outcome.text}`);
			await this.storage
				.namespace<StagedLegacyGiveaway>(LEGACY_GIVEAWAYS_NAMESPACE)
				.set(key, { ...staged, state: outcome.state, outcome: outcome.text });
		}
		await this.hooks.reload();
		for (const id of running)
			await this.hooks.render(id).catch((error: Error) => this.logger.warn(`Giveaway ${id}: message not re-drawn: ${error.message}`));
		this.logger.info(`Supreme-BOT2 giveaways: ${imported} of ${waiting.length} imported; ${lines.join('; ')}`);
	}

	private async resolveOne(staged: StagedLegacyGiveaway): Promise<{ state: StagedLegacyGiveaway['state']; text: string; giveaway?: Giveaway }> {
		const lookup = await this.find(staged);
		if (!lookup.found) {
			if (lookup.unreadable > 0)
				return {
					state: 'waiting',
					text: `not found in the ${lookup.searched} channels the bot can read; ${lookup.unreadable} it cannot read (give it View Channel and Read Message History there); looked for again at the next start`
				};
			return { state: 'not-found', text: `not imported: its message is in none of the server's ${lookup.searched} text channels (deleted)` };
		}
		const message = lookup.found;
		const giveaway = this.fromMessage(staged, message);
		if (typeof giveaway === 'string') return { state: 'not-found', text: `not imported: ${giveaway}` };
		await this.storage.update<Giveaway>(GIVEAWAY_NAMESPACE, giveaway.id, (current) => current ?? giveaway);
		const how = giveaway.state === 'active' ? `running until ${new Date(giveaway.endsAt).toISOString()}` : 'ended';
		return { state: 'imported', text: `imported as giveaway ${giveaway.id} (${how}) in <#${message.channelId}>`, giveaway };
	}

	/** The old message, or what kept it from being found. */
	private async find(staged: StagedLegacyGiveaway): Promise<Lookup> {
		const guild = this.client.guilds.cache.get(staged.guildId)!;
		const postedAt = BigInt(staged.messageId);
		const candidates = staged.channelId
			? [staged.channelId]
			: [...(await guild.channels.fetch()).values()]
					.filter(
						(channel) => channel !== null && (channel.type === ChannelType.GuildText || channel.type === ChannelType.GuildAnnouncement)
					)
					.filter((channel) => BigInt(channel!.id) <= postedAt)
					.filter((channel) => !('lastMessageId' in channel!) || !channel.lastMessageId || BigInt(channel.lastMessageId) >= postedAt)
					.map((channel) => channel!.id);
		let unreadable = 0;
		for (const channelId of candidates) {
			try {
				const channel = await this.client.channels.fetch(channelId);
				if (!channel?.isTextBased() || channel.isDMBased()) continue;
				return { found: await channel.messages.fetch({ message: staged.messageId, cache: false }) };
			} catch (error) {
				if (!(error instanceof DiscordAPIError)) throw error;
				if (error.code === RESTJSONErrorCodes.UnknownMessage || error.code === RESTJSONErrorCodes.UnknownChannel) continue;
				if (error.code === RESTJSONErrorCodes.MissingAccess || error.code === RESTJSONErrorCodes.MissingPermissions) {
					unreadable++;
					continue;
				}
				throw error;
			}
		}
		return { found: null, unreadable, searched: candidates.length - unreadable };
	}

	/** Our record of the old giveaway, or why it cannot be one. */
	private fromMessage(staged: StagedLegacyGiveaway, message: Message): Giveaway | string {
		const embed = message.embeds[0];
		const prize = embed?.title?.trim();
		if (!embed || !prize) return "its message is not in the old bot's giveaway layout (no embed with the prize as title)";
		const description = embed.description ?? '';
		// The button, wherever it sits among the message's components (their JSON as Discord sent it).
		const button = ENTRY_BUTTON.exec(JSON.stringify(message.components.map((component) => component.toJSON())));
		const ours = message.author.id === this.client.user?.id;
		const endsAt = button ? Number(button[1]) * 1000 : Number(TIMESTAMP.exec(description)?.[1] ?? 0) * 1000 || message.createdTimestamp;
		const running = button !== null;
		if (running && !ours)
			return `it is still running, but its message was posted by another application (${message.author.id}): its Entry button sends clicks there, and only that application can edit it; end it there, or start it again with /giveaway start`;
		const winnerCount = Number(button?.[2] ?? WINNERS_COUNT.exec(description)?.[1] ?? 1);
		const winners = running ? null : [...(WINNERS_LINE.exec(description)?.[1] ?? '').matchAll(/<@!?(\d{17,20})>/g)].map((match) => match[1]!);
		const now = this.now();
		return {
			id: legacyGiveawayId(staged.messageId),
			guildId: staged.guildId,
			channelId: message.channelId,
			messageId: message.id,
			hostId: HOST.exec(description)?.[1] ?? message.author.id,
			prize,
			description: null,
			winnerCount: Math.max(1, Math.min(50, winnerCount)),
			requiredRoleId: null,
			requirements: NO_REQUIREMENTS,
			createdAt: SnowflakeUtil.timestampFrom(message.id),
			endsAt,
			remainingMs: null,
			state: running ? 'active' : 'ended',
			entryCount: 0,
			// Moved into giveaway-entries by the giveaway service (as for records from before that namespace).
			entrants: staged.entrants,
			claim: null,
			winners,
			announcement: null,
			endedAt: running ? null : Math.min(endsAt, now),
			rerolls: [],
			revision: 0
		};
	}
}
