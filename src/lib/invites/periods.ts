import type { TFunction } from '@sapphire/plugin-i18next';
import { z } from 'zod';
import { refusal } from '../interaction-reply.js';

/**
 * The time windows of the invite views (leaderboard, export, stats). A period is a start time: what happened at or
 * after `from` counts; `from: null` is all time. Days are UTC days: Discord tells us no server time zone.
 */

export const PERIOD_NAMES = ['all', '30d', '7d', 'today', 'since'] as const;
export type PeriodName = (typeof PERIOD_NAMES)[number];

export interface Period {
	name: PeriodName;
	/** Start of the window (ms, inclusive); null for all time. */
	from: number | null;
	/** The `since` date as given (YYYY-MM-DD), for labels and button ids. */
	since?: string;
}

const DAY = 24 * 60 * 60 * 1000;
/** Discord's epoch (2015-01-01): no server has history before it. */
const DISCORD_EPOCH = Date.UTC(2015, 0, 1);
const SINCE_DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

function startOfUtcDay(at: number): number {
	return Math.floor(at / DAY) * DAY;
}

/** The start (ms) of a YYYY-MM-DD date in UTC, or null when it is not a real calendar date. */
function parseDate(text: string): number | null {
	if (!SINCE_DATE.safeParse(text).success) return null;
	const [year, month, day] = text.split('-').map(Number) as [number, number, number];
	const at = Date.UTC(year, month - 1, day);
	const date = new Date(at);
	// Date.UTC rolls 2026-02-30 over to March; a date that does not round-trip does not exist.
	if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
	return at;
}

/**
 * The period of the `period` and `since` options. A `since` date alone means period `since`; `since` with another
 * period, `since` without a date, an impossible date or one in the future are refused (keys in `invites`).
 */
export function parsePeriod(name: string | null | undefined, since: string | null | undefined, now: number = Date.now()): Period {
	const text = since?.trim() || null;
	const chosen = name ?? (text ? 'since' : 'all');
	if (!(PERIOD_NAMES as readonly string[]).includes(chosen)) throw refusal('invites:periodUnknown', { period: chosen });
	const period = chosen as PeriodName;
	if (text && period !== 'since') throw refusal('invites:periodSinceConflict', { period });
	switch (period) {
		case 'all':
			return { name: period, from: null };
		case '30d':
			return { name: period, from: now - 30 * DAY };
		case '7d':
			return { name: period, from: now - 7 * DAY };
		case 'today':
			return { name: period, from: startOfUtcDay(now) };
		case 'since': {
			if (!text) throw refusal('invites:periodSinceMissing');
			const from = parseDate(text);
			if (from === null) throw refusal('invites:periodSinceInvalid', { date: text });
			if (from > now) throw refusal('invites:periodSinceFuture', { date: text });
			return { name: period, from: Math.max(from, DISCORD_EPOCH), since: text };
		}
	}
}

/** The period as one token for a button's custom id (no `:`): `all`, `30d`, `7d`, `today` or the since date. */
export function periodToken(period: Period): string {
	return period.name === 'since' ? period.since! : period.name;
}

/** The period of a token from periodToken, evaluated now (a `30d` button clicked tomorrow shows tomorrow's 30 days). */
export function parsePeriodToken(token: string, now: number = Date.now()): Period {
	return SINCE_DATE.safeParse(token).success ? parsePeriod('since', token, now) : parsePeriod(token, null, now);
}

/** True when something that happened at `at` (ms) falls in the period. */
export function inPeriod(period: Period, at: number): boolean {
	return period.from === null || at >= period.from;
}

/** "all time", "last 30 days", "since 1 March 2026"… in the guild's language. */
export function describePeriod(t: TFunction, period: Period): string {
	if (period.name !== 'since') return t(`invites:period.${period.name}`);
	return t('invites:period.since', { date: new Date(period.from!), formatParams: { date: { dateStyle: 'long', timeZone: 'UTC' } } });
}
