import {
	DiscordAPIError,
	PermissionFlagsBits,
	RESTJSONErrorCodes,
	SnowflakeUtil,
	type Client,
	type GuildMember,
	type DMChannel,
	type GuildTextBasedChannel,
	type Message,
	type TextBasedChannel
} from 'discord.js';
import { container } from '@sapphire/framework';
import { fetchT, type TFunction } from '@sapphire/plugin-i18next';
import { total } from '../invites/records.js';
import type { MemberFacts } from './requirements.js';
import { isGiveawayFooter } from './views.js';
import { PermanentDiscordError, type AnnouncementExtras, type GiveawayDiscord, type GiveawayMessagePayload } from './service.js';

export type InviteTotal = (guildId: string, userId: string) => number;
/** Invites a member made since a time (ms) that still count; see GuildInviteIndex.invitesSince. */
export type InvitesSince = (guildId: string, userId: string, since: number) => number;

/** The invite tracker's total, read at each check (a restore replaces the tracker). */
export const trackedInviteTotal: InviteTotal = (guildId, userId) => total(container.invites.counts(guildId, userId));
export const trackedInvitesSince: InvitesSince = (guildId, userId, since) => container.invites.index(guildId).invitesSince(userId, since);

/** The facts requirements are checked against, from a member (the Enter click's, or one fetched for the draw). */
export function factsOf(member: GuildMember, inviteTotal: InviteTotal, invitesSince: InvitesSince = trackedInvitesSince): MemberFacts {
	return {
		roleIds: [...member.roles.cache.keys()],
		accountCreatedAt: member.user.createdTimestamp,
		joinedAt: member.joinedTimestamp,
		boosting: member.premiumSinceTimestamp !== null,
		inviteTotal: inviteTotal(member.guild.id, member.id),
		invitesSince: (since) => invitesSince(member.guild.id, member.id, since)
	};
}

/** Discord's largest page of channel messages. */
const MESSAGE_PAGE = 100;

/** Failures that no retry will fix: the channel, message or member is gone, or the bot may not act there. */
const PERMANENT_CODES = new Set<number | string>([
	RESTJSONErrorCodes.UnknownChannel,
	RESTJSONErrorCodes.UnknownMessage,
	RESTJSONErrorCodes.UnknownGuild,
	RESTJSONErrorCodes.MissingAccess,
	RESTJSONErrorCodes.MissingPermissions,
	RESTJSONErrorCodes.CannotSendMessagesToThisUser
]);

function permanent(error: unknown): never {
	if (error instanceof DiscordAPIError && PERMANENT_CODES.has(error.code)) throw new PermanentDiscordError(error.message);
	throw error;
}

/**
 * Refuses, without a request, an edit in a channel the bot cannot see: Discord would answer 50001 Missing Access, and
 * entry counts are edited every few seconds, each refusal counting toward the invalid-request limit (10,000 per
 * 10 minutes, discord-api-docs topics/Rate_Limits.md). Judged from the cache, which CHANNEL_UPDATE (overwrites),
 * GUILD_ROLE_UPDATE and GUILD_MEMBER_UPDATE keep current, so edits resume once the permission is back.
 */
function refuseUnseen(channel: GuildTextBasedChannel): void {
	const { me } = channel.guild.members;
	if (me && !channel.permissionsFor(me).has(PermissionFlagsBits.ViewChannel)) {
		throw new PermanentDiscordError(`the bot cannot view channel ${channel.id}`);
	}
}

/** The giveaways' view of Discord, through discord.js (whose REST manager queues per route and waits out 429s). */
export class DiscordGiveaways implements GiveawayDiscord {
	public constructor(
		private readonly client: Client,
		/** A member's invite total in a guild, from the invite tracker. */
		private readonly inviteTotal: InviteTotal = trackedInviteTotal
	) {}

	/** The guild's language (fetchT reads its setting); a guild not in the cache gets the default language. */
	public async translator(guildId: string): Promise<TFunction> {
		const guild = this.client.guilds.cache.get(guildId);
		return guild ? fetchT(guild) : container.i18n.getT(container.config.defaultLanguage);
	}

	public servesGuild(guildId: string): boolean {
		return this.client.guilds.cache.has(guildId);
	}

