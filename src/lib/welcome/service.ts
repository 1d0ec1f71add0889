import type { ILogger } from '@sapphire/framework';
import { fetchT } from '@sapphire/plugin-i18next';
import {
	PermissionFlagsBits,
	type MessageCreateOptions,
	type Guild,
	type GuildBasedChannel,
	type GuildMember,
	type PartialGuildMember,
	type User
} from 'discord.js';
import type { Storage } from '../../storage-adapters/types.js';
import { readGuildSettings, updateGuildSettings, type DeliveryProblem, type GreetingSettings } from '../guild-settings.js';
import type { JoinEvent, MemberRecord } from '../invites/records.js';
import { total } from '../invites/records.js';
import type { InviteTracker } from '../invites/tracker.js';
import type { ScreeningHolds } from '../screening.js';
import type { WelcomeCleanup } from './cleanup.js';
import { describeError } from '../secrets.js';
import { placeholderValues, renderTemplate, usesPlaceholder, type PlaceholderValues, type TemplateFacts } from '../templates/placeholders.js';
import { logText, type Reason } from '../templates/reasons.js';
import { drawGreetingCard, type GreetingCard } from './card-design.js';
import { buildGreetingMessage, GENERATED_BANNER, GREETING_LABEL, variantOf, type GreetingKind } from './message.js';

/** The placeholders' facts, and the text (the main one or a variant) they go into. */
export interface GreetingFacts extends TemplateFacts {
	template: string;
}

/** How a greeting went: sent to the channel (and maybe by DM), not configured, or blocked by a problem. */
export type GreetingOutcome =
	| { status: 'sent'; channelId: string; dm: 'sent' | 'failed' | 'off'; message: MessageCreateOptions }
	| { status: 'not-configured' }
	| { status: 'held-for-screening' }
	| { status: 'problem'; problem: DeliveryProblem };

export interface GreetingStatus {
	configured: boolean;
	channelId: string | null;
	dm: boolean;
	problem: DeliveryProblem | null;
}

/** The permissions a greeting needs in its channel: an embed needs Embed Links, a generated card Attach Files. */
export function permissionsNeeded(settings: Pick<GreetingSettings, 'embed' | 'banner'>): bigint {
	let needed = PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages;
	if (settings.embed) needed |= PermissionFlagsBits.EmbedLinks;
	if (settings.banner === GENERATED_BANNER) needed |= PermissionFlagsBits.AttachFiles;
	return needed;
}

/** Why the bot cannot post a greeting in this channel, or null; checked at setup and before every send. */
export function channelProblem(guild: Guild, channelId: string, settings: Pick<GreetingSettings, 'embed' | 'banner'>): Reason | null {
	const channel = guild.channels.cache.get(channelId);
	if (!channel) return { key: 'welcome:delivery.channelGone', vars: { channelId } };
	if (!channel.isTextBased() || channel.isVoiceBased()) return { key: 'welcome:delivery.notText', vars: { channel: channel.name } };
	const { me } = guild.members;
	if (!me) return null;
	const missing = channel.permissionsFor(me).missing(permissionsNeeded(settings));
	if (missing.length === 0) return null;
	const permissions = missing.map((flag) => ({ key: `welcome:permissions.${flag}`, vars: {} }));
	return { key: 'welcome:delivery.missingPermissions', vars: { permissions, channel: channel.name } };
}

/**
 * Welcome and goodbye messages. Settings are read from storage at each event (one small read), so a change made
 * through any shard or process applies at once. A channel that is gone or a missing permission is logged once,
 * recorded (with how many messages it cost) for /data-status, and no send is attempted until it is fixed: no
 * retries, no error spam.
 */
export class WelcomeService {
	public constructor(
		private readonly storage: Storage,
		private readonly invites: InviteTracker,
		private readonly logger: ILogger,
		private readonly screening?: ScreeningHolds,
		private readonly cleanup?: WelcomeCleanup
	) {}

