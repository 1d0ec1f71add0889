import type { TFunction } from '@sapphire/plugin-i18next';
import { ActionRowBuilder, ButtonBuilder, ButtonStyle, EmbedBuilder, time, TimestampStyles, userMention } from 'discord.js';
import type { LeaderboardRow } from './index-state.js';
import { total, type FakeReason, type InviteCounts, type JoinEvent, type MemberRecord } from './records.js';
import { isLeaderboardType, type LeaderboardType } from './leaderboard.js';
import { describePeriod, parsePeriodToken, periodToken, type Period } from './periods.js';

export const INVITES_COLOR = 0x5865f2;
export const LEADERBOARD_PAGE_SIZE = 10;
/** Custom id prefix of the leaderboard's page buttons: `invite-leaderboard:<page>`. */
export const LEADERBOARD_BUTTON = 'invite-leaderboard';

/** "5 invites (6 regular, 1 left, 0 fake, 0 bonus)" in the guild's language. */
export function describeCounts(t: TFunction, counts: InviteCounts): string {
	return t('invites:summary', { count: total(counts), regular: counts.regular, left: counts.left, fake: counts.fake, bonus: counts.bonus });
}

export function countsEmbed(t: TFunction, userId: string, counts: InviteCounts): EmbedBuilder {
	return new EmbedBuilder()
		.setColor(INVITES_COLOR)
		.setTitle(t('invites:countsTitle'))
		.setDescription(t('invites:countsDescription', { member: userMention(userId), summary: describeCounts(t, counts) }));
}

export interface LeaderboardView {
	period: Period;
	type: LeaderboardType;
	/** False when the rows end where the lookup stopped (visibleRows): the page count is not known. */
	complete: boolean;
}

const ALL_TIME: LeaderboardView = { period: { name: 'all', from: null }, type: 'total', complete: true };

/** `invite-leaderboard:<page>:<period>:<type>`; a button of an older version (`invite-leaderboard:<page>`) means all time, total. */
export function parseLeaderboardButton(customId: string, now = Date.now()): { page: number; period: Period; type: LeaderboardType } | null {
	const [prefix, page, token, type] = customId.split(':');
	if (prefix !== LEADERBOARD_BUTTON) return null;
	let { period } = ALL_TIME;
	try {
		if (token) period = parsePeriodToken(token, now);
	} catch {
		// A since date that no longer parses cannot come from our buttons; all time is the safe page to show.
	}
	return { page: Number(page) || 1, period, type: isLeaderboardType(type) ? type : 'total' };
}

/** One page of the leaderboard with Previous/Next buttons; pages are clamped, so an old button never fails. */
export function leaderboardPage(t: TFunction, rows: LeaderboardRow[], requestedPage: number, view: LeaderboardView = ALL_TIME) {
	const known = Math.max(1, Math.ceil(rows.length / LEADERBOARD_PAGE_SIZE));
	// Rows looked up only this far: the one after the requested page tells whether a next page exists.
	const page = Math.min(Math.max(1, requestedPage), known);
	const lastPage = view.complete ? page >= known : rows.length <= page * LEADERBOARD_PAGE_SIZE;
	const start = (page - 1) * LEADERBOARD_PAGE_SIZE;
	const lines = rows
		.slice(start, start + LEADERBOARD_PAGE_SIZE)
		.map((row, offset) => `**${start + offset + 1}.** ${userMention(row.inviterId)}: ${describeCounts(t, row.counts)}`);
	const scoped = view.period.name !== 'all' || view.type !== 'total';
	const embed = new EmbedBuilder()
		.setColor(INVITES_COLOR)
		.setTitle(
			scoped
				? t('invites:leaderboardTitleScoped', { period: describePeriod(t, view.period), type: t(`invites:type.${view.type}`) })
				: t('invites:leaderboardTitle')
		)
		.setDescription(lines.length > 0 ? lines.join('\n') : t('invites:leaderboardEmpty'))
		.setFooter({
			text: view.complete
				? t('invites:leaderboardFooter', { page, pages: known, count: rows.length })
				: t('invites:leaderboardFooterPartial', { page })
		});
	const suffix = `${periodToken(view.period)}:${view.type}`;
	const buttons = new ActionRowBuilder<ButtonBuilder>().addComponents(
		new ButtonBuilder()
			.setCustomId(`${LEADERBOARD_BUTTON}:${page - 1}:${suffix}`)
			.setLabel(t('invites:previous'))
			.setStyle(ButtonStyle.Secondary)
			.setDisabled(page <= 1),
		new ButtonBuilder()
			.setCustomId(`${LEADERBOARD_BUTTON}:${page + 1}:${suffix}`)
			.setLabel(t('invites:next'))
			.setStyle(ButtonStyle.Secondary)
			.setDisabled(lastPage)
	);
	return { embeds: [embed], components: [buttons], allowedMentions: { parse: [] } };
}

/** "one of <@a>, <@b> — joined during a burst" (or "…, or without an invite"). */
function burstInviters(t: TFunction, join: JoinEvent): string {
	const candidates = (join.candidates ?? []).map((id) => userMention(id)).join(', ');
	if (!join.maybeNone) return t('invites:burstInviters', { candidates });
	return candidates.length > 0 ? t('invites:burstInvitersOrNone', { candidates }) : t('invites:burstPossiblyNone');
}

export function whoInvitedEmbed(t: TFunction, memberId: string, record: MemberRecord | undefined): EmbedBuilder {
	const embed = new EmbedBuilder().setColor(INVITES_COLOR).setTitle(t('invites:whoInvitedTitle'));
	const join = record?.joins.at(-1);
	if (!record || !join) return embed.setDescription(t('invites:notRecorded', { member: userMention(memberId) }));
	const inviter = join.how === 'burst' ? burstInviters(t, join) : join.inviterId ? userMention(join.inviterId) : t('invites:nobodyKnown');
	const counts = { joins: record.joins.length, leaves: record.leaves.length };
	const lines = [
		t('invites:joined', {
			member: userMention(memberId),
			when: time(Math.floor(join.at / 1000), TimestampStyles.RelativeTime),
			how: t(`invites:how.${join.how}`)
		}),
		join.code ? t('invites:inviterLineWithCode', { inviter, code: join.code }) : t('invites:inviterLine', { inviter }),
		record.present ? t('invites:joinsLine', counts) : t('invites:joinsLineGone', counts)
	];
	if (join.imported) lines.push(t('invites:imported'));
	if (record.credit?.fake)
		lines.push(
			record.credit.fakeReasons ? t('invites:fakeBecause', { reasons: describeFakeReasons(t, record.credit.fakeReasons) }) : t('invites:fake')
		);
	if (join.how === 'burst') {
		lines.push(record.credit?.burst ? t('invites:burstShare', { inviter: userMention(record.credit.inviterId) }) : t('invites:burstNoShare'));
	}
	return embed.setDescription(lines.join('\n'));
}

/** "young account, no avatar" in the guild's language; a fake credit stored before reasons were kept has none. */
export function describeFakeReasons(t: TFunction, reasons: readonly FakeReason[] | undefined): string {
	if (!reasons || reasons.length === 0) return t('invites:fakeReason.unknown');
	return reasons.map((reason) => t(`invites:fakeReason.${reason}`)).join(', ');
}
