import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	checkTemplate,
	EMBED_DESCRIPTION_LIMIT,
	formatAccountAge,
	longestRendering,
	MESSAGE_CONTENT_LIMIT,
	PLACEHOLDER_LIST,
	PLACEHOLDERS,
	placeholderValues,
	renderTemplate,
	type TemplateFacts
} from '../../../src/lib/templates/placeholders.js';
import { explain } from '../../../src/lib/templates/reasons.js';
import { buildGreetingMessage, greetingProblem, normalizeBanner } from '../../../src/lib/welcome/message.js';
import { LANGUAGES } from '../../../src/lib/i18n/languages.js';
import { languageT } from '../../helpers/i18n.js';

const t = languageT();
/** A refusal's text in English, or null when there is none. */
const problemOf = (input: Parameters<typeof greetingProblem>[0]) => {
	const reason = greetingProblem(input);
	return reason && explain(t, reason);
};
const reasonOf = (check: ReturnType<typeof checkTemplate>) => (check.ok ? null : explain(t, check.reason));

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 5, 1);
const facts: TemplateFacts = {
	userId: '111',
	username: 'bob',
	serverName: 'Cool Server',
	memberCount: 42,
	inviterId: '222',
	inviterTotal: 7,
	inviteCode: 'abc',
	accountCreatedAt: NOW - 400 * DAY,
	now: NOW,
	inviteUses: 12,
	joinCount: 2,
	inviterCounts: { regular: 9, left: 1, fake: 1 }
};

describe('templates', () => {
	it('fills every placeholder', () => {
		const template = PLACEHOLDERS.map((placeholder) => `{${placeholder.name}}`).join('|');
		expect(renderTemplate(template, placeholderValues(facts, t))).toBe(
			'<@111>|bob|Cool Server|42|<@222>|7|abc|1 year, 1 month|12|https://discord.gg/abc|2|42nd|9|1|1|April 27, 2024'
		);
	});

	it('writes ordinals, numbers and dates the way each language does', () => {
		const ordinal = (language: Parameters<typeof languageT>[0], memberCount: number) =>
			renderTemplate('{memberCount:ordinal}', placeholderValues({ ...facts, memberCount }, languageT(language)));
		expect([1, 2, 3, 4, 11, 12, 13, 21, 42, 101, 1234].map((count) => ordinal('en-US', count))).toEqual([
			'1st',
			'2nd',
			'3rd',
			'4th',
			'11th',
			'12th',
			'13th',
			'21st',
			'42nd',
			'101st',
			'1,234th'
		]);
		expect([ordinal('de', 42), ordinal('de', 1234)]).toEqual(['42.', '1.234.']);
		expect([ordinal('fr', 1), ordinal('fr', 42)]).toEqual(['1er', '42e']);
		expect([ordinal('es-ES', 42), ordinal('pt-BR', 42)]).toEqual(['42.º', '42º']);
		const german = placeholderValues({ ...facts, memberCount: 1234 }, languageT('de'));
		expect(renderTemplate('{memberCount} {accountCreated} {accountAge}', german)).toBe('1.234 27. April 2024 1 Jahr, 1 Monat');
	});

	it('reads "unknown" when the inviter is not known', () => {
		const values = placeholderValues(
			{ ...facts, inviterId: null, inviterTotal: null, inviteCode: null, inviteUses: null, inviterCounts: null },
			t
		);
		expect(renderTemplate('{inviter} {inviterCount} {inviteCode} {inviteURL} {inviteUses} {inviterRegular}', values)).toBe(
			'unknown 0 unknown unknown unknown 0'
		);
	});

	it('leaves braces that are not placeholders alone', () => {
		expect(checkTemplate('Hi {user} { } {:} {} {{user}}', MESSAGE_CONTENT_LIMIT).ok).toBe(true);
		expect(renderTemplate('{ } {:} {{user}}', placeholderValues(facts, t))).toBe('{ } {:} {<@111>}');
	});

	it('refuses unknown placeholders, naming them and listing the valid ones', () => {
		const check = checkTemplate('Hi {user}, welcome to {guild} by {inviter_name}{guild}', MESSAGE_CONTENT_LIMIT);
		expect(check.ok).toBe(false);
		expect(reasonOf(check)).toContain('Unknown placeholders {guild}, {inviter_name}.');
		expect(reasonOf(check)).not.toContain('{guild}, {guild}');
		expect(reasonOf(check)).toContain(PLACEHOLDER_LIST);
		// Placeholders are case-sensitive, like the list says.
		expect(checkTemplate('{User}', MESSAGE_CONTENT_LIMIT)).toMatchObject({ ok: false });
	});

	it('refuses an empty template', () => {
		expect(reasonOf(checkTemplate('   ', MESSAGE_CONTENT_LIMIT))).toBe('The message is empty.');
	});

	it('bounds the rendered length by the limit of where the text goes, at setup', () => {
		expect(checkTemplate('x'.repeat(2000), MESSAGE_CONTENT_LIMIT).ok).toBe(true);
		expect(checkTemplate('x'.repeat(2001), MESSAGE_CONTENT_LIMIT)).toMatchObject({ ok: false });
		expect(checkTemplate('x'.repeat(4096), EMBED_DESCRIPTION_LIMIT).ok).toBe(true);
		// 1990 characters plus {server} (up to 100) can exceed 2000 once filled in.
		const check = checkTemplate(`${'x'.repeat(1990)}{server}`, MESSAGE_CONTENT_LIMIT);
		expect(check).toMatchObject({ ok: false });
		expect(reasonOf(check)).toMatch(/up to 2,090 characters.*Discord allows 2,000.*Shorten it by 90/);
	});

	it('never renders past the length accepted at setup', () => {
		const piece = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom(...PLACEHOLDERS.map((placeholder) => `{${placeholder.name}}`)));
		const longFacts = fc.record({
			userId: fc.stringMatching(/^\d{17,20}$/),
			username: fc.string({ minLength: 1, maxLength: 32 }),
			serverName: fc.string({ minLength: 1, maxLength: 100 }),
			memberCount: fc.integer({ min: 1, max: 999_999_999 }),
			inviterId: fc.option(fc.stringMatching(/^\d{17,20}$/)),
			inviterTotal: fc.option(fc.integer({ min: -99_999_999, max: 999_999_999 })),
			inviteCode: fc.option(fc.string({ maxLength: 32 })),
			accountCreatedAt: fc.integer({ min: 0, max: NOW }),
			now: fc.constant(NOW),
			inviteUses: fc.option(fc.integer({ min: 0, max: 999_999_999 })),
			joinCount: fc.integer({ min: 0, max: 999_999_999 }),
			inviterCounts: fc.option(
				fc.record({
					regular: fc.integer({ min: 0, max: 999_999_999 }),
					left: fc.integer({ min: 0, max: 999_999_999 }),
					fake: fc.integer({ min: 0, max: 999_999_999 })
				})
			)
		});
		const language = fc.constantFrom(...LANGUAGES);
		fc.assert(
			fc.property(fc.array(piece, { maxLength: 30 }), longFacts, language, (pieces, sample, lng) => {
				const template = pieces.join('');
				const values = placeholderValues(sample, languageT(lng));
				expect(renderTemplate(template, values).length).toBeLessThanOrEqual(longestRendering(template));
				// The bounds are true ones, in every language: no value is cut.
				for (const placeholder of PLACEHOLDERS)
					expect(values[placeholder.name].length, `${lng} {${placeholder.name}}`).toBeLessThanOrEqual(placeholder.maxLength);
			})
		);
	});

	it('writes account ages with their two largest units', () => {
		expect(formatAccountAge(t, 30_000)).toBe('less than a minute');
		expect(formatAccountAge(t, 5 * 60_000)).toBe('5 minutes');
		expect(formatAccountAge(t, 3600_000 + 60_000)).toBe('1 hour, 1 minute');
		expect(formatAccountAge(t, 3 * DAY + 4 * 3600_000)).toBe('3 days, 4 hours');
		expect(formatAccountAge(t, 2 * 365 * DAY + 95 * DAY)).toBe('2 years, 3 months');
		expect(formatAccountAge(t, 364 * DAY)).toBe('12 months, 4 days');
		expect(formatAccountAge(t, 365 * DAY + 362 * DAY)).toBe('1 year, 11 months');
		expect(formatAccountAge(t, -5)).toBe('less than a minute');
	});
});

