import { roleMention } from 'discord.js';
import { text, type Text } from '../i18n/text.js';
import { optionReason, parseDuration } from './duration.js';

/** Who may enter and win a giveaway; checked when a member clicks Enter and again at the draw. */
export interface Requirements {
	/** Roles a member must hold: any one of them, or all of them (`requiredRolesMode`). */
	requiredRoleIds: string[];
	requiredRolesMode: 'any' | 'all';
	/** A member holding any of these may not enter or win. */
	blockedRoleIds: string[];
	/** Minimum age of the Discord account, ms. */
	minAccountAgeMs: number | null;
	/** Minimum time since the member joined the server, ms. */
	minMemberAgeMs: number | null;
	boostersOnly: boolean;
	/** Minimum invite total (regular - left - fake + bonus), from the invite tracker. */
	minInvites: number | null;
	/**
	 * `giveaway`: `minInvites` counts only the invites made while the giveaway runs (members who joined through the
	 * member since it started and are still counted: not left, not fake; no bonus). Absent in older records: `ever`.
	 */
	invitesCounted?: 'ever' | 'giveaway';
}

export const NO_REQUIREMENTS: Requirements = Object.freeze({
	requiredRoleIds: [],
	requiredRolesMode: 'any',
	blockedRoleIds: [],
	minAccountAgeMs: null,
	minMemberAgeMs: null,
	boostersOnly: false,
	minInvites: null,
	invitesCounted: 'ever'
}) as Requirements;

/** What the checks need to know about a member, gathered from Discord and the invite tracker. */
export interface MemberFacts {
	roleIds: readonly string[];
	accountCreatedAt: number;
	/** When the member joined the server; null when Discord did not say. */
	joinedAt: number | null;
	boosting: boolean;
	inviteTotal: number;
	/** Invites made since `at` (ms), counted as `invitesCounted: 'giveaway'` says; absent: none known. */
	invitesSince?: (at: number) => number;
}

/**
 * The first requirement the member does not meet, written for them, or null when they meet all. Pure: `now` comes in,
 * so the Enter check and the draw judge alike.
 */
export function unmetRequirement(requirements: Requirements, member: MemberFacts, now: number, startedAt = 0): Text | null {
	const roles = new Set(member.roleIds);
	const { requiredRoleIds, blockedRoleIds } = requirements;
	if (requiredRoleIds.length > 0) {
		const held = requiredRoleIds.filter((roleId) => roles.has(roleId)).length;
		if (requirements.requiredRolesMode === 'all' && held < requiredRoleIds.length) {
			return text('giveaways:unmet.allRoles', { roles: requiredRoleIds.map(roleMention).join(', ') });
		}
		if (requirements.requiredRolesMode === 'any' && held === 0) {
			return requiredRoleIds.length === 1
				? text('giveaways:unmet.role', { role: roleMention(requiredRoleIds[0]!) })
				: text('giveaways:unmet.oneRole', { roles: requiredRoleIds.map(roleMention).join(', ') });
		}
	}
	const blocked = blockedRoleIds.find((roleId) => roles.has(roleId));
	if (blocked) return text('giveaways:unmet.blocked', { role: roleMention(blocked) });
	if (requirements.minAccountAgeMs !== null && now - member.accountCreatedAt < requirements.minAccountAgeMs) {
		return text('giveaways:unmet.accountAge', { ms: requirements.minAccountAgeMs });
	}
	if (requirements.minMemberAgeMs !== null && (member.joinedAt === null || now - member.joinedAt < requirements.minMemberAgeMs)) {
		return text('giveaways:unmet.memberAge', { ms: requirements.minMemberAgeMs });
	}
	if (requirements.boostersOnly && !member.boosting) return text('giveaways:unmet.boosters');
	if (requirements.minInvites !== null) {
		const during = requirements.invitesCounted === 'giveaway';
		const have = during ? (member.invitesSince?.(startedAt) ?? 0) : member.inviteTotal;
		if (have < requirements.minInvites)
			return text(during ? 'giveaways:unmet.invitesDuring' : 'giveaways:unmet.invites', { count: requirements.minInvites, have });
	}
	return null;
}

/** Whether anything is required beyond being a member. */
export function hasRequirements(requirements: Requirements): boolean {
	const { requiredRoleIds, blockedRoleIds, minAccountAgeMs, minMemberAgeMs, boostersOnly, minInvites } = requirements;
	return (
		requiredRoleIds.length > 0 ||
		blockedRoleIds.length > 0 ||
		minAccountAgeMs !== null ||
		minMemberAgeMs !== null ||
		boostersOnly ||
		minInvites !== null
	);
}

/** Lines for the giveaway message. */
export function requirementLines(requirements: Requirements): Text[] {
	const lines: Text[] = [];
	const { requiredRoleIds, blockedRoleIds } = requirements;
	const roles = requiredRoleIds.map(roleMention).join(', ');
	if (requiredRoleIds.length === 1) lines.push(text('giveaways:requirement.role', { role: roles }));
	else if (requiredRoleIds.length > 1)
		lines.push(text(requirements.requiredRolesMode === 'all' ? 'giveaways:requirement.allRoles' : 'giveaways:requirement.oneRole', { roles }));
	if (blockedRoleIds.length > 0) lines.push(text('giveaways:requirement.blocked', { roles: blockedRoleIds.map(roleMention).join(', ') }));
	if (requirements.minAccountAgeMs !== null) lines.push(text('giveaways:requirement.accountAge', { ms: requirements.minAccountAgeMs }));
	if (requirements.minMemberAgeMs !== null) lines.push(text('giveaways:requirement.memberAge', { ms: requirements.minMemberAgeMs }));
	if (requirements.boostersOnly) lines.push(text('giveaways:requirement.boosters'));
	if (requirements.minInvites !== null)
		lines.push(
			text(requirements.invitesCounted === 'giveaway' ? 'giveaways:requirement.invitesDuring' : 'giveaways:requirement.invites', {
				count: requirements.minInvites
			})
		);
	return lines;
}