	public async settings(guildId: string): Promise<Record<GreetingKind, GreetingSettings | null>> {
		const settings = await readGuildSettings(this.storage, guildId);
		return { welcome: settings.welcome ?? null, goodbye: settings.goodbye ?? null };
	}

	public async configure(guildId: string, kind: GreetingKind, settings: Omit<GreetingSettings, 'problem'>): Promise<GreetingSettings> {
		const updated = await updateGuildSettings(this.storage, guildId, (current) => ({ ...current, [kind]: { ...settings, problem: null } }));
		return updated[kind]!;
	}

	/** Turns a greeting off; false when it was not on. */
	public async disable(guildId: string, kind: GreetingKind): Promise<boolean> {
		let wasOn = false;
		await updateGuildSettings(this.storage, guildId, (current) => {
			wasOn = Boolean(current[kind]);
			return { ...current, [kind]: undefined };
		});
		return wasOn;
	}

	public async status(guildId: string): Promise<Record<GreetingKind, GreetingStatus>> {
		const settings = await this.settings(guildId);
		const of = (greeting: GreetingSettings | null): GreetingStatus => ({
			configured: greeting !== null,
			channelId: greeting?.channelId ?? null,
			dm: greeting?.dm ?? false,
			problem: greeting?.problem ?? null
		});
		return { welcome: of(settings.welcome), goodbye: of(settings.goodbye) };
	}

	/** A member joined and the invite tracker knows how (`join` is the join it recorded). */
	public async welcome(
		member: GuildMember,
		join: Pick<JoinEvent, 'code' | 'inviterId'> | null,
		options: { test?: boolean } = {}
	): Promise<GreetingOutcome> {
		const settings = (await this.settings(member.guild.id)).welcome;
		if (!settings) return { status: 'not-configured' };
		// By default a member still in rules screening is welcomed once they pass it (afterScreening: false welcomes at join).
		if (!options.test && member.pending && settings.afterScreening !== false && this.screening) {
			await this.screening.hold(member.guild.id, member.id, { welcome: { code: join?.code ?? null, inviterId: join?.inviterId ?? null } });
			return { status: 'held-for-screening' };
		}
		const history = await this.invites.history(member.guild.id, member.id).catch(() => undefined);
		const facts = await this.facts(member.guild, member.user, join, history, settings);
		return this.deliver(member.guild, 'welcome', settings, facts, { member, dmTo: member.user, countMiss: !options.test });
	}

	/** A member left; {inviter} comes from their recorded join. */
	public async goodbye(member: GuildMember | PartialGuildMember, options: { test?: boolean } = {}): Promise<GreetingOutcome> {
		const settings = (await this.settings(member.guild.id)).goodbye;
		if (!settings) return { status: 'not-configured' };
		const history = await this.invites.history(member.guild.id, member.id).catch(() => undefined);
		const facts = await this.facts(member.guild, member.user, history?.joins.at(-1) ?? null, history, settings);
		return this.deliver(member.guild, 'goodbye', settings, facts, { member, dmTo: null, countMiss: !options.test });
	}

	/**
	 * The message a greeting would send for `member`, with the card drawn, without sending it: the dashboard's
	 * preview of settings not saved yet. Same rendering as a real join (compose).
	 */
	public async preview(
		kind: GreetingKind,
		settings: Omit<GreetingSettings, 'problem'>,
		member: GuildMember
	): Promise<{ message: MessageCreateOptions; card: Buffer | null }> {
		const full = { ...settings, problem: null };
		const history = await this.invites.history(member.guild.id, member.id).catch(() => undefined);
		const facts = await this.facts(member.guild, member.user, history?.joins.at(-1) ?? null, history, full);
		return this.compose(member.guild, kind, full, facts, member);
	}

