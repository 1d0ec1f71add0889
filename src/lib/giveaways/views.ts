import type { TFunction } from '@sapphire/plugin-i18next';
import { ActionRowBuilder, ButtonBuilder, ButtonStyle, channelMention, EmbedBuilder, time, TimestampStyles, userMention } from 'discord.js';
import { say } from '../i18n/text.js';
import { bonusLine } from './bonus.js';
import { requirementLines } from './requirements.js';
import { bonusOf, currentWinners, requirementsOf, waitingRound, type Giveaway } from './state.js';

const ACTIVE_COLOR = 0xf1c40f;
const CLOSED_COLOR = 0x95a5a6;
/** Custom id of the Enter button: `giveaway-enter:<giveaway id>`; the id is all the handler needs after a restart. */
export const ENTER_BUTTON = 'giveaway-enter';

export function enterButtonId(giveawayId: string): string {
	return `${ENTER_BUTTON}:${giveawayId}`;
}

export function parseEnterButton(customId: string): string | null {
	const [prefix, id] = customId.split(':');
	return prefix === ENTER_BUTTON && id ? id : null;
}

/** Custom id of the Claim button (on the announcement and in the winners' DMs): `giveaway-claim:<giveaway id>`. */
export const CLAIM_BUTTON = 'giveaway-claim';

export function parseClaimButton(customId: string): string | null {
	const [prefix, id] = customId.split(':');
	return prefix === CLAIM_BUTTON && id ? id : null;
}

/** The row with the Claim button, sent with the announcement of winners who must claim and with their DMs. */
export function claimComponents(t: TFunction, giveawayId: string) {
	return [
		new ActionRowBuilder<ButtonBuilder>().addComponents(
			new ButtonBuilder()
				.setCustomId(`${CLAIM_BUTTON}:${giveawayId}`)
				.setLabel(t('giveaways:message.claim'))
				.setEmoji('🎁')
				.setStyle(ButtonStyle.Success)
		)
	];
}

function mentions(userIds: readonly string[]): string {
	return userIds.map(userMention).join(', ');
}

const relative = (at: number) => time(new Date(at), TimestampStyles.RelativeTime);
/** Discord timestamps are shown in each reader's own locale and time zone (discord-api-docs, reference.mdx, Message Formatting). */
const moment = (at: number) => ({ relative: relative(at), date: time(new Date(at), TimestampStyles.LongDateTime) });

/** The lines of the giveaway message's embed for its state. */
function stateLines(t: TFunction, giveaway: Giveaway): string[] {
	switch (giveaway.state) {
		case 'scheduled':
			return [t('giveaways:message.starts', moment(giveaway.startsAt ?? giveaway.createdAt))];
		case 'active':
			return [t('giveaways:message.ends', moment(giveaway.endsAt))];
		case 'paused':
			return [t('giveaways:message.paused', { ms: giveaway.remainingMs ?? 0 })];
		case 'ending':
			return [t('giveaways:message.ending')];
		case 'ended': {
			const winners = currentWinners(giveaway);
			const lines = [
				t('giveaways:message.ended', { relative: relative(giveaway.endedAt ?? giveaway.endsAt) }),
				winners.length === 0
					? t('giveaways:message.noWinners')
					: t(giveaway.rerolls.length > 0 ? 'giveaways:message.winnersRerolled' : 'giveaways:message.winners', {
							winners: mentions(winners)
						})
			];
			const waiting = waitingRound(giveaway);
			if (waiting) lines.push(t('giveaways:message.claimBy', { relative: relative(waiting.deadline) }));
			return lines;
		}
		case 'cancelled':
			return [t('giveaways:message.cancelled')];
	}
}

/** The giveaway message as it should look in its current state, in the server's language. */
export function giveawayMessage(t: TFunction, giveaway: Giveaway) {
	const lines: string[] = [];
	if (giveaway.description) lines.push(giveaway.description, '');
	lines.push(...stateLines(t, giveaway));
	lines.push(t('giveaways:message.host', { host: userMention(giveaway.hostId) }));
	lines.push(t(giveaway.drop ? 'giveaways:message.drop' : 'giveaways:message.winnerCount', { count: giveaway.winnerCount }));
	lines.push(...requirementLines(requirementsOf(giveaway)).map((line) => say(t, line)));
	const bonus = bonusLine(bonusOf(giveaway), t('giveaways:boosters'));
	if (bonus) lines.push(say(t, bonus));
	lines.push(t('giveaways:message.entries', { count: giveaway.entryCount }));

	const open = giveaway.state === 'active';
	const embed = new EmbedBuilder()
		.setColor(open ? ACTIVE_COLOR : CLOSED_COLOR)
		.setTitle(`🎉 ${giveaway.prize}`)
		.setDescription(lines.join('\n'))
		.setFooter({ text: t('giveaways:message.footer', { id: giveaway.id }) })
		.setTimestamp(new Date(giveaway.endsAt));
	const components = open
		? [
				new ActionRowBuilder<ButtonBuilder>().addComponents(
					new ButtonBuilder()
						.setCustomId(enterButtonId(giveaway.id))
						.setLabel(t('giveaways:message.enter'))
						.setEmoji('🎉')
						.setStyle(ButtonStyle.Primary)
				)
			]
		: [];
	return { embeds: [embed], components, allowedMentions: { parse: [] } };
}