describe('greeting setup checks', () => {
	it('accepts generated, none, and http(s) image URLs as banners', () => {
		expect(normalizeBanner(' Generated ')).toBe('generated');
		expect(normalizeBanner('none')).toBeNull();
		expect(normalizeBanner(null)).toBeNull();
		expect(greetingProblem({ template: 'Hi {user}', banner: 'https://example.com/banner.png', embed: true })).toBeNull();
		expect(problemOf({ template: 'Hi {user}', banner: 'ftp://example.com/banner.png', embed: true })).toMatch(
			/must be `generated` or an image URL/
		);
		expect(problemOf({ template: 'Hi {user}', banner: 'banner.png', embed: false })).toMatch(/image URL/);
	});

	it('counts an image URL sent under the text against the content limit', () => {
		const url = `https://example.com/${'a'.repeat(80)}.png`;
		expect(problemOf({ template: 'x'.repeat(1950), banner: url, embed: false })).toMatch(/Discord allows 2,000/);
		expect(greetingProblem({ template: 'x'.repeat(1950), banner: url, embed: true })).toBeNull();
		expect(problemOf({ template: 'x'.repeat(3000), banner: null, embed: false })).toMatch(/Discord allows 2,000/);
		expect(greetingProblem({ template: 'x'.repeat(3000), banner: null, embed: true })).toBeNull();
	});

	it('builds the message: the card attached, only the new member pinged', () => {
		const card = Buffer.from('png');
		const plain = buildGreetingMessage('welcome', { banner: 'generated', embed: false }, 'Hi <@1> from <@2>', card, '1');
		expect(plain.content).toBe('Hi <@1> from <@2>');
		expect(plain.allowedMentions).toEqual({ parse: [], users: ['1'] });
		expect(plain.files).toHaveLength(1);
		const embedded = buildGreetingMessage('goodbye', { banner: 'generated', embed: true }, 'Bye', card, null);
		expect(embedded.content).toBeUndefined();
		expect((embedded.embeds![0] as any).toJSON()).toMatchObject({ description: 'Bye', image: { url: 'attachment://goodbye.png' } });
		expect(embedded.allowedMentions).toEqual({ parse: [], users: [] });
		const linked = buildGreetingMessage('welcome', { banner: 'https://x.test/b.png', embed: false }, 'Hi', null, '1');
		expect(linked.content).toBe('Hi\nhttps://x.test/b.png');
		expect(linked.files).toEqual([]);
	});
});
