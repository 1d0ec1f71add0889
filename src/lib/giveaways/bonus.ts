import { roleMention } from 'discord.js';
import { text, type Text } from '../i18n/text.js';
import { optionReason } from './duration.js';
import type { MemberFacts } from './requirements.js';

/** One bonus: members with the role (or boosting the server, `roleId: null`) have `entries` entries instead of one. */
export interface BonusRule {
	roleId: string | null;
	entries: number;
}

/**
 * Bonus entries of a giveaway. `stack`: each bonus a member has adds its extra entries (x2 and x3 make 1 + 1 + 2 = 4).
 * `highest`: only the largest counts (x2 and x3 make 3).
 */
export interface BonusEntries {
	rules: BonusRule[];
	mode: 'stack' | 'highest';
}

export const NO_BONUS: BonusEntries = Object.freeze({ rules: [], mode: 'stack' }) as BonusEntries;

/** At most this many entries per bonus, and this many bonuses: the draw's cost grows with the largest possible weight. */
export const MAX_BONUS_ENTRIES = 100;
export const MAX_BONUS_RULES = 10;

const holds = (rule: BonusRule, member: Pick<MemberFacts, 'roleIds' | 'boosting'>) =>
	rule.roleId === null ? member.boosting : member.roleIds.includes(rule.roleId);

/** How many entries a member has: 1, or more with bonuses. */
export function entriesOf(bonus: BonusEntries, member: Pick<MemberFacts, 'roleIds' | 'boosting'>): number {
	const held = bonus.rules.filter((rule) => holds(rule, member)).map((rule) => rule.entries);
	if (held.length === 0) return 1;
	return bonus.mode === 'highest' ? Math.max(1, ...held) : 1 + held.reduce((sum, entries) => sum + entries - 1, 0);
}

/** The most entries anyone can have: the bound the draw's acceptance step compares against. */
export function maxEntries(bonus: BonusEntries): number {
	return entriesOf(bonus, { roleIds: bonus.rules.flatMap((rule) => (rule.roleId ? [rule.roleId] : [])), boosting: true });
}

/** The line on the giveaway message; null without bonuses. Boosters are named in the language (`boosters`). */
export function bonusLine(bonus: BonusEntries, boosters: string): Text | null {
	if (bonus.rules.length === 0) return null;
	const rules = bonus.rules.map((rule) => `${rule.roleId === null ? boosters : roleMention(rule.roleId)} ×${rule.entries}`).join(', ');
	const key = bonus.rules.length === 1 ? 'giveaways:bonusLine' : bonus.mode === 'stack' ? 'giveaways:bonusLineStack' : 'giveaways:bonusLineHighest';
	return text(key, { rules });
}

/**
 * Bonus rules as typed: `@Booster x2, @VIP x3`, `<role id>:2`, or `boosters x2` for whoever boosts the server. A
 * refusal names what is wrong.
 */
export function parseBonus(input: string | null, mode: 'stack' | 'highest' | null): { ok: true; bonus: BonusEntries } | { ok: false; reason: Text } {
	if (input === null || input.trim() === '') return { ok: true, bonus: { rules: [], mode: mode ?? 'stack' } };
	const refuse = (reason: Text) => ({ ok: false as const, reason: optionReason('bonus-roles', reason) });
	const rules: BonusRule[] = [];
	for (const item of input
		.split(/[,;]+/)
		.map((part) => part.trim())
		.filter((part) => part !== '')) {
		const match = /^(?:<@&(\d{17,20})>|(\d{17,20})|(boosters?))\s*(?:[x×*:]\s*)(\d+)$/i.exec(item);
		if (!match) return refuse(text('giveaways:notBonus', { item }));
		const entries = Number(match[4]);
		if (entries < 2 || entries > MAX_BONUS_ENTRIES) return refuse(text('giveaways:bonusRange', { item, max: MAX_BONUS_ENTRIES }));
		const roleId = match[3] ? null : (match[1] ?? match[2])!;
		if (rules.some((rule) => rule.roleId === roleId))
			return refuse(roleId === null ? text('giveaways:boostersTwice') : text('giveaways:bonusTwice', { role: roleMention(roleId) }));
		rules.push({ roleId, entries });
	}
	if (rules.length > MAX_BONUS_RULES) return refuse(text('giveaways:bonusTooMany', { max: MAX_BONUS_RULES }));
	return { ok: true, bonus: { rules, mode: mode ?? 'stack' } };
}
