import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	NO_REQUIREMENTS,
	parseRequirements,
	parseRoleList,
	unmetRequirement,
	type MemberFacts,
	type Requirements
} from '../../../src/lib/giveaways/requirements.js';

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
const ROLE = fc.constantFrom('r1', 'r2', 'r3', 'r4', 'r5', 'r6');

describe('giveaway requirements', () => {
	it('names the first requirement a member does not meet', () => {
		expect(unmetRequirement(NO_REQUIREMENTS, member(), NOW)).toBeNull();
		expect(unmetRequirement(needs({ requiredRoleIds: ['111'] }), member(), NOW)).toBe(
			'Only members with the <@&111> role can enter this giveaway.'
		);
		expect(unmetRequirement(needs({ requiredRoleIds: ['1', '2'], requiredRolesMode: 'all' }), member({ roleIds: ['1'] }), NOW)).toMatch(
			/all of these roles: <@&1>, <@&2>/
		);
		expect(unmetRequirement(needs({ blockedRoleIds: ['9'] }), member({ roleIds: ['9'] }), NOW)).toMatch(/<@&9> role cannot enter/);
		expect(unmetRequirement(needs({ minAccountAgeMs: 30 * DAY }), member({ accountCreatedAt: NOW - 29 * DAY }), NOW)).toMatch(
			/account must be at least 4 weeks 2 days old/
		);
		expect(unmetRequirement(needs({ minMemberAgeMs: DAY }), member({ joinedAt: NOW - 1000 }), NOW)).toMatch(/in this server for at least 1 day/);
		expect(unmetRequirement(needs({ minMemberAgeMs: DAY }), member({ joinedAt: null }), NOW)).toMatch(/in this server/);
		expect(unmetRequirement(needs({ boostersOnly: true }), member(), NOW)).toBe('Only server boosters can enter this giveaway.');
		expect(unmetRequirement(needs({ boostersOnly: true }), member({ boosting: true }), NOW)).toBeNull();
		expect(unmetRequirement(needs({ minInvites: 5 }), member({ inviteTotal: 4 }), NOW)).toBe('You need at least 5 invites (you have 4).');
		expect(unmetRequirement(needs({ minInvites: 5 }), member({ inviteTotal: 5 }), NOW)).toBeNull();
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
					expect(unmetRequirement(needs({ minAccountAgeMs: minAge }), member({ accountCreatedAt: NOW - age }), NOW) === null).toBe(
						age >= minAge
					);
					expect(unmetRequirement(needs({ minMemberAgeMs: minAge }), member({ joinedAt: NOW - age }), NOW) === null).toBe(age >= minAge);
					expect(unmetRequirement(needs({ minInvites }), member({ inviteTotal: invites }), NOW) === null).toBe(invites >= minInvites);
				}
			)
		);
	});

	it('reads role lists and refuses options that are not roles or durations, naming the option', () => {
		const A = '111111111111111111';
		const B = '222222222222222222';
		expect(parseRoleList(`<@&${A}>, ${B} <@&${A}>`)).toEqual([A, B]);
		expect(parseRoleList('@everyone')).toBeNull();
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
		expect(parseRequirements({ ...input, blockedRoles: 'mods' })).toEqual({ ok: false, reason: expect.stringContaining('`blocked-roles`') });
		expect(parseRequirements({ ...input, minMemberAge: 'a while' })).toEqual({ ok: false, reason: expect.stringContaining('`min-server-age`') });
		expect(parseRequirements({ ...input, requiredRoles: A, blockedRoles: A })).toEqual({
			ok: false,
			reason: `<@&${A}> cannot be both required and blocked.`
		});
	});
});