/** Role ids in text such as `<@&123> <@&456>` or `123, 456`; null when something else is written. */
export function parseRoleList(text: string): string[] | null {
	const items = text.split(/[\s,]+/).filter((item) => item !== '');
	const ids = items.map((item) => /^(?:<@&)?(\d{17,20})>?$/.exec(item)?.[1]);
	return ids.every((id): id is string => id !== undefined) ? [...new Set(ids)] : null;
}

/** The requirement options of /giveaway start, as typed. */
export interface RequirementInput {
	requiredRoleIds: string[];
	requiredRoles: string | null;
	requiredRolesMode: 'any' | 'all' | null;
	blockedRoles: string | null;
	minAccountAge: string | null;
	minMemberAge: string | null;
	boostersOnly: boolean | null;
	minInvites: number | null;
	/** `invites-during`: count only the invites made while the giveaway runs. */
	invitesDuring?: boolean | null;
}

/** Requirements from command options; a refusal names the option that is wrong. */
export function parseRequirements(input: RequirementInput): { ok: true; requirements: Requirements } | { ok: false; reason: Text } {
	// The first option that is wrong (read in option order); the closures below note it.
	let refused = null as Text | null;
	const roles = (typed: string | null, option: string) => {
		if (typed === null) return [];
		const ids = parseRoleList(typed);
		if (ids === null) refused ??= optionReason(option, text('giveaways:notRoles'));
		return ids ?? [];
	};
	const age = (typed: string | null, option: string) => {
		if (typed === null) return null;
		const parsed = parseDuration(typed, option);
		if (!parsed.ok) refused ??= parsed.reason;
		return parsed.ok ? parsed.ms : null;
	};
	const requirements: Requirements = {
		requiredRoleIds: [...new Set([...input.requiredRoleIds, ...roles(input.requiredRoles, 'required-roles')])],
		requiredRolesMode: input.requiredRolesMode ?? 'any',
		blockedRoleIds: roles(input.blockedRoles, 'blocked-roles'),
		minAccountAgeMs: age(input.minAccountAge, 'min-account-age'),
		minMemberAgeMs: age(input.minMemberAge, 'min-server-age'),
		boostersOnly: input.boostersOnly ?? false,
		minInvites: input.minInvites,
		invitesCounted: input.invitesDuring ? 'giveaway' : 'ever'
	};
	if (refused) return { ok: false, reason: refused };
	if (input.invitesDuring && input.minInvites === null) return { ok: false, reason: text('giveaways:invitesDuringNeedsMin') };
	const both = requirements.requiredRoleIds.find((roleId) => requirements.blockedRoleIds.includes(roleId));
	if (both) return { ok: false, reason: text('giveaways:requiredAndBlocked', { role: roleMention(both) }) };
	return { ok: true, requirements };
}

/** The options of /giveaway edit that change requirements; null leaves one as it is, `none` (or 0 invites) removes it. */
export type RequirementChanges = Omit<RequirementInput, 'requiredRoleIds'>;

/** `current` with the requirements named in `input` changed; a refusal names the option that is wrong. */
export function changeRequirements(
	current: Requirements,
	input: RequirementChanges
): { ok: true; requirements: Requirements } | { ok: false; reason: Text } {
	const none = (text: string | null) => text !== null && text.trim().toLowerCase() === 'none';
	const parsed = parseRequirements({
		requiredRoleIds: [],
		requiredRoles: none(input.requiredRoles) ? null : input.requiredRoles,
		requiredRolesMode: input.requiredRolesMode,
		blockedRoles: none(input.blockedRoles) ? null : input.blockedRoles,
		minAccountAge: none(input.minAccountAge) ? null : input.minAccountAge,
		minMemberAge: none(input.minMemberAge) ? null : input.minMemberAge,
		boostersOnly: input.boostersOnly,
		minInvites: input.minInvites
	});
	if (!parsed.ok) return parsed;
	const given = parsed.requirements;
	const next: Requirements = { ...NO_REQUIREMENTS, ...current };
	if (input.requiredRoles !== null) next.requiredRoleIds = given.requiredRoleIds;
	if (input.requiredRolesMode !== null) next.requiredRolesMode = given.requiredRolesMode;
	if (input.blockedRoles !== null) next.blockedRoleIds = given.blockedRoleIds;
	if (input.minAccountAge !== null) next.minAccountAgeMs = given.minAccountAgeMs;
	if (input.minMemberAge !== null) next.minMemberAgeMs = given.minMemberAgeMs;
	if (input.boostersOnly !== null) next.boostersOnly = given.boostersOnly;
	if (input.minInvites !== null) next.minInvites = input.minInvites === 0 ? null : input.minInvites;
	if (input.invitesDuring !== null && input.invitesDuring !== undefined) next.invitesCounted = input.invitesDuring ? 'giveaway' : 'ever';
	const both = next.requiredRoleIds.find((roleId) => next.blockedRoleIds.includes(roleId));
	if (both) return { ok: false, reason: text('giveaways:requiredAndBlocked', { role: roleMention(both) }) };
	if (next.invitesCounted === 'giveaway' && next.minInvites === null) return { ok: false, reason: text('giveaways:invitesDuringNeedsMin') };
	return { ok: true, requirements: next };
}
