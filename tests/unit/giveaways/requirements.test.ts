import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GuildInviteIndex } from '../../../src/lib/invites/index-state.js';
import {
	NO_REQUIREMENTS,
	parseRequirements,
	parseRoleList,
	unmetRequirement,
	type MemberFacts,
	type Requirements
} from '../../../src/lib/giveaways/requirements.js';
import { say } from '../../../src/lib/i18n/text.js';
import { inEnglish, languageT, readable } from '../../helpers/i18n.js';

/** The first unmet requirement as an English member reads it. */
const unmet = (...args: Parameters<typeof unmetRequirement>) => {
	const reason = unmetRequirement(...args);
	return reason && inEnglish(reason);
};

const NOW = 1_800_000_000_000;
const DAY = 86_400_000;
const member = (patch: Partial<MemberFacts> = {}): MemberFacts => ({
	roleIds: [],
	accountCreatedAt: NOW - 400 * DAY,
	joinedAt: NOW - 100 * DAY,
	boosting: false,
	inviteTotal: 0,
	...patch
});
const needs = (patch: Partial<Requirements>): Requirements => ({ ...NO_REQUIREMENTS, ...patch });
/** /giveaway start with no requirement option given. */
const input = {
	requiredRoleIds: [],
	requiredRoles: null,
	requiredRolesMode: null,
	blockedRoles: null,
	minAccountAge: null,
	minMemberAge: null,
	boostersOnly: null,
	minInvites: null
};
const ROLE = fc.constantFrom('r1', 'r2', 'r3', 'r4', 'r5', 'r6');

