import { container } from '@sapphire/framework';
import { fetchLanguage } from '@sapphire/plugin-i18next';
import { roleMention, userMention, type Client } from 'discord.js';
import { z } from 'zod';
import type { Storage } from '../../storage-adapters/types.js';
import type { InviteChannelDelivery } from './delivery.js';
import { inviterKey } from './records.js';
import { INVITE_NAMESPACES, type InviteConfig, type InviteTracker } from './tracker.js';

/** At most this many configured numbers (rank roles add theirs). */
export const MAX_MILESTONE_NUMBERS = 25;
export const MAX_MILESTONE = 1_000_000;
/** Discord's limit for message content (discord-api-docs, resources/message.mdx, Create Message: content up to 2000 characters). */
const CONTENT_LIMIT = 2000;
const MENTION_LENGTH = '<@&18446744073709551615>'.length;

/** The placeholders of a milestone template and the longest text each becomes. */
export const MILESTONE_PLACEHOLDERS = {
	inviter: MENTION_LENGTH,
	inviterName: 32,
	total: 9,
	milestone: 9,
	role: 25 * MENTION_LENGTH,
	server: 100
} as const;
type MilestonePlaceholder = keyof typeof MILESTONE_PLACEHOLDERS;

const PLACEHOLDER_PATTERN = /\{([A-Za-z_]\w*)\}/g;
const isPlaceholder = (name: string): name is MilestonePlaceholder => Object.hasOwn(MILESTONE_PLACEHOLDERS, name);

/** Why a template is refused: the key of the refusal in the `invites` namespace and its variables. */
export type MilestoneTemplateCheck =
	| { ok: true }
	| {
			ok: false;
			key: 'invites:milestoneTemplateEmpty' | 'invites:milestoneTemplateUnknown' | 'invites:milestoneTemplateTooLong';
			vars: Record<string, string | number>;
	  };

/** Refuses an empty template, unknown placeholders, and one that could pass Discord's limit once filled in. */
export function checkMilestoneTemplate(template: string): MilestoneTemplateCheck {
	if (template.trim().length === 0) return { ok: false, key: 'invites:milestoneTemplateEmpty', vars: {} };
	const unknown = [...new Set([...template.matchAll(PLACEHOLDER_PATTERN)].map((match) => match[1]!).filter((name) => !isPlaceholder(name)))];
	if (unknown.length > 0)
		return {
			ok: false,
			key: 'invites:milestoneTemplateUnknown',
			vars: {
				names: unknown.map((name) => `{${name}}`).join(', '),
				valid: Object.keys(MILESTONE_PLACEHOLDERS)
					.map((name) => `{${name}}`)
					.join(' ')
			}
		};
	const longest = template.replace(PLACEHOLDER_PATTERN, (_whole, name: MilestonePlaceholder) => 'x'.repeat(MILESTONE_PLACEHOLDERS[name])).length;
	if (longest > CONTENT_LIMIT) return { ok: false, key: 'invites:milestoneTemplateTooLong', vars: { length: longest, limit: CONTENT_LIMIT } };
	return { ok: true };
}

export function renderMilestone(template: string, values: Record<MilestonePlaceholder, string>): string {
	return template.replace(PLACEHOLDER_PATTERN, (whole, name: string) =>
		isPlaceholder(name) ? values[name].slice(0, MILESTONE_PLACEHOLDERS[name]) : whole
	);
}

const numbersSchema = z
	.array(z.coerce.number().int().min(1).max(MAX_MILESTONE))
	.max(MAX_MILESTONE_NUMBERS)
	.transform((numbers) => [...new Set(numbers)].sort((a, b) => a - b));

