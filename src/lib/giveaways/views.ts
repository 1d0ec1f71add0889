import { ActionRowBuilder, ButtonBuilder, ButtonStyle, EmbedBuilder, time, TimestampStyles, userMention } from 'discord.js';
import { DurationFormatter } from '@sapphire/duration';
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
export function claimComponents(giveawayId: string) {
	return [
		new ActionRowBuilder<ButtonBuilder>().addComponents(
			new ButtonBuilder().setCustomId(`${CLAIM_BUTTON}:${giveawayId}`).setLabel('Claim').setEmoji('🎁').setStyle(ButtonStyle.Success)
		)
	];
}

function mentions(userIds: readonly string[]): string {
	return userIds.map(userMention).join(', ');
}

export function formatDuration(ms: number): string {
	return new DurationFormatter().format(ms, 3);
}

/** The giveaway message as it should look in its current state. */
export function giveawayMessage(giveaway: Giveaway) {
	const lines: string[] = [];
	if (giveaway.description) lines.push(giveaway.description, '');
	const endsAt = new Date(giveaway.endsAt);
	switch (giveaway.state) {
		case 'scheduled': {
			const startsAt = new Date(giveaway.startsAt ?? giveaway.createdAt);
			lines.push(`Starts ${time(startsAt, TimestampStyles.RelativeTime)} (${time(startsAt, TimestampStyles.LongDateTime)})`);
			break;
		}
		case 'active':
			lines.push(`Ends ${time(endsAt, TimestampStyles.RelativeTime)} (${time(endsAt, TimestampStyles.LongDateTime)})`);
			break;
		case 'paused':
			lines.push(`**Paused** with ${formatDuration(giveaway.remainingMs ?? 0)} left`);
			break;
		case 'ending':
			lines.push('Ending…');
			break;
		case 'ended': {
			const winners = currentWinners(giveaway);
			lines.push(`Ended ${time(new Date(giveaway.endedAt ?? giveaway.endsAt), TimestampStyles.RelativeTime)}`);
			lines.push(
				winners.length > 0
					? `${giveaway.rerolls.length > 0 ? 'Winners (rerolled)' : 'Winners'}: ${mentions(winners)}`
					: 'No valid entries: nobody won.'
			);
			const waiting = waitingRound(giveaway);
			if (waiting) lines.push(`Winners must claim ${time(new Date(waiting.deadline), TimestampStyles.RelativeTime)}, or the prize is rerolled`);
			break;
		}
		case 'cancelled':
			lines.push('**Cancelled**');
			break;
	}
	lines.push(`Hosted by ${userMention(giveaway.hostId)}`);
	lines.push(
		giveaway.drop
			? `**Drop**: the first ${giveaway.winnerCount === 1 ? 'member' : `${giveaway.winnerCount} members`} to enter ${giveaway.winnerCount === 1 ? 'wins' : 'win'}`
			: `${giveaway.winnerCount} ${giveaway.winnerCount === 1 ? 'winner' : 'winners'}`
	);
	lines.push(...requirementLines(requirementsOf(giveaway)));
	const bonus = bonusLine(bonusOf(giveaway));
	if (bonus) lines.push(bonus);
	lines.push(`Entries: **${giveaway.entryCount}**`);

	const open = giveaway.state === 'active';
	const embed = new EmbedBuilder()
		.setColor(open ? ACTIVE_COLOR : CLOSED_COLOR)
		.setTitle(`🎉 ${giveaway.prize}`)
		.setDescription(lines.join('\n'))
		.setFooter({ text: giveawayFooter(giveaway.id) })
		.setTimestamp(endsAt);
	const components = open
		? [
				new ActionRowBuilder<ButtonBuilder>().addComponents(
					new ButtonBuilder().setCustomId(enterButtonId(giveaway.id)).setLabel('Enter').setEmoji('🎉').setStyle(ButtonStyle.Primary)
				)
			]
		: [];
	return { embeds: [embed], components, allowedMentions: { parse: [] } };
}

/** The footer of a giveaway's message: how a takeover finds a message posted by a process that died. */
export function giveawayFooter(giveawayId: string): string {
	return `Giveaway ID: ${giveawayId}`;
}

/** Every announcement names its giveaway this way; a takeover searches the channel for it before sending again. */
export function announcementMarker(giveawayId: string): string {
	return `(giveaway \`${giveawayId}\`)`;
}

