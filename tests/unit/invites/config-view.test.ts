import { EmbedBuilder } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { fitList } from '../../../src/lib/embed-fields.js';
import { LANGUAGES } from '../../../src/lib/i18n/languages.js';
import { milestonesFieldValue } from '../../../src/lib/invites/config-view.js';
import { describeLeaderboardSettings } from '../../../src/lib/invites/leaderboard-settings.js';
import { languageT } from '../../helpers/i18n.js';

/** Snowflakes at their longest (19 digits). */
const ids = (first: number) => Array.from({ length: 25 }, (_, index) => String(1_000_000_000_000_000_000n + BigInt(first + index)));

/** Review of issue 19, P1.2 / P1.3: /invite-config show stays within Discord's 1024 characters per field value. */
describe('/invite-config show fields', () => {
	it.each(LANGUAGES)('25 excluded members and 25 excluded roles fit, the rest counted (%s)', (language) => {
		const t = languageT(language);
		const fields = describeLeaderboardSettings(t, { hideLeft: true, excludedMembers: ids(0), excludedRoles: ids(100) });
		// discord.js checks the Embed Limits (discord-api-docs, resources/message.mdx) and throws on a longer value.
		expect(() => new EmbedBuilder().addFields(fields)).not.toThrow();
		const excluded = fields[1]!.value;
		expect(excluded.length).toBeLessThanOrEqual(1024);
		expect(excluded).toMatch(/^<@1000000000000000000>, /);
		const shown = excluded.split(', ').length - 1;
		expect(excluded.endsWith(t('common:andMore', { count: 50 - shown }))).toBe(true);
	});

	it.each(LANGUAGES)('the milestones field fits with a 2000-character template, 25 numbers and a delivery problem (%s)', (language) => {
		const t = languageT(language);
		const value = milestonesFieldValue(t, {
			channelId: '1000000000000000001',
			template: `{inviter} ${'x'.repeat(1990)}`,
			numbers: Array.from({ length: 25 }, (_, index) => 1_000_000 - index),
			problem: { since: Date.now(), lastAt: Date.now(), missed: 1234, message: 'y'.repeat(500) }
		});
		expect(() => new EmbedBuilder().addFields({ name: 'Milestones', value })).not.toThrow();
		expect(value).toContain('999976');
		expect(value).toContain('{inviter} xxx');
	});

	it('fitList keeps whole items and counts the rest', () => {
		const more = (count: number) => `+${count}`;
		expect(fitList(['aa', 'bb', 'cc'], ', ', more, 100)).toBe('aa, bb, cc');
		expect(fitList(['aa', 'bb', 'cc'], ', ', more, 9)).toBe('aa, +2');
		expect(fitList(['aaaaaaaaaa'], ', ', more, 5)).toBe('+1');
	});
});
