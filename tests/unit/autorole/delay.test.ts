import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDelay, MAX_DELAY_MS, parseDelay } from '../../../src/lib/autorole/delay.js';
import { explain } from '../../../src/lib/templates/reasons.js';
import { languageT } from '../../helpers/i18n.js';

describe('parseDelay', () => {
	it.each([
		['0', 0],
		['', 0],
		['30s', 30_000],
		['10m', 600_000],
		['1h30m', 5_400_000],
		['1h 30m', 5_400_000],
		['2D', 2 * 86_400_000],
		['1w', 7 * 86_400_000],
		['6d23h59m59s', 7 * 86_400_000 - 1000]
	])('reads %j as %d ms', (input, ms) => {
		expect(parseDelay(input)).toEqual({ ok: true, ms });
	});

	it.each([
		['10', /expected a number followed by a unit/],
		['ten minutes', /expected a number followed by a unit/],
		['10x', /unknown unit "x"/],
		['10min', /unexpected "in"/],
		['30m1h', /largest to smallest/],
		['1m1m', /largest to smallest/],
		['-5m', /expected a number/],
		['8d', /8d is too long: delays go up to 7d/],
		['1w1s', /1w1s is too long/]
	])('refuses %j with a reason', (input, reason) => {
		const parsed = parseDelay(input);
		expect(parsed.ok).toBe(false);
		if (!parsed.ok) expect(explain(languageT(), parsed.reason)).toMatch(reason);
	});

	it('formats what it parses back to the same delay', () => {
		fc.assert(
			fc.property(fc.integer({ min: 1, max: MAX_DELAY_MS / 1000 }), (seconds) => {
				const text = formatDelay(seconds * 1000);
				expect(parseDelay(text)).toEqual({ ok: true, ms: seconds * 1000 });
			})
		);
		expect(formatDelay(0)).toBe('none');
		expect(formatDelay(5_400_000)).toBe('1h30m');
	});
});
