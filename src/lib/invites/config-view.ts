import type { TFunction } from '@sapphire/plugin-i18next';
import { channelMention, time, TimestampStyles } from 'discord.js';
import type { DeliveryProblem } from '../guild-settings.js';
import { FIELD_VALUE_LIMIT, fitField } from '../embed-fields.js';
import type { MilestoneSettings } from './tracker.js';

/** "Not sent since …: why (N missed)" under a channel in /invite-config show; empty when there is no problem. */
export function deliveryProblemLine(t: TFunction, found: DeliveryProblem | null): string {
	if (!found) return '';
	const since = time(Math.floor(found.since / 1000), TimestampStyles.RelativeTime);
	return `\n${t('invites:deliveryProblem', { since, problem: found.message, count: found.missed })}`;
}

/** The milestones field of /invite-config show, within the field limit: the template gets the room the other lines leave. */
export function milestonesFieldValue(t: TFunction, milestones: MilestoneSettings | null): string {
	if (!milestones) return t('invites:off');
	const head = [
		channelMention(milestones.channelId),
		t('invites:milestoneNumbers', { numbers: milestones.numbers.length > 0 ? milestones.numbers.join(', ') : t('invites:none') })
	].join('\n');
	const tail = fitField(deliveryProblemLine(t, milestones.problem), 300);
	if (!milestones.template) return fitField(`${head}\n${t('invites:milestoneTemplateDefault')}${tail}`);
	const room = FIELD_VALUE_LIMIT - head.length - tail.length - 1 - t('invites:milestoneTemplate', { template: '' }).length;
	return fitField(`${head}\n${t('invites:milestoneTemplate', { template: fitField(milestones.template, Math.max(room, 1)) })}${tail}`);
}