/** "10, 25 50" → [10, 25, 50]; "none" (or nothing) → []. A refusal names what is wrong, as a key of `invites`. */
export function parseMilestoneNumbers(text: string): { ok: true; numbers: number[] } | { ok: false; key: 'invites:milestoneNumbersInvalid' } {
	const trimmed = text.trim();
	if (trimmed === '' || trimmed.toLowerCase() === 'none') return { ok: true, numbers: [] };
	const words = trimmed.split(/[\s,;]+/).filter((word) => word.length > 0);
	// Digits only: coerce would read "1e3", "0x10" or " " as numbers nobody typed.
	if (!words.every((word) => /^\d{1,7}$/.test(word))) return { ok: false, key: 'invites:milestoneNumbersInvalid' };
	const parsed = numbersSchema.safeParse(words);
	return parsed.success ? { ok: true, numbers: parsed.data } : { ok: false, key: 'invites:milestoneNumbersInvalid' };
}

/** Every total that is a milestone: the configured numbers and the rank roles' totals. */
export function milestoneTotals(config: InviteConfig): number[] {
	return [...new Set([...(config.milestones?.numbers ?? []), ...config.rankRoles.map((rank) => rank.total)])].sort((a, b) => a - b);
}

/** `invite-milestones` namespace, key `<guildId>:<inviterId>`: the milestones announced since `at`. */
export interface MilestoneMarks {
	announced: number[];
	at: number;
}

/**
 * Milestone announcements. Each milestone of an inviter is announced once: it is marked (one atomic write) before the
 * message goes out, so neither a restart nor a total that drops and rises again announces it twice; a crash between
 * the mark and the send loses that one message (at most once, like the join log). A reset of the inviter's counts
 * (or the guild's) re-arms them: reaching a milestone again after a reset is a new achievement. When a total passes
 * several milestones at once (a bonus), only the highest is announced, and a milestone added below a total already
 * passed is never announced for it.
 */
export class MilestoneAnnouncer {
	public constructor(
		private readonly client: Client,
		private readonly storage: Storage,
		private readonly tracker: InviteTracker,
		private readonly delivery: InviteChannelDelivery
	) {}

	public async totalChanged(guildId: string, inviterId: string, total: number, config: InviteConfig): Promise<void> {
		const settings = config.milestones;
		if (!settings) return;
		const reached = milestoneTotals(config).filter((milestone) => milestone <= total);
		if (reached.length === 0) return;
		const resetAt = this.tracker.index(guildId).resetAtFor(inviterId);
		// Only the highest milestone reached is ever announced: one added below a total already passed is marked silently.
		const milestone = Math.max(...reached);
		let announce = false;
		await this.storage.update<MilestoneMarks>(INVITE_NAMESPACES.milestones, inviterKey(guildId, inviterId), (current) => {
			const announced = current && current.at > resetAt ? current.announced : [];
			const fresh = reached.filter((reachedMilestone) => !announced.includes(reachedMilestone));
			if (fresh.length === 0) return current;
			announce = fresh.includes(milestone);
			return { announced: [...announced, ...fresh].sort((a, b) => a - b), at: Date.now() };
		});
		if (!announce) return;
		const guild = this.client.guilds.cache.get(guildId);
		if (!guild) return;
		const roles = config.rankRoles.filter((rank) => rank.total === milestone).map((rank) => roleMention(rank.roleId));
		const user = this.client.users.cache.get(inviterId);
		const values = {
			inviter: userMention(inviterId),
			inviterName: user?.username ?? inviterId,
			total: String(total),
			milestone: String(milestone),
			role: roles.join(' '),
			server: guild.name
		};
		let content: string;
		if (settings.template) content = renderMilestone(settings.template, values);
		else {
			// The default text, in the guild's language with its plurals.
			const t = container.i18n.getT(await fetchLanguage(guild));
			const vars = { inviter: values.inviter, count: milestone, total, role: values.role };
			content = roles.length > 0 ? t('invites:milestoneReachedRole', vars) : t('invites:milestoneReached', vars);
		}
		await this.delivery.send(guild, 'milestones', { content, allowedMentions: { users: [inviterId] } });
	}
}
