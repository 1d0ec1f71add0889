import { describe, expect, it } from 'vitest';
import { DEFAULT_INVITE_LEADERBOARD } from '../../../src/lib/guild-settings.js';
import { leaderboardCsv } from '../../../src/lib/invites/export.js';
import { GuildInviteIndex } from '../../../src/lib/invites/index-state.js';
import { rankedRows, visibleRows, type LookedUpMember } from '../../../src/lib/invites/leaderboard.js';
import { changeExclusion, exclusionTarget } from '../../../src/lib/invites/leaderboard-settings.js';
import { parsePeriod } from '../../../src/lib/invites/periods.js';
import { leaderboardPage, parseLeaderboardButton } from '../../../src/lib/invites/views.js';
import { languageT } from '../../helpers/i18n.js';
import { refusalKey } from '../../helpers/refusal.js';

const NOW = Date.UTC(2026, 5, 15, 12);
const DAY = 24 * 3600_000;

describe('leaderboard by period and type', () => {
	it('counts the credits of the window only, and follows changes (a credit moved to another day leaves the old one)', () => {
		const index = new GuildInviteIndex();
		index.setCredit('m1', { inviterId: 'a', at: NOW - 40 * DAY, fake: false, left: false });
		index.setCredit('m2', { inviterId: 'b', at: NOW - 2 * DAY, fake: true, left: false });
		index.setCredit('m3', { inviterId: 'b', at: NOW - DAY, fake: false, left: true });
		const month = parsePeriod('30d', null, NOW);
		expect(rankedRows(index, month, 'total').map((row) => [row.inviterId, row.counts])).toEqual([
			['b', { regular: 2, left: 1, fake: 1, bonus: 0 }]
		]);
		// The same ranking is kept until the counts change; a change shows at once.
		expect(rankedRows(index, month, 'total')).toBe(rankedRows(index, month, 'total'));
		index.setCredit('m1', { inviterId: 'a', at: NOW - DAY, fake: false, left: false });
		expect(rankedRows(index, month, 'total').map((row) => row.inviterId)).toEqual(['a', 'b']);
		expect(rankedRows(index, parsePeriod(null, '2026-05-01', NOW), 'total').map((row) => row.inviterId)).toEqual(['a', 'b']);
		index.setCredit('m1', null);
		expect(rankedRows(index, parsePeriod('all', null, NOW), 'total').map((row) => row.inviterId)).toEqual(['b']);
		expect(rankedRows(index, month, 'fake').map((row) => row.inviterId)).toEqual(['b']);
		expect(rankedRows(index, month, 'bonus')).toEqual([]);
	});

	it('looks members up only as far as the page needs, 100 at a time', async () => {
		const index = new GuildInviteIndex();
		for (let inviter = 0; inviter < 350; inviter++)
			index.setCredit(`m${inviter}`, { inviterId: `i${String(inviter).padStart(3, '0')}`, at: NOW, fake: false, left: false });
		const asked: number[] = [];
		// Every third inviter left the server.
		const lookup = (ids: string[]) => {
			asked.push(ids.length);
			return Promise.resolve(
				new Map(ids.filter((id) => Number(id.slice(1)) % 3 !== 0).map((id) => [id, { roles: [], name: id } as LookedUpMember]))
			);
		};
		const rows = rankedRows(index, parsePeriod('all', null, NOW), 'total');
		const settings = { ...DEFAULT_INVITE_LEADERBOARD, hideLeft: true, excludedMembers: ['i001'] };
		const firstPage = await visibleRows(rows, settings, 10, lookup);
		expect(asked).toEqual([100]);
		expect(firstPage.complete).toBe(false);
		expect(firstPage.rows.slice(0, 3).map((row) => row.inviterId)).toEqual(['i002', 'i004', 'i005']);
		const t = languageT();
		const view = leaderboardPage(t, firstPage.rows, 1, { period: parsePeriod('all', null, NOW), type: 'total', complete: false });
		expect(view.embeds[0]!.data.footer?.text).toBe('Page 1');
		expect(view.components[0]!.components.map((button) => (button.data as { disabled?: boolean }).disabled)).toEqual([true, false]);
		const everything = await visibleRows(rows, settings, null, lookup);
		expect(everything.complete).toBe(true);
		expect(everything.rows).toHaveLength(350 - 117 - 1);
		// No Discord filter: no lookup at all.
		asked.length = 0;
		expect((await visibleRows(rows, DEFAULT_INVITE_LEADERBOARD, 10, lookup)).rows).toHaveLength(350);
		expect(asked).toEqual([]);
	});

	it('reads its buttons, old ones too', () => {
		expect(parseLeaderboardButton('invite-leaderboard:3', NOW)).toEqual({ page: 3, period: { name: 'all', from: null }, type: 'total' });
		expect(parseLeaderboardButton('invite-leaderboard:2:7d:fake', NOW)).toEqual({ page: 2, period: parsePeriod('7d', null, NOW), type: 'fake' });
		expect(parseLeaderboardButton('invite-leaderboard:1:2026-06-01:left', NOW)?.period).toEqual(parsePeriod(null, '2026-06-01', NOW));
		expect(parseLeaderboardButton('invite-leaderboard:1:bogus:nope', NOW)).toMatchObject({ period: { name: 'all' }, type: 'total' });
		expect(parseLeaderboardButton('reset-invites:1', NOW)).toBeNull();
	});
});

describe('leaderboard settings and export', () => {
	it('excludes a member or a role, once, within the limit', () => {
		expect(refusalKey(() => exclusionTarget(null, null))).toBe('invites:exclusionNeedsOne');
		expect(refusalKey(() => exclusionTarget('1', '2'))).toBe('invites:exclusionNeedsOne');
		const one = changeExclusion(DEFAULT_INVITE_LEADERBOARD, exclusionTarget('1', null), true);
		expect(one).toEqual({ hideLeft: false, excludedMembers: ['1'], excludedRoles: [] });
		expect(refusalKey(() => changeExclusion(one, exclusionTarget('1', null), true))).toBe('invites:alreadyExcluded');
		expect(refusalKey(() => changeExclusion(one, exclusionTarget(null, '1'), false))).toBe('invites:notExcluded');
		expect(changeExclusion(one, exclusionTarget('1', null), false).excludedMembers).toEqual([]);
		const full = { ...DEFAULT_INVITE_LEADERBOARD, excludedRoles: Array.from({ length: 25 }, (_, index) => String(index + 100)) };
		expect(refusalKey(() => changeExclusion(full, exclusionTarget(null, '7'), true))).toBe('invites:tooManyExclusions');
	});

	it('writes CSV a spreadsheet cannot run', () => {
		const rows = [{ inviterId: '12345678901234567890', total: 1, counts: { regular: 2, left: 1, fake: 0, bonus: 0 } }];
		expect(leaderboardCsv(rows, new Map([['12345678901234567890', '=HYPERLINK("x")']])).toString()).toBe(
			'"id","name","total","regular","left","fake","bonus"\n"12345678901234567890","\'=HYPERLINK(""x"")",1,2,1,0,0\n'
		);
	});
});