/**
 * Whether an embed footer is a giveaway's (in any language: the footer ends with the id). How a takeover finds a
 * message posted by a process that died, even if the server's language changed in between.
 */
export function isGiveawayFooter(footer: string | undefined, giveawayId: string): boolean {
	return footer?.endsWith(giveawayId) ?? false;
}

/*
 * The markers below end the announcements and DMs: a takeover searches for them before sending again. They are tags,
 * the same in every language (and as before languages existed, so a giveaway ending across an upgrade is still found).
 */

/** Every announcement names its giveaway this way. */
export function announcementMarker(giveawayId: string): string {
	return `(giveaway \`${giveawayId}\`)`;
}

export function announcementContent(t: TFunction, giveaway: Giveaway, winners: readonly string[]): string {
	const parts = [
		winners.length > 0
			? t('giveaways:announcement.won', { count: winners.length, winners: mentions(winners), prize: giveaway.prize })
			: t('giveaways:announcement.nobody', { prize: giveaway.prize })
	];
	// A giveaway whose winners must claim pings its host too (the host hands the prize over).
	if (giveaway.claimWindowMs) {
		if (winners.length > 0) parts.push(t('giveaways:announcement.claimWithin', { ms: giveaway.claimWindowMs }));
		parts.push(t('giveaways:announcement.host', { host: userMention(giveaway.hostId) }));
	}
	return [...parts, announcementMarker(giveaway.id)].join(' ');
}

/** A winner's claim DM names its giveaway this way. */
export function claimDmMarker(giveawayId: string): string {
	return `(giveaway \`${giveawayId}\`, claim)`;
}

export function claimDmContent(t: TFunction, giveaway: Giveaway, deadline: number): string {
	const content = t('giveaways:announcement.claimDm', { prize: giveaway.prize, channel: channelMention(giveaway.channelId), ...moment(deadline) });
	return `${content} ${claimDmMarker(giveaway.id)}`;
}

/** The announcement of an automatic reroll, naming its round. */
export function autoRerollMarker(giveawayId: string, round: number): string {
	return `(giveaway \`${giveawayId}\`, auto-reroll ${round + 1})`;
}

export function autoRerollContent(
	t: TFunction,
	giveaway: Giveaway,
	round: number,
	replaced: readonly string[],
	replacements: readonly string[]
): string {
	const missed = t('giveaways:announcement.missed', { replaced: mentions(replaced), prize: giveaway.prize });
	const then =
		replacements.length > 0
			? t('giveaways:announcement.replacements', {
					count: replacements.length,
					winners: mentions(replacements),
					ms: giveaway.claimWindowMs ?? 0
				})
			: t('giveaways:announcement.noneLeft');
	return `${missed} ${then} ${autoRerollMarker(giveaway.id, round)}`;
}

/** The host's DM at the end names its giveaway this way. */
export function hostListMarker(giveawayId: string): string {
	return `(giveaway \`${giveawayId}\`, entrant list)`;
}

export function hostListContent(t: TFunction, giveaway: Giveaway, entrants: number): string {
	const winners = currentWinners(giveaway);
	const content = t('giveaways:announcement.hostList', {
		prize: giveaway.prize,
		channel: channelMention(giveaway.channelId),
		count: entrants,
		winners: winners.length > 0 ? mentions(winners) : t('giveaways:announcement.nobodyWon')
	});
	return `${content} ${hostListMarker(giveaway.id)}`;
}

export function rerollContent(t: TFunction, giveaway: Giveaway, winners: readonly string[]): string {
	const content =
		winners.length > 0
			? t('giveaways:announcement.rerolled', { count: winners.length, winners: mentions(winners), prize: giveaway.prize })
			: t('giveaways:announcement.rerolledNobody', { prize: giveaway.prize });
	return `${content} (giveaway \`${giveaway.id}\`, reroll)`;
}

/** One line of /giveaway list. */
export function listLine(t: TFunction, giveaway: Giveaway): string {
	const state =
		giveaway.state === 'scheduled'
			? t('giveaways:list.starts', { relative: relative(giveaway.startsAt ?? giveaway.createdAt) })
			: giveaway.state === 'active'
				? t('giveaways:list.ends', { relative: relative(giveaway.endsAt) })
				: giveaway.state === 'paused'
					? t('giveaways:list.paused', { ms: giveaway.remainingMs ?? 0 })
					: giveaway.state === 'ended'
						? t('giveaways:list.ended', { count: currentWinners(giveaway).length })
						: t(`giveaways:list.${giveaway.state}`);
	return t('giveaways:list.line', {
		id: giveaway.id,
		prize: giveaway.prize,
		channel: channelMention(giveaway.channelId),
		count: giveaway.entryCount,
		state
	});
}
