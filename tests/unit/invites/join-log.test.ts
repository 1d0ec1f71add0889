import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../../src/lib/i18n/languages.js';
import { joinLogLine } from '../../../src/lib/invites/join-log.js';
import { languageT } from '../../helpers/i18n.js';

const id = (n: number) => String(1_000_000_000_000_000_000n + BigInt(n));

/** Review of issue 19, P1.4: a burst with many possible inviters still gives a line Discord accepts. */
describe('join log line', () => {
	it.each(LANGUAGES)('a 100-candidate burst names 10, counts the other 90 and stays within 2000 characters (%s)', (language) => {
		const t = languageT(language);
		const candidates = Array.from({ length: 100 }, (_, index) => id(index));
		const line = joinLogLine(
			t,
			{
				kind: 'join',
				guildId: id(999),
				memberId: id(500),
				caughtUp: true,
				record: {
					present: true,
					leaves: [],
					joins: [{ at: Date.now(), how: 'burst', code: null, inviterId: null, candidates, maybeNone: true }],
					credit: { inviterId: id(0), at: Date.now(), fake: true, fakeReasons: ['young-account', 'no-avatar'], left: false, burst: true }
				}
			},
			'x'.repeat(32)
		);
		expect(line.length).toBeLessThanOrEqual(2000);
		expect(line).toContain(`<@${id(9)}>`);
		expect(line).not.toContain(`<@${id(10)}>`);
		expect(line).toContain(t('common:andMore', { count: 90 }));
	});
});
