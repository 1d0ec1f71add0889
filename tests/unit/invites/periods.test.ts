import { describe, expect, it } from 'vitest';
import { describePeriod, inPeriod, parsePeriod, parsePeriodToken, periodToken } from '../../../src/lib/invites/periods.js';
import { languageT } from '../../helpers/i18n.js';
import { refusalKey } from '../../helpers/refusal.js';

const NOW = Date.UTC(2026, 2, 15, 13, 30);
const DAY = 24 * 60 * 60 * 1000;

describe('parsePeriod', () => {
	it('reads every period, all time by default', () => {
		expect(parsePeriod(null, null, NOW)).toEqual({ name: 'all', from: null });
		expect(parsePeriod('30d', null, NOW).from).toBe(NOW - 30 * DAY);
		expect(parsePeriod('7d', undefined, NOW).from).toBe(NOW - 7 * DAY);
		expect(parsePeriod('today', null, NOW).from).toBe(Date.UTC(2026, 2, 15));
		expect(parsePeriod(null, '2026-03-01', NOW)).toEqual({ name: 'since', from: Date.UTC(2026, 2, 1), since: '2026-03-01' });
		expect(parsePeriod('since', ' 2026-03-15 ', NOW).from).toBe(Date.UTC(2026, 2, 15));
	});

	it('refuses a missing, impossible, future or conflicting since date, and unknown periods', () => {
		expect(refusalKey(() => parsePeriod('since', null, NOW))).toBe('invites:periodSinceMissing');
		expect(refusalKey(() => parsePeriod('since', '   ', NOW))).toBe('invites:periodSinceMissing');
		for (const bad of ['2026-02-30', '2026-13-01', '1.3.2026', 'yesterday', '2026-3-1', '20260301'])
			expect(
				refusalKey(() => parsePeriod(null, bad, NOW)),
				bad
			).toBe('invites:periodSinceInvalid');
		expect(refusalKey(() => parsePeriod(null, '2026-03-16', NOW))).toBe('invites:periodSinceFuture');
		expect(refusalKey(() => parsePeriod('7d', '2026-03-01', NOW))).toBe('invites:periodSinceConflict');
		expect(refusalKey(() => parsePeriod('1y', null, NOW))).toBe('invites:periodUnknown');
	});

	it('round-trips through a button token and filters times', () => {
		for (const period of [parsePeriod('all', null, NOW), parsePeriod('30d', null, NOW), parsePeriod(null, '2026-01-02', NOW)])
			expect(parsePeriodToken(periodToken(period), NOW)).toEqual(period);
		const week = parsePeriod('7d', null, NOW);
		expect(inPeriod(week, NOW - DAY)).toBe(true);
		expect(inPeriod(week, NOW - 8 * DAY)).toBe(false);
		expect(inPeriod(parsePeriod('all', null, NOW), 0)).toBe(true);
	});

	it('is described in the language, dates through Intl', () => {
		expect(describePeriod(languageT('en-US'), parsePeriod('30d', null, NOW))).toBe('last 30 days');
		expect(describePeriod(languageT('en-US'), parsePeriod(null, '2026-03-01', NOW))).toBe('since March 1, 2026');
		expect(describePeriod(languageT('de'), parsePeriod(null, '2026-03-01', NOW))).toBe('seit 1. März 2026');
	});
});
