import { container } from '@sapphire/framework';
import type { AutoRoleStatus } from '../autorole/service.js';
import { formatDelay } from '../autorole/delay.js';
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

/** One line per part, e.g. "Welcome: <#1> (also DM) — problem since …: the channel 1 no longer exists (3 missed)". */
export function describeWelcomeStatus(status: WelcomeStatus): string[] {
	const greeting = (label: string, part: GreetingStatus) => {
		if (!part.configured) return `${label}: off`;
		const where = `<#${part.channelId}>${part.dm ? ' (also DM)' : ''}`;
		if (!part.problem) return `${label}: ${where}, working`;
		const since = `<t:${Math.floor(part.problem.since / 1000)}:R>`;
		return `${label}: ${where}, NOT SENT since ${since}: ${part.problem.message} (${part.problem.missed} missed)`;
	};
	const roles = status.autoroles.roles.map(
		(role) => `<@&${role.roleId}> (${role.for}${role.delayMs > 0 ? `, after ${formatDelay(role.delayMs)}` : ''})`
	);
	return [
		greeting('Welcome', status.welcome),
		greeting('Goodbye', status.goodbye),
		`Auto-roles: ${roles.length > 0 ? roles.join(', ') : 'none'}; ${status.autoroles.pendingGrants} delayed grant${status.autoroles.pendingGrants === 1 ? '' : 's'} waiting`,
		...status.autoroles.problems.map((problem) => `Auto-role problem: ${problem}`)
	];
}