describe('giveaway requirements', () => {
	it('names the first requirement a member does not meet', () => {
		expect(unmet(NO_REQUIREMENTS, member(), NOW)).toBeNull();
		expect(unmet(needs({ requiredRoleIds: ['111'] }), member(), NOW)).toBe('Only members with the <@&111> role can enter this giveaway.');
		expect(unmet(needs({ requiredRoleIds: ['1', '2'], requiredRolesMode: 'all' }), member({ roleIds: ['1'] }), NOW)).toMatch(
			/all of these roles: <@&1>, <@&2>/
		);
		expect(unmet(needs({ blockedRoleIds: ['9'] }), member({ roleIds: ['9'] }), NOW)).toMatch(/<@&9> role cannot enter/);
		expect(unmet(needs({ minAccountAgeMs: 30 * DAY }), member({ accountCreatedAt: NOW - 29 * DAY }), NOW)).toMatch(
			/account must be at least 4 weeks, 2 days old/
		);
		expect(unmet(needs({ minMemberAgeMs: DAY }), member({ joinedAt: NOW - 1000 }), NOW)).toMatch(/in this server for at least 1 day/);
		expect(unmet(needs({ minMemberAgeMs: DAY }), member({ joinedAt: null }), NOW)).toMatch(/in this server/);
		expect(unmet(needs({ boostersOnly: true }), member(), NOW)).toBe('Only server boosters can enter this giveaway.');
		expect(unmet(needs({ boostersOnly: true }), member({ boosting: true }), NOW)).toBeNull();
		expect(unmet(needs({ minInvites: 5 }), member({ inviteTotal: 4 }), NOW)).toBe('You need at least 5 invites (you have 4).');
		expect(unmet(needs({ minInvites: 5 }), member({ inviteTotal: 5 }), NOW)).toBeNull();
	});

	it('any-of passes exactly when the member holds one required role, all-of when it holds every one; a blocked role always refuses', () => {
		fc.assert(
			fc.property(fc.uniqueArray(ROLE, { minLength: 1 }), fc.uniqueArray(ROLE), fc.uniqueArray(ROLE), (required, held, blocked) => {
				const heldSet = new Set(held);
				const isBlocked = blocked.some((role) => heldSet.has(role));
				const any = unmetRequirement(needs({ requiredRoleIds: required, blockedRoleIds: blocked }), member({ roleIds: held }), NOW) === null;
				const all =
					unmetRequirement(
						needs({ requiredRoleIds: required, requiredRolesMode: 'all', blockedRoleIds: blocked }),
						member({ roleIds: held }),
						NOW
					) === null;
				expect(any).toBe(required.some((role) => heldSet.has(role)) && !isBlocked);
				expect(all).toBe(required.every((role) => heldSet.has(role)) && !isBlocked);
			})
		);
	});

	it('age and invite thresholds pass exactly at and above the minimum', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 0, max: 1000 * DAY }),
				fc.integer({ min: 0, max: 1000 * DAY }),
				fc.integer({ min: -50, max: 50 }),
				fc.integer({ min: 1, max: 50 }),
				(minAge, age, invites, minInvites) => {
					expect(unmet(needs({ minAccountAgeMs: minAge }), member({ accountCreatedAt: NOW - age }), NOW) === null).toBe(age >= minAge);
					expect(unmet(needs({ minMemberAgeMs: minAge }), member({ joinedAt: NOW - age }), NOW) === null).toBe(age >= minAge);
					expect(unmet(needs({ minInvites }), member({ inviteTotal: invites }), NOW) === null).toBe(invites >= minInvites);
				}
			)
		);
	});

	it('reads role lists and refuses options that are not roles or durations, naming the option', () => {
		const A = '111111111111111111';
		const B = '222222222222222222';
		expect(parseRoleList(`<@&${A}>, ${B} <@&${A}>`)).toEqual([A, B]);
		expect(parseRoleList('@everyone')).toBeNull();
		expect(
			parseRequirements({
				...input,
				requiredRoleIds: [A],
				requiredRoles: `<@&${B}>`,
				requiredRolesMode: 'all',
				minAccountAge: '7d',
				minInvites: 3
			})
		).toEqual({
			ok: true,
			requirements: { ...NO_REQUIREMENTS, requiredRoleIds: [A, B], requiredRolesMode: 'all', minAccountAgeMs: 7 * DAY, minInvites: 3 }
		});
		expect(readable(parseRequirements({ ...input, blockedRoles: 'mods' }))).toEqual({
			ok: false,
			reason: expect.stringContaining('`blocked-roles`')
		});
		expect(readable(parseRequirements({ ...input, minMemberAge: 'a while' }))).toEqual({
			ok: false,
			reason: expect.stringContaining('`min-server-age`')
		});
		expect(readable(parseRequirements({ ...input, requiredRoles: A, blockedRoles: A }))).toEqual({
			ok: false,
			reason: `<@&${A}> cannot be both required and blocked.`
		});
	});

	it('counts only invites made since the giveaway started when `invites-during` is set', () => {
		const index = new GuildInviteIndex();
		const started = NOW - DAY;
		// Before the start: an old invite, and a member invited before who leaves and comes back during it.
		index.setCredit('old', { inviterId: 'host', at: started - 1000, fake: false, left: false });
		index.setCredit('rejoin', { inviterId: 'host', at: started - 5000, fake: false, left: false });
		// During: two real invites, one fake, one who left again.
		index.setCredit('new1', { inviterId: 'host', at: started + 1000, fake: false, left: false });
		index.setCredit('new2', { inviterId: 'host', at: started + 2000, fake: false, left: false });
		index.setCredit('fake', { inviterId: 'host', at: started + 3000, fake: true, left: false });
		index.setCredit('gone', { inviterId: 'host', at: started + 4000, fake: false, left: true });
		// Moved to another inviter: no longer the host's.
		index.setCredit('moved', { inviterId: 'host', at: started + 5000, fake: false, left: false });
		index.setCredit('moved', { inviterId: 'other', at: started + 6000, fake: false, left: false });
		expect(index.invitesSince('host', started)).toBe(2);
		expect(index.invitesSince('other', started)).toBe(1);
		expect(index.invitesSince('nobody', started)).toBe(0);

		const during = needs({ minInvites: 2, invitesCounted: 'giveaway' });
		const facts = member({ inviteTotal: 40, invitesSince: (at) => index.invitesSince('host', at) });
		expect(unmet(during, facts, NOW, started)).toBeNull();
		expect(unmet(during, facts, NOW, started + 1500)).toBe('You need at least 2 invites made since this giveaway started (you have 1).');
		// Without the option, the whole total counts.
		expect(unmet(needs({ minInvites: 2 }), member({ inviteTotal: 40 }), NOW, started + 1500)).toBeNull();
	});

	it('invites-during needs min-invites', () => {
		expect(readable(parseRequirements({ ...input, invitesDuring: true }))).toEqual({
			ok: false,
			reason: expect.stringContaining('`min-invites`')
		});
		expect(parseRequirements({ ...input, minInvites: 2, invitesDuring: true })).toMatchObject({
			ok: true,
			requirements: { minInvites: 2, invitesCounted: 'giveaway' }
		});
	});
});

describe('requirements in other languages', () => {
	it('writes durations and counts in the reader language', () => {
		const reason = unmetRequirement(
			{ ...NO_REQUIREMENTS, minAccountAgeMs: 30 * 86_400_000 },
			{ roleIds: [], accountCreatedAt: 0, joinedAt: 0, boosting: false, inviteTotal: 0 },
			86_400_000
		);
		expect(say(languageT('de'), reason!)).toBe('Dein Discord-Konto muss mindestens 4 Wochen, 2 Tage alt sein.');
		const invites = unmetRequirement(
			{ ...NO_REQUIREMENTS, minInvites: 1500 },
			{ roleIds: [], accountCreatedAt: 0, joinedAt: 0, boosting: false, inviteTotal: 2 },
			0
		);
		expect(say(languageT('pt-BR'), invites!)).toBe('Você precisa de pelo menos 1.500 convites (você tem 2).');
	});
});