	/**
	 * What the placeholders are made of (also for /welcome-card preview), and which variant of the text this member
	 * gets (how they came); without settings there is no text.
	 */
	public async facts(
		guild: Guild,
		user: User,
		join: Pick<JoinEvent, 'code' | 'inviterId'> | null,
		history: MemberRecord | undefined,
		settings?: GreetingSettings
	): Promise<GreetingFacts> {
		const inviterId = join?.inviterId ?? null;
		const counts = inviterId ? this.invites.counts(guild.id, inviterId) : null;
		const how = history?.joins.at(-1)?.how ?? null;
		const template = settings ? (settings.variants?.[variantOf(how, user.bot)] ?? settings.template) : '';
		const code = join?.code ?? null;
		const fields = (settings?.fields ?? []).flatMap((field) => [field.name, field.value]);
		const templates = [template, settings?.title, settings?.footer, settings?.content, settings?.author?.name, ...fields];
		return {
			template,
			userId: user.id,
			username: user.username,
			serverName: guild.name,
			memberCount: guild.memberCount,
			inviterId,
			inviterTotal: counts ? total(counts) : null,
			inviteCode: code,
			accountCreatedAt: user.createdTimestamp,
			now: Date.now(),
			// Uses are Discord's to count: read only when a template shows them (one request).
			inviteUses: code !== null && usesPlaceholder(templates, 'inviteUses') ? await this.inviteUses(guild, code, how === 'vanity') : null,
			joinCount: history?.joins.length ?? 0,
			inviterCounts: counts
		};
	}

	/** The uses of an invite (or the vanity URL) now; null when Discord does not tell (no Manage Server, gone). */
	private async inviteUses(guild: Guild, code: string, vanity: boolean): Promise<number | null> {
		try {
			if (vanity) return (await guild.fetchVanityData()).uses;
			return (await guild.invites.fetch({ code, cache: false, force: true })).uses;
		} catch (error) {
			this.logger.debug(`Uses of invite ${code} in guild ${guild.id} not read: ${describeError(error)}`);
			return null;
		}
	}

	/** The message for these settings and facts: the admin's text as written, values and card in the server's language. */
	private async compose(
		guild: Guild,
		kind: GreetingKind,
		settings: GreetingSettings,
		facts: GreetingFacts,
		member: GuildMember | PartialGuildMember
	): Promise<{ message: MessageCreateOptions; card: Buffer | null }> {
		const t = await fetchT(guild);
		const values = placeholderValues(facts, t);
		const render = (template: string | null | undefined) =>
			template === null || template === undefined ? null : renderTemplate(template, values);
		const text = render(facts.template)!;
		const card = settings.banner === GENERATED_BANNER ? await this.card(kind, guild, member, values) : null;
		const extras = {
			title: render(settings.title),
			footer: render(settings.footer),
			content: render(settings.content),
			author: render(settings.author?.name),
			fields: settings.fields?.map((field) => ({ ...field, name: render(field.name)!, value: render(field.value)! })),
			avatarUrl: member.user.displayAvatarURL({ extension: 'png', size: 256 }),
			cardDescription: card?.alt
		};
		const message = buildGreetingMessage(kind, settings, text, card?.png ?? null, kind === 'welcome' ? facts.userId : null, extras);
		return { message, card: card?.png ?? null };
	}

