import type { TFunction } from '@sapphire/plugin-i18next';
import { channelMention, EmbedBuilder, time, TimestampStyles, userMention } from 'discord.js';
import type { InviteSnapshot, InviteState } from './attribution.js';
import type { Credit, MemberRecord } from './records.js';
import { INVITES_COLOR } from './views.js';

export const MEMBERS_PAGE_SIZE = 10;
/** An embed description holds 4096 characters; 25 lines of a code stay well inside it. */
export const CODES_SHOWN = 25;

const when = (at: number) => time(Math.floor(at / 1000), TimestampStyles.RelativeTime);

export interface InvitedMember {
	memberId: string;
	credit: Credit;
	record: MemberRecord | undefined;
}

/** One page of the members an inviter brought, newest first: when each joined, and whether they left or are fake. */
export function membersEmbed(t: TFunction, inviterId: string, members: InvitedMember[], page: number, count: number): EmbedBuilder {
	const pages = Math.max(1, Math.ceil(count / MEMBERS_PAGE_SIZE));
	const lines = members.map(({ memberId, credit, record }, offset) => {
		const status: string[] = [];
		if (credit.fake) status.push(t('invites:memberFake'));
		const leftAt = record && !record.present ? record.leaves.at(-1) : undefined;
		status.push(
			credit.left ? (leftAt ? t('invites:memberLeftAt', { when: when(leftAt) }) : t('invites:memberLeft')) : t('invites:memberPresent')
		);
		return t('invites:memberLine', {
			rank: (page - 1) * MEMBERS_PAGE_SIZE + offset + 1,
			member: userMention(memberId),
			joined: when(credit.at),
			status: status.join(' · ')
		});
	});
	const inviter = userMention(inviterId);
	return new EmbedBuilder()
		.setColor(INVITES_COLOR)
		.setTitle(t('invites:membersTitle'))
		.setDescription(lines.length > 0 ? [t('invites:membersIntro', { inviter }), ...lines].join('\n') : t('invites:membersEmpty', { inviter }))
		.setFooter({ text: t('invites:membersFooter', { page, pages, count }) });
}

function describeCode(t: TFunction, invite: InviteState): string {
	const uses =
		invite.maxUses > 0
			? t('invites:codeUsesLimited', { count: invite.uses, max: invite.maxUses })
			: t('invites:codeUsesUnlimited', { count: invite.uses });
	const expires = invite.expiresAt ? t('invites:codeExpires', { when: when(invite.expiresAt) }) : t('invites:codeNeverExpires');
	const channel = invite.channelId ? channelMention(invite.channelId) : t('invites:codeChannelUnknown');
	return t('invites:codeLine', { code: invite.code, uses, channel, expires });
}

/** An inviter's codes with their uses, limits, expiry and channel, most used first (the tracker's copy of them). */
export function codesEmbed(t: TFunction, inviterId: string, snapshot: InviteSnapshot | undefined, now: number): EmbedBuilder {
	const inviter = userMention(inviterId);
	const embed = new EmbedBuilder().setColor(INVITES_COLOR).setTitle(t('invites:codesTitle'));
	// An expired invite Discord no longer lists may still be in our copy until the next fetch.
	const codes = Object.values(snapshot?.invites ?? {})
		.filter((invite) => invite.inviterId === inviterId && !(invite.expiresAt && invite.expiresAt <= now))
		.sort((a, b) => b.uses - a.uses || (a.code < b.code ? -1 : 1));
	if (codes.length === 0) return embed.setDescription(t(snapshot ? 'invites:codesEmpty' : 'invites:codesUnknown', { inviter }));
	const lines = [t('invites:codesIntro', { inviter }), ...codes.slice(0, CODES_SHOWN).map((invite) => describeCode(t, invite))];
	if (codes.length > CODES_SHOWN) lines.push(t('invites:codesMore', { count: codes.length - CODES_SHOWN }));
	return embed.setDescription(lines.join('\n'));
}
