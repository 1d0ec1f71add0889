import { Duration } from '@sapphire/duration';
import { text, type Text } from '../i18n/text.js';

/** Giveaways may be as short as one second (handy for a quick test in a server) and as long as a year. */
export const MIN_DURATION_MS = 1000;
export const MAX_DURATION_MS = 365 * 24 * 60 * 60 * 1000;

export type DurationResult = { ok: true; ms: number } | { ok: false; reason: Text };

/**
 * Reads a duration such as `30s`, `10m`, `1h30m`, `2d` or `1 week` (a bare number means seconds), rounded to whole
 * seconds. A refusal speaks of the giveaway's length, or, for another option, of "it" (`option` wraps it).
 */
export function parseDuration(input: string, option?: string): DurationResult {
	const trimmed = input.trim();
	const offset = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : new Duration(trimmed).offset;
	const ms = Math.round(offset / 1000) * 1000;
	const reason =
		!Number.isFinite(offset) || offset <= 0
			? text('giveaways:notDuration', { text: input })
			: ms < MIN_DURATION_MS
				? text(option ? 'giveaways:spanTooShort' : 'giveaways:giveawayTooShort')
				: ms > MAX_DURATION_MS
					? text(option ? 'giveaways:spanTooLong' : 'giveaways:giveawayTooLong')
					: null;
	if (reason === null) return { ok: true, ms };
	return { ok: false, reason: option ? optionReason(option, reason) : reason };
}

/** "`starts-in`: it is at least 1 second.": a refusal that names the option it is about. */
export function optionReason(option: string, reason: Text): Text {
	return text('giveaways:option', { option, reason });
}

/** The options a moment is read from: /giveaway start's, or /giveaway edit's `ends-in`/`ends-at`. */
export interface MomentOptions {
	in: string;
	at: string;
	/** The refusal when both are given. */
	both: string;
}
export const START_OPTIONS: MomentOptions = { in: 'starts-in', at: 'starts-at', both: 'giveaways:startBoth' };
export const END_OPTIONS: MomentOptions = { in: 'ends-in', at: 'ends-at', both: 'giveaways:endBoth' };

export type StartResult = { ok: true; startsAt: number | null } | { ok: false; reason: Text };

/**
 * When a giveaway starts: `starts-in` (a duration from now) or `starts-at` (a Discord timestamp `<t:1767225600>`, Unix
 * seconds, or an ISO date and time such as `2026-12-24 18:00`, read as UTC unless it names a zone). Neither: now (null).
 */
export function parseStart(startsIn: string | null, startsAt: string | null, now: number, names: MomentOptions = START_OPTIONS): StartResult {
	if (startsIn !== null && startsAt !== null) return { ok: false, reason: text(names.both) };
	if (startsIn !== null) {
		const parsed = parseDuration(startsIn, names.in);
		return parsed.ok ? { ok: true, startsAt: now + parsed.ms } : parsed;
	}
	if (startsAt === null) return { ok: true, startsAt: null };
	const typed = startsAt.trim();
	const unix = /^<t:(-?\d+)(?::[tTdDfFR])?>$/.exec(typed)?.[1] ?? /^\d{9,11}$/.exec(typed)?.[0];
	const iso = /^\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}(?::\d{2})?$/.test(typed) ? `${typed.replace(' ', 'T')}Z` : typed;
	const at = unix === undefined ? (/^\d{4}-\d{2}-\d{2}/.test(typed) ? Date.parse(iso) : Number.NaN) : Number(unix) * 1000;
	const reason = Number.isFinite(at)
		? at <= now
			? text('giveaways:inPast')
			: at - now > MAX_DURATION_MS
				? text('giveaways:tooFar')
				: null
		: text('giveaways:notTime', { text: startsAt });
	return reason === null ? { ok: true, startsAt: at } : { ok: false, reason: optionReason(names.at, reason) };
}
