import { container } from '@sapphire/framework';
import { fetchLanguage } from '@sapphire/plugin-i18next';
import { roleMention, userMention, type Client } from 'discord.js';
import { z } from 'zod';
import type { Storage } from '../../storage-adapters/types.js';
import type { InviteChannelDelivery } from './delivery.js';
import { inviterKey, total as totalOf } from './records.js';
import { refusal } from '../interaction-reply.js';
import { INVITE_NAMESPACES, type InviteConfig, type InviteTracker, type MilestoneSettings } from './tracker.js';

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

/**
 * /invite-config milestones: a channel turns announcements on (or moves them), a template alone changes the text and
 * keeps the current channel (refused while they are off: there is no channel to keep), and neither turns them off.
 * The numbers are kept in every case but off.
 */
export function changeMilestoneSettings(
	current: MilestoneSettings | null,
	channelId: string | null,
	template: string | null
): MilestoneSettings | null {
	if (channelId === null && template === null) return null;
	if (channelId === null && !current) throw refusal('invites:milestonesOff');
	return {
		channelId: channelId ?? current!.channelId,
		template: template ?? current?.template ?? null,
		numbers: current?.numbers ?? [],
		// A problem belongs to the channel: choosing one (again) starts without it, as /invite-config log-channel does.
		problem: channelId === null ? (current?.problem ?? null) : null
	};
}

/** Every total that is a milestone: the configured numbers and the rank roles' totals. */
export function milestoneTotals(config: InviteConfig): number[] {
	return [...new Set([...(config.milestones?.numbers ?? []), ...config.rankRoles.map((rank) => rank.total)])].sort((a, b) => a - b);
}

/** `invite-milestones` namespace, key `<guildId>:<inviterId>`: the milestones announced since `at`, and the last total seen. */
export interface MilestoneMarks {
	announced: number[];
	at: number;
	/** Absent in marks written before it existed: those count as seen at the current total (nothing announced). */
	total?: number;
}

/**
 * Milestone announcements. A milestone is announced only when a count increase carries the inviter's total across it
 * (from below to at or above): never on a drop, never for totals passed before milestones were turned on, and never
 * for a number or rank role added below a total already passed (those are marked as announced when the config
 * changes, see `configChanged`). Each milestone of an inviter is announced once: it is marked (one atomic write)
 * before the message goes out, so neither a restart nor a total that drops and rises again announces it twice; a crash
 * between the mark and the send loses that one message (at most once, like the join log). A reset of the inviter's
 * counts (or the guild's) re-arms them: reaching a milestone again after a reset is a new achievement. When a total
 * passes several milestones at once (a bonus), only the highest is announced.
 */
export class MilestoneAnnouncer {
	public constructor(
		private readonly client: Client,
		private readonly storage: Storage,
		private readonly tracker: InviteTracker,
		private readonly delivery: InviteChannelDelivery
	) {}

	/**
	 * When milestones are turned on or their totals change, every milestone an inviter has already passed is marked as
	 * announced, without posting: the announcement is for reaching it, which happened before.
	 */
	public async configChanged(guildId: string, before: InviteConfig, after: InviteConfig): Promise<void> {
		if (!after.milestones) return;
		const totals = milestoneTotals(after);
		const unchanged = before.milestones !== null && milestoneTotals(before).join() === totals.join();
		if (unchanged) return;
		const index = this.tracker.index(guildId);
		for (const inviterId of index.invitersWithCounts()) {
			const current = totalOf(index.countsOf(inviterId));
			await this.mark(guildId, inviterId, (announced) => ({
				announced: [...new Set([...announced, ...totals.filter((milestone) => milestone <= current)])].sort((a, b) => a - b),
				total: current
			}));
		}
	}

	public async totalChanged(guildId: string, inviterId: string, total: number, config: InviteConfig): Promise<void> {
		const settings = config.milestones;
		if (!settings) return;
		const totals = milestoneTotals(config);
		let milestone = 0;
		await this.mark(guildId, inviterId, (announced, previous) => {
			// Crossed upward since the last total seen; only the highest of them is announced, all are marked.
			const crossed = totals.filter((candidate) => candidate > (previous ?? total) && candidate <= total && !announced.includes(candidate));
			if (crossed.length > 0) milestone = Math.max(...crossed);
			return { announced: [...announced, ...crossed].sort((a, b) => a - b), total };
		});
		if (milestone === 0) return;
		await this.announce(guildId, inviterId, total, milestone, config, settings.template);
	}

	/** One atomic write of an inviter's marks; marks from before the last reset are void (announced none, total 0). */
	private async mark(
		guildId: string,
		inviterId: string,
		change: (announced: number[], previous: number | undefined) => { announced: number[]; total: number }
	): Promise<void> {
		const resetAt = this.tracker.index(guildId).resetAtFor(inviterId);
		await this.storage.update<MilestoneMarks>(INVITE_NAMESPACES.milestones, inviterKey(guildId, inviterId), (current) => {
			const valid = current && current.at > resetAt ? current : undefined;
			// No marks: the inviter had no total when milestones were turned on (configChanged marked all others).
			const previous = valid ? valid.total : 0;
			const next = change(valid?.announced ?? [], previous);
			if (valid && next.total === valid.total && next.announced.length === valid.announced.length) return current;
			return { ...next, at: Date.now() };
		});
	}

	private async announce(guildId: string, inviterId: string, total: number, milestone: number, config: InviteConfig, template: string | null) {
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
		if (template) content = renderMilestone(template, values);
		else {
			// The default text, in the guild's language with its plurals.
			const t = container.i18n.getT(await fetchLanguage(guild));
			const vars = { inviter: values.inviter, count: milestone, total, role: values.role };
			content = roles.length > 0 ? t('invites:milestoneReachedRole', vars) : t('invites:milestoneReached', vars);
		}
		await this.delivery.send(guild, 'milestones', { content, allowedMentions: { users: [inviterId] } });
	}
}
