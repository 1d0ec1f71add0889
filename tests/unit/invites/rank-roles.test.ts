import { describe, expect, it } from 'vitest';
import { rankRoleChanges } from '../../../src/lib/invites/rank-roles.js';
import { DEFAULT_INVITE_CONFIG, type InviteConfig } from '../../../src/lib/invites/tracker.js';

const ranks = [
	{ total: 1, roleId: 'bronze' },
	{ total: 5, roleId: 'silver' },
	{ total: 10, roleId: 'gold' }
];
const config = (change: Partial<InviteConfig>): InviteConfig => ({ ...DEFAULT_INVITE_CONFIG, rankRoles: ranks, ...change });

describe('rank role changes', () => {
	it('stack keeps every role reached; highest only the highest, taking the lower ones even when roles do not follow totals', () => {
		expect(rankRoleChanges(config({ rankRoleMode: 'stack' }), 6)).toEqual({ give: ['bronze', 'silver'], take: ['gold'] });
		expect(rankRoleChanges(config({ rankRoleMode: 'highest' }), 6)).toEqual({ give: ['silver'], take: ['bronze', 'gold'] });
		expect(rankRoleChanges(config({ rankRoleMode: 'highest', removeRankRolesBelow: false }), 6)).toEqual({ give: ['silver'], take: ['bronze'] });
		expect(rankRoleChanges(config({ rankRoleMode: 'highest' }), 0)).toEqual({ give: [], take: ['bronze', 'silver', 'gold'] });
		expect(rankRoleChanges(config({ rankRoleMode: 'highest', removeRankRolesBelow: false }), 0)).toEqual({ give: [], take: [] });
	});
});
