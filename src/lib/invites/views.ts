import { ActionRowBuilder, ButtonBuilder, ButtonStyle, EmbedBuilder, time, TimestampStyles, userMention } from 'discord.js';
import type { LeaderboardRow } from './index-state.js';
import { describeCounts, type InviteCounts, type JoinEvent, type MemberRecord } from './records.js';

export const INVITES_COLOR = 0x5865f2;
export const LEADERBOARD_PAGE_SIZE = 10;
/** Custom id prefix of the leaderboard's page buttons: `invite-leaderboard:<page>`. */
export const LEADERBOARD_BUTTON = 'invite-leaderboard';

export function countsEmbed(userId: string, counts: InviteCounts): EmbedBuilder {
	return new EmbedBuilder()
		.setColor(INVITES_COLOR)
		.setTitle('Invites')
		.setDescription(`${userMention(userId)} has ${describeCounts(counts)}.`);
}

/** One page of the leaderboard with Previous/Next buttons; pages are clamped, so an old button never fails. */
export function leaderboardPage(rows: LeaderboardRow[], requestedPage: number) {
	const pages = Math.max(1, Math.ceil(rows.length / LEADERBOARD_PAGE_SIZE));
	const page = Math.min(Math.max(1, requestedPage), pages);
	const start = (page - 1) * LEADERBOARD_PAGE_SIZE;
	const lines = rows
		.slice(start, start + LEADERBOARD_PAGE_SIZE)
		.map((row, offset) => `**${start + offset + 1}.** ${userMention(row.inviterId)}: ${describeCounts(row.counts)}`);
	const embed = new EmbedBuilder()
		.setColor(INVITES_COLOR)
		.setTitle('Invite leaderboard')
		.setDescription(lines.length > 0 ? lines.join('\n') : 'Nobody has invited anyone yet.')
		.setFooter({ text: `Page ${page} of ${pages} · ${rows.length} inviters` });
	const buttons = new ActionRowBuilder<ButtonBuilder>().addComponents(
		new ButtonBuilder()
			.setCustomId(`${LEADERBOARD_BUTTON}:${page - 1}`)
			.setLabel('Previous')
			.setStyle(ButtonStyle.Secondary)
			.setDisabled(page <= 1),
		new ButtonBuilder()
			.setCustomId(`${LEADERBOARD_BUTTON}:${page + 1}`)
			.setLabel('Next')
			.setStyle(ButtonStyle.Secondary)
			.setDisabled(page >= pages)
	);
	return { embeds: [embed], components: [buttons], allowedMentions: { parse: [] } };
}

const HOW: Record<string, string> = {
	normal: 'through an invite',
	vanity: 'through the vanity URL',
	unknown: 'by an unknown way (the invite could not be determined)',
	bot: 'as a bot added by OAuth',
	burst: 'during a burst of joins'
};

/** "one of <@a>, <@b> — joined during a burst" (or "…, or without an invite"). */
function burstInviters(join: JoinEvent): string {
	const candidates = (join.candidates ?? []).map((id) => userMention(id));
	const none = join.maybeNone ? (candidates.length > 0 ? ', or without an invite' : 'possibly without an invite') : '';
	return `one of ${candidates.join(', ')}${none} — joined during a burst`;
}

export function whoInvitedEmbed(memberId: string, record: MemberRecord | undefined): EmbedBuilder {
	const embed = new EmbedBuilder().setColor(INVITES_COLOR).setTitle('Who invited');
	const join = record?.joins.at(-1);
	if (!record || !join) return embed.setDescription(`No join of ${userMention(memberId)} has been recorded since the bot started tracking.`);
	const inviter = join.how === 'burst' ? burstInviters(join) : join.inviterId ? userMention(join.inviterId) : 'nobody known';
	const lines = [
		`${userMention(memberId)} joined ${time(Math.floor(join.at / 1000), TimestampStyles.RelativeTime)} ${HOW[join.how]}.`,
		`Inviter: ${inviter}${join.code ? ` · code \`${join.code}\`` : ''}`,
		`Joins: ${record.joins.length} · leaves: ${record.leaves.length}${record.present ? '' : ' · not in the server now'}`
	];
	if (join.imported) lines.push('Imported from Supreme-BOT2: the join time is the one it recorded.');
	if (record.credit?.fake) lines.push('Counted as a fake invite (young account or own invite).');
	if (join.how === 'burst') {
		lines.push(
			record.credit?.burst
				? `Each inviter's count is exact; this member's join counts as one of ${userMention(record.credit.inviterId)}'s share of the burst.`
				: "Each inviter's count is exact; this member carries no share of it."
		);
	}
	return embed.setDescription(lines.join('\n'));
}