	public async memberFacts(guildId: string, userId: string): Promise<MemberFacts | null> {
		const guild = this.client.guilds.cache.get(guildId);
		if (!guild) return null;
		try {
			// The cache follows joins, leaves and role changes (GuildMembers intent); a miss asks the API.
			return factsOf(await guild.members.fetch(userId), this.inviteTotal);
		} catch (error) {
			if (
				error instanceof DiscordAPIError &&
				(error.code === RESTJSONErrorCodes.UnknownMember || error.code === RESTJSONErrorCodes.UnknownUser)
			)
				return null;
			throw error;
		}
	}

	public async postMessage(channelId: string, payload: GiveawayMessagePayload, nonce?: string): Promise<string> {
		const channel = await this.channel(channelId);
		return (await channel.send(nonce ? { ...payload, nonce, enforceNonce: true } : payload).catch(permanent)).id;
	}

	public async editMessage(channelId: string, messageId: string, payload: GiveawayMessagePayload): Promise<void> {
		const channel = await this.channel(channelId);
		refuseUnseen(channel);
		await channel.messages.edit(messageId, payload).catch(permanent);
	}

	public async sendAnnouncement(
		channelId: string,
		content: string,
		winners: readonly string[],
		nonce: string,
		replyTo: string | null,
		extra: AnnouncementExtras = {}
	): Promise<string> {
		const channel = await this.channel(channelId);
		const message = await channel
			.send({
				content,
				nonce,
				enforceNonce: true,
				allowedMentions: { users: [...winners, ...(extra.alsoMention ?? [])] },
				...(extra.components ? { components: extra.components } : {}),
				...(replyTo ? { reply: { messageReference: replyTo, failIfNotExists: false } } : {})
			})
			.catch(permanent);
		return message.id;
	}

	public findAnnouncement(channelId: string, marker: string, since: number): Promise<string | null> {
		return this.findOwnMessage(this.channel(channelId), since, (message) => message.content.includes(marker));
	}

	public async sendDirect(
		userId: string,
		content: string,
		file: { name: string; data: Buffer } | null,
		nonce: string,
		components?: AnnouncementExtras['components']
	): Promise<string> {
		const channel = await this.directChannel(userId);
		const message = await channel
			.send({
				content,
				...(file ? { files: [{ attachment: file.data, name: file.name }] } : {}),
				...(components ? { components } : {}),
				nonce,
				enforceNonce: true,
				allowedMentions: { parse: [] }
			})
			.catch(permanent);
		return message.id;
	}

	public findDirect(userId: string, marker: string, since: number): Promise<string | null> {
		return this.findOwnMessage(this.directChannel(userId), since, (message) => message.content.includes(marker));
	}

	public findPosted(channelId: string, giveawayId: string, since: number): Promise<string | null> {
		return this.findOwnMessage(this.channel(channelId), since, (message) =>
			message.embeds.some((embed) => isGiveawayFooter(embed.footer?.text, giveawayId))
		);
	}

	/** A message this bot posted in the channel after `since` (ms) that `matches`. */
	private async findOwnMessage(
		channelPromise: Promise<TextBasedChannel>,
		since: number,
		matches: (message: Message) => boolean
	): Promise<string | null> {
		const channel = await channelPromise;
		// A little before the recorded intent: clocks of two hosts differ.
		let after = SnowflakeUtil.generate({ timestamp: since - 60_000 }).toString();
		// Every message since then, a page of 100 at a time: a busy channel may have buried the announcement under more
		// than one page. A page fetched with `after` holds the messages just after it (newest first), so the next page
		// starts after the newest one read; a short page is the end.
		for (;;) {
			const page = await channel.messages.fetch({ after, limit: MESSAGE_PAGE, cache: false }).catch(permanent);
			const found = page.find((message) => message.author.id === this.client.user?.id && matches(message));
			if (found) return found.id;
			if (page.size < MESSAGE_PAGE) return null;
			after = page.reduce((newest, message) => (BigInt(message.id) > BigInt(newest) ? message.id : newest), after);
		}
	}

	/** The DM channel with a user (opened if need be); a user who cannot be reached is a permanent failure. */
	private async directChannel(userId: string): Promise<DMChannel> {
		const user = await this.client.users.fetch(userId).catch(permanent);
		return user.createDM().catch(permanent);
	}

	private async channel(channelId: string): Promise<GuildTextBasedChannel> {
		const channel = await this.client.channels.fetch(channelId).catch(permanent);
		if (!channel || !channel.isTextBased() || channel.isDMBased())
			throw new PermanentDiscordError(`channel ${channelId} is not a server text channel`);
		return channel;
	}
}
