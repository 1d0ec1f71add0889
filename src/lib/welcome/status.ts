import { container } from '@sapphire/framework';
import type { TFunction } from '@sapphire/plugin-i18next';
import { channelMention, roleMention, time, TimestampStyles } from 'discord.js';
import type { AutoRoleStatus } from '../autorole/service.js';
import { formatDelay } from '../autorole/delay.js';
import type { DeliveryProblem } from '../guild-settings.js';
import { explain } from '../templates/reasons.js';
import type { GreetingKind } from './message.js';
import type { GreetingStatus } from './service.js';

export interface WelcomeStatus extends Record<GreetingKind, GreetingStatus> {
	autoroles: AutoRoleStatus;
}

/** Welcome, goodbye and auto-role state of a guild, problems included: what /data-status shows. */
export async function welcomeStatus(guildId: string): Promise<WelcomeStatus> {
	const [greetings, autoroles] = await Promise.all([container.welcome.status(guildId), container.autoroles.status(guildId)]);
	return { ...greetings, autoroles };
}

/** A delivery problem in the language of `t`; one stored before problems were translated reads as it was written. */
export function describeProblem(t: TFunction, problem: DeliveryProblem): string {
	return problem.reason ? explain(t, problem.reason) : problem.message;
}

/** One line per part, e.g. "Welcome: <#1> (also DM), NOT SENT since …: the channel 1 no longer exists (3 missed)". */
export function describeWelcomeStatus(t: TFunction, status: WelcomeStatus): string[] {
	const greeting = (kind: GreetingKind, part: GreetingStatus) => {
		if (!part.configured) return t(`welcome:status.off.${kind}`);
		const where = part.dm ? t('welcome:status.whereWithDm', { channel: channelMention(part.channelId!) }) : channelMention(part.channelId!);
		if (!part.problem) return t(`welcome:status.working.${kind}`, { where });
		const since = time(Math.floor(part.problem.since / 1000), TimestampStyles.RelativeTime);
		return t(`welcome:status.notSent.${kind}`, { where, since, reason: describeProblem(t, part.problem), count: part.problem.missed });
	};
	const roles = status.autoroles.roles.map((role) =>
		t(role.delayMs > 0 ? 'autorole:status.roleDelayed' : 'autorole:status.role', {
			role: roleMention(role.roleId),
			target: t(`autorole:target.${role.for}`),
			delay: formatDelay(role.delayMs)
		})
	);
	return [
		greeting('welcome', status.welcome),
		greeting('goodbye', status.goodbye),
		t('autorole:status.line', { roles: roles.length > 0 ? roles.join(', ') : t('autorole:status.none'), count: status.autoroles.pendingGrants }),
		...status.autoroles.problems.map((problem) => t('autorole:status.problem', { problem: explain(t, problem) }))
	];
}
