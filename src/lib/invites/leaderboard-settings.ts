import type { TFunction } from '@sapphire/plugin-i18next';
import { roleMention, userMention, type APIEmbedField } from 'discord.js';
import { fitList } from '../embed-fields.js';
import { MAX_LEADERBOARD_EXCLUSIONS, type InviteLeaderboardSettings } from '../guild-settings.js';
import { refusal } from '../interaction-reply.js';

export type ExclusionTarget = { kind: 'member'; id: string } | { kind: 'role'; id: string };

/** `leaderboard-exclude` / `-include` take a member or a role: exactly one of them. */
export function exclusionTarget(userId: string | null, roleId: string | null): ExclusionTarget {
	if ((userId === null) === (roleId === null)) throw refusal('invites:exclusionNeedsOne');
	return userId === null ? { kind: 'role', id: roleId! } : { kind: 'member', id: userId };
}

/** The settings with the member or role left out of the leaderboard (`exclude`) or ranked again. */
export function changeExclusion(settings: InviteLeaderboardSettings, target: ExclusionTarget, exclude: boolean): InviteLeaderboardSettings {
	const field = target.kind === 'member' ? 'excludedMembers' : 'excludedRoles';
	const mention = target.kind === 'member' ? userMention(target.id) : roleMention(target.id);
	const current = settings[field];
	if (exclude) {
		if (current.includes(target.id)) throw refusal('invites:alreadyExcluded', { target: mention });
		if (current.length >= MAX_LEADERBOARD_EXCLUSIONS) throw refusal('invites:tooManyExclusions', { count: MAX_LEADERBOARD_EXCLUSIONS });
		return { ...settings, [field]: [...current, target.id] };
	}
	if (!current.includes(target.id)) throw refusal('invites:notExcluded', { target: mention });
	return { ...settings, [field]: current.filter((id) => id !== target.id) };
}

/** The fields /invite-config shows for the leaderboard; 25 members and 25 roles do not fit one field, the rest are counted. */
export function describeLeaderboardSettings(t: TFunction, settings: InviteLeaderboardSettings): APIEmbedField[] {
	const excluded = [...settings.excludedMembers.map((id) => userMention(id)), ...settings.excludedRoles.map((id) => roleMention(id))];
	return [
		{ name: t('invites:leaderboardHidesLeft'), value: t(settings.hideLeft ? 'invites:yes' : 'invites:no'), inline: true },
		{
			name: t('invites:leaderboardExcluded'),
			value: excluded.length > 0 ? fitList(excluded, ', ', (count) => t('common:andMore', { count })) : t('invites:none')
		}
	];
}
