import type { Reason } from '../templates/reasons.js';

/**
 * Delays written by admins: "10m", "1h30m", "2d", "90s", or "0" for none. One or more <whole number><unit> parts,
 * units s, m, h, d, w (each at most once, largest first), bounded by MAX_DELAY_MS.
 */

const UNITS = { w: 7 * 86_400_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 } as const;
type Unit = keyof typeof UNITS;
const UNIT_ORDER = Object.keys(UNITS) as Unit[];

export const MAX_DELAY_MS = 7 * 86_400_000;
export const MAX_DELAY_TEXT = '7d';

export type DelayParse = { ok: true; ms: number } | { ok: false; reason: Reason };

const PART = /(\d{1,7})\s*([a-z])/gy;

export function parseDelay(input: string): DelayParse {
	const text = input.trim().toLowerCase();
	const invalid = (why: Reason): DelayParse => ({
		ok: false,
		reason: { key: 'autorole:delay.invalid', vars: { input, why, max: MAX_DELAY_TEXT } }
	});
	if (text === '' || text === '0') return { ok: true, ms: 0 };
	let ms = 0;
	let position = 0;
	let lastUnit = -1;
	PART.lastIndex = 0;
	for (let match = PART.exec(text); match; match = PART.exec(text)) {
		const unit = match[2]! as Unit;
		const order = UNIT_ORDER.indexOf(unit);
		if (order === -1) return invalid({ key: 'autorole:delay.unknownUnit', vars: { unit: match[2]! } });
		if (order <= lastUnit) return invalid({ key: 'autorole:delay.unitOrder', vars: {} });
		lastUnit = order;
		ms += Number(match[1]) * UNITS[unit];
		position = PART.lastIndex;
		while (text[position] === ' ') position++;
		PART.lastIndex = position;
	}
	if (position !== text.length)
		return invalid(
			position === 0 ? { key: 'autorole:delay.noNumber', vars: {} } : { key: 'autorole:delay.unexpected', vars: { rest: text.slice(position) } }
		);
	if (ms > MAX_DELAY_MS) return { ok: false, reason: { key: 'autorole:delay.tooLong', vars: { input: input.trim(), max: MAX_DELAY_TEXT } } };
	return { ok: true, ms };
}

/** The shortest way to write a delay in the parser's own syntax: 5400000 -> "1h30m"; 0 -> "none". */
export function formatDelay(ms: number): string {
	if (ms <= 0) return 'none';
	let rest = Math.round(ms / 1000) * 1000;
	let text = '';
	for (const unit of UNIT_ORDER) {
		const count = Math.floor(rest / UNITS[unit]);
		if (count > 0) text += `${count}${unit}`;
		rest -= count * UNITS[unit];
	}
	return text || '1s';
}
