import { Duration } from '@sapphire/duration';

/** Giveaways may be as short as one second (handy for a quick test in a server) and as long as a year. */
export const MIN_DURATION_MS = 1000;
export const MAX_DURATION_MS = 365 * 24 * 60 * 60 * 1000;

export type DurationResult = { ok: true; ms: number } | { ok: false; reason: string };

/**
 * Reads a duration such as `30s`, `10m`, `1h30m`, `2d` or `1 week` (a bare number means seconds), rounded to whole
 * seconds.
 */
export function parseDuration(text: string): DurationResult {
	const trimmed = text.trim();
	const offset = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : new Duration(trimmed).offset;
	if (!Number.isFinite(offset) || offset <= 0) {
		return { ok: false, reason: `"${text}" is not a duration; write it like 30s, 10m, 1h30m or 2d.` };
	}
	const ms = Math.round(offset / 1000) * 1000;
	if (ms < MIN_DURATION_MS) return { ok: false, reason: 'A giveaway lasts at least 1 second.' };
	if (ms > MAX_DURATION_MS) return { ok: false, reason: 'A giveaway lasts at most 365 days.' };
	return { ok: true, ms };
}

export type StartResult = { ok: true; startsAt: number | null } | { ok: false; reason: string };

/**
 * When a giveaway starts: `starts-in` (a duration from now) or `starts-at` (a Discord timestamp `<t:1767225600>`, Unix
 * seconds, or an ISO date and time such as `2026-12-24 18:00`, read as UTC unless it names a zone). Neither: now (null).
 */
export function parseStart(startsIn: string | null, startsAt: string | null, now: number): StartResult {
	if (startsIn !== null && startsAt !== null) return { ok: false, reason: 'Give `starts-in` or `starts-at`, not both.' };
	if (startsIn !== null) {
		const parsed = parseDuration(startsIn);
		if (!parsed.ok) return { ok: false, reason: `\`starts-in\`: ${parsed.reason.replace('A giveaway lasts', 'it is')}` };
		return { ok: true, startsAt: now + parsed.ms };
	}
	if (startsAt === null) return { ok: true, startsAt: null };
	const text = startsAt.trim();
	const unix = /^<t:(-?\d+)(?::[tTdDfFR])?>$/.exec(text)?.[1] ?? /^\d{9,11}$/.exec(text)?.[0];
	const iso = /^\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}(?::\d{2})?$/.test(text) ? `${text.replace(' ', 'T')}Z` : text;
	const at = unix === undefined ? (/^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(iso) : Number.NaN) : Number(unix) * 1000;
	if (!Number.isFinite(at))
		return {
			ok: false,
			reason: `\`starts-at\`: "${startsAt}" is not a time; write a Discord timestamp (<t:1767225600>) or 2026-12-24 18:00 (UTC).`
		};
	if (at <= now) return { ok: false, reason: '`starts-at` is in the past.' };
	if (at - now > MAX_DURATION_MS) return { ok: false, reason: '`starts-at` is more than 365 days away.' };
	return { ok: true, startsAt: at };
}
