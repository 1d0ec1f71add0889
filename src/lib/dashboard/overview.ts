import type { Guild } from 'discord.js';
import type { Storage } from '../../storage-adapters/index.js';
import type { AutoRole } from '../guild-settings.js';
import { total, type InviteCounts, type MemberRecord } from '../invites/records.js';
import { inviteReadProblem } from '../invites/permissions.js';
import { INVITE_NAMESPACES, type InviteConfig } from '../invites/tracker.js';
import { roleProblem } from '../roles.js';
import type { GreetingStatus } from '../welcome/service.js';

const DAY_MS = 86_400_000;
export const OVERVIEW_DAYS = 30;

export interface DayCount {
	/** UTC day, YYYY-MM-DD. */
	date: string;
	joins: number;
	leaves: number;
}

/** Joins and leaves per UTC day over the last `days` days (oldest first), from the join history the tracker keeps. */
export async function joinsAndLeavesPerDay(storage: Storage, guildId: string, now = Date.now(), days = OVERVIEW_DAYS): Promise<DayCount[]> {
	const today = Math.floor(now / DAY_MS);
	const first = today - days + 1;
	const counts: DayCount[] = Array.from({ length: days }, (_, index) => ({
		date: new Date((first + index) * DAY_MS).toISOString().slice(0, 10),
		joins: 0,
		leaves: 0
	}));
	const slot = (at: number) => {
		const day = Math.floor(at / DAY_MS);
		return day >= first && day <= today ? counts[day - first] : undefined;
	};
	for await (const [, record] of storage.iteratePrefix<MemberRecord>(INVITE_NAMESPACES.history, `${guildId}:`)) {
		// Imported joins carry Supreme-BOT2's time of record, not a join seen by this bot: left out of the chart.
		for (const join of record.joins) {
			const day = join.imported ? undefined : slot(join.at);
			if (day) day.joins++;
		}
		for (const leave of record.leaves) {
			const day = slot(leave);
			if (day) day.leaves++;
		}
	}
	return counts;
}

export interface Problem {
	code: string;
	message: string;
}

/** What the bot knows is wrong in this server: missing permissions, greetings that fail, roles it cannot give. */
export function knownProblems(
	guild: Guild,
	facts: {
		inviteUnavailable: string | undefined;
		greetings: Record<'welcome' | 'goodbye', GreetingStatus>;
		autoroles: AutoRole[];
		inviteConfig: InviteConfig;
	}
): Problem[] {
	const problems: Problem[] = [];
	const invites = inviteReadProblem(guild) ?? facts.inviteUnavailable;
	if (invites) problems.push({ code: 'invites', message: invites });
	for (const kind of ['welcome', 'goodbye'] as const) {
		const { problem } = facts.greetings[kind];
		if (problem) problems.push({ code: kind, message: problem.message });
	}
	const roles = [
		...facts.autoroles.map((autoRole) => ({ code: 'autorole', roleId: autoRole.roleId })),
		...facts.inviteConfig.rankRoles.map((rank) => ({ code: 'rank-role', roleId: rank.roleId }))
	];
	for (const { code, roleId } of roles) {
		const role = guild.roles.cache.get(roleId);
		const problem = role ? roleProblem(role, guild) : `the role ${roleId} no longer exists`;
		if (problem) problems.push({ code, message: problem });
	}
	return problems;
}

export function countsView(counts: InviteCounts) {
	return { total: total(counts), regular: counts.regular, left: counts.left, fake: counts.fake, bonus: counts.bonus };
}