export function announcementContent(giveaway: Giveaway, winners: readonly string[]): string {
	const text =
		winners.length > 0
			? `🎉 Congratulations ${mentions(winners)}! You won **${giveaway.prize}**!`
			: `The giveaway for **${giveaway.prize}** ended without valid entries: nobody won.`;
	// A giveaway whose winners must claim pings its host too (the host hands the prize over).
	const claim = giveaway.claimWindowMs
		? `${winners.length > 0 ? ` Press **Claim** within ${formatDuration(giveaway.claimWindowMs)}, or the prize goes to another entrant.` : ''} Host: ${userMention(giveaway.hostId)}.`
		: '';
	return `${text}${claim} ${announcementMarker(giveaway.id)}`;
}

/** A winner's claim DM names its giveaway this way; a takeover searches the DM for it before sending again. */
export function claimDmMarker(giveawayId: string): string {
	return `(giveaway \`${giveawayId}\`, claim)`;
}

export function claimDmContent(giveaway: Giveaway, deadline: number): string {
	const at = new Date(deadline);
	return `🎉 You won **${giveaway.prize}** in <#${giveaway.channelId}>! Press **Claim** ${time(at, TimestampStyles.RelativeTime)} (${time(at, TimestampStyles.LongDateTime)}), or the prize goes to another entrant. ${claimDmMarker(giveaway.id)}`;
}

/** The announcement of an automatic reroll, naming its round; a takeover searches the channel for it. */
export function autoRerollMarker(giveawayId: string, round: number): string {
	return `(giveaway \`${giveawayId}\`, auto-reroll ${round + 1})`;
}

export function autoRerollContent(giveaway: Giveaway, round: number, replaced: readonly string[], replacements: readonly string[]): string {
	const missed = `${mentions(replaced)} did not claim **${giveaway.prize}** in time.`;
	const text =
		replacements.length > 0
			? `${missed} 🎉 New ${replacements.length === 1 ? 'winner' : 'winners'}: ${mentions(replacements)}! Press **Claim** within ${formatDuration(giveaway.claimWindowMs ?? 0)}, or the prize goes to another entrant.`
			: `${missed} Nobody else can win it: no valid entries left.`;
	return `${text} ${autoRerollMarker(giveaway.id, round)}`;
}

/** The host's DM at the end names its giveaway this way; a takeover searches the DM for it before sending again. */
export function hostListMarker(giveawayId: string): string {
	return `(giveaway \`${giveawayId}\`, entrant list)`;
}

export function hostListContent(giveaway: Giveaway, entrants: number): string {
	const winners = currentWinners(giveaway);
	return `Your giveaway for **${giveaway.prize}** in <#${giveaway.channelId}> ended with ${entrants} ${entrants === 1 ? 'entrant' : 'entrants'}; winners: ${winners.length > 0 ? mentions(winners) : 'nobody'}. The entrant list is attached. ${hostListMarker(giveaway.id)}`;
}

export function rerollContent(giveaway: Giveaway, winners: readonly string[]): string {
	const text =
		winners.length > 0
			? `🎉 New ${winners.length === 1 ? 'winner' : 'winners'}: ${mentions(winners)}! You won **${giveaway.prize}**!`
			: `Nobody else can win **${giveaway.prize}**: no valid entries left.`;
	return `${text} (giveaway \`${giveaway.id}\`, reroll)`;
}

/** One line of /giveaway list. */
export function listLine(giveaway: Giveaway): string {
	const state =
		giveaway.state === 'scheduled'
			? `starts ${time(new Date(giveaway.startsAt ?? giveaway.createdAt), TimestampStyles.RelativeTime)}`
			: giveaway.state === 'active'
				? `ends ${time(new Date(giveaway.endsAt), TimestampStyles.RelativeTime)}`
				: giveaway.state === 'paused'
					? `paused, ${formatDuration(giveaway.remainingMs ?? 0)} left`
					: giveaway.state === 'ended'
						? `ended, ${currentWinners(giveaway).length} ${currentWinners(giveaway).length === 1 ? 'winner' : 'winners'}`
						: giveaway.state;
	return `\`${giveaway.id}\` **${giveaway.prize}** in <#${giveaway.channelId}>: ${giveaway.entryCount} entries, ${state}`;
}
