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