	private async deliver(
		guild: Guild,
		kind: GreetingKind,
		settings: GreetingSettings,
		facts: GreetingFacts,
		target: { member: GuildMember | PartialGuildMember; dmTo: User | null; countMiss: boolean }
	): Promise<GreetingOutcome> {
		const blocked = channelProblem(guild, settings.channelId, settings);
		const wantsDm = kind === 'welcome' && settings.dm && target.dmTo !== null && !target.dmTo.bot;
		if (blocked && !wantsDm) return { status: 'problem', problem: await this.recordProblem(guild, kind, settings, blocked, target.countMiss) };

		const { message } = await this.compose(guild, kind, settings, facts, target.member);

		let dm: 'sent' | 'failed' | 'off' = 'off';
		if (wantsDm) {
			dm = await target
				.dmTo!.send(message)
				.then(() => 'sent' as const)
				// Closed DMs are the member's choice, not a setup problem: noted at debug level only.
				.catch((error: unknown) => (this.logger.debug(`Welcome DM to ${facts.userId} not sent: ${describeError(error)}`), 'failed' as const));
		}
		if (blocked) return { status: 'problem', problem: await this.recordProblem(guild, kind, settings, blocked, target.countMiss) };

		const channel = guild.channels.cache.get(settings.channelId) as GuildBasedChannel & { send: (options: typeof message) => Promise<unknown> };
		let sent: { id: string };
		try {
			sent = (await channel.send(message)) as { id: string };
		} catch (error) {
			const failed = { key: 'welcome:delivery.sendFailed', vars: { channel: channel.name, error: describeError(error) } };
			return { status: 'problem', problem: await this.recordProblem(guild, kind, settings, failed, target.countMiss) };
		}
		if (settings.problem) await this.clearProblem(guild, kind, settings);
		if (kind === 'welcome' && (settings.deleteIfLeftWithinMs || settings.deleteAfterMs)) {
			const now = Date.now();
			await this.cleanup?.sent({
				guildId: guild.id,
				memberId: facts.userId,
				channelId: settings.channelId,
				messageId: sent.id,
				leaveUntil: settings.deleteIfLeftWithinMs ? now + settings.deleteIfLeftWithinMs : null,
				deleteAt: settings.deleteAfterMs ? now + settings.deleteAfterMs : null
			});
		}
		return { status: 'sent', channelId: settings.channelId, dm, message };
	}

	private async card(kind: GreetingKind, guild: Guild, member: GuildMember | PartialGuildMember, values: PlaceholderValues): Promise<GreetingCard> {
		return drawGreetingCard(this.storage, await fetchT(guild), kind, guild, member, values);
	}

	/** Logged when the problem is new (not at every join); stored with the count of messages it cost. */
	private async recordProblem(
		guild: Guild,
		kind: GreetingKind,
		seen: GreetingSettings,
		reason: Reason,
		countMiss: boolean
	): Promise<DeliveryProblem> {
		const now = Date.now();
		const message = logText(reason);
		let recorded: DeliveryProblem = { message, reason, since: now, lastAt: now, missed: countMiss ? 1 : 0 };
		let isNew = seen.problem?.message !== message;
		try {
			await updateGuildSettings(this.storage, guild.id, (current) => {
				const greeting = current[kind];
				// Reconfigured meanwhile: the problem belonged to the old settings.
				if (!greeting || greeting.channelId !== seen.channelId) return current;
				const previous = greeting.problem?.message === message ? greeting.problem : null;
				isNew = previous === null;
				recorded = { message, reason, since: previous?.since ?? now, lastAt: now, missed: (previous?.missed ?? 0) + (countMiss ? 1 : 0) };
				return { ...current, [kind]: { ...greeting, problem: recorded } };
			});
		} catch (error) {
			this.logger.error(`${GREETING_LABEL[kind]} problem in guild ${guild.id} could not be recorded: ${describeError(error)}`);
		}
		if (isNew)
			this.logger.warn(
				`${GREETING_LABEL[kind]} messages in guild ${guild.id} (${guild.name}) are not being sent: ${message}. Fix it, then run /welcome-test.`
			);
		return recorded;
	}

	private async clearProblem(guild: Guild, kind: GreetingKind, seen: GreetingSettings): Promise<void> {
		await updateGuildSettings(this.storage, guild.id, (current) => {
			const greeting = current[kind];
			if (!greeting || greeting.channelId !== seen.channelId) return current;
			return { ...current, [kind]: { ...greeting, problem: null } };
		});
		this.logger.info(`${GREETING_LABEL[kind]} messages in guild ${guild.id} are being sent again (#${seen.channelId}).`);
	}
}
