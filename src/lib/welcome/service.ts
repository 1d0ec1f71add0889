import type { ILogger } from '@sapphire/framework';
import {
	PermissionFlagsBits,
	type Guild,
	type GuildBasedChannel,
	type GuildMember,
	type MessageCreateOptions,
	type PartialGuildMember,
	type User
} from 'discord.js';
import type { Storage } from '../../storage-adapters/types.js';
import { readGuildSettings, updateGuildSettings, type DeliveryProblem, type GreetingSettings } from '../guild-settings.js';
import type { JoinEvent } from '../invites/records.js';
import { total } from '../invites/records.js';
import type { InviteTracker } from '../invites/tracker.js';
import type { ScreeningHolds } from '../screening.js';
import { describeError } from '../secrets.js';
import { placeholderValues, renderTemplate, type TemplateFacts } from '../templates/placeholders.js';
import { fetchAvatar, renderCard } from './card.js';
import { buildGreetingMessage, GENERATED_BANNER, GREETING_LABEL, type GreetingKind } from './message.js';

/** How a greeting went: sent to the channel (and maybe by DM), not configured, or blocked by a problem. */
export type GreetingOutcome =
	| { status: 'sent'; channelId: string; dm: 'sent' | 'failed' | 'off' }
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
export function channelProblem(guild: Guild, channelId: string, settings: Pick<GreetingSettings, 'embed' | 'banner'>): string | null {
	const channel = guild.channels.cache.get(channelId);
	if (!channel) return `the channel ${channelId} no longer exists`;
	if (!channel.isTextBased() || channel.isVoiceBased()) return `#${channel.name} is not a text channel`;
	const { me } = guild.members;
	if (!me) return null;
	const missing = channel.permissionsFor(me).missing(permissionsNeeded(settings));
	return missing.length > 0 ? `the bot lacks ${missing.map(permissionName).join(', ')} in #${channel.name}` : null;
}

function permissionName(flag: string): string {
	return flag.replace(/([a-z])([A-Z])/g, '$1 $2');
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
		private readonly screening?: ScreeningHolds
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
		const facts = this.facts(member.guild, member.user, join);
		return this.deliver(member.guild, 'welcome', settings, facts, { member, dmTo: member.user, countMiss: !options.test });
	}

	/** A member left; {inviter} comes from their recorded join. */
	public async goodbye(member: GuildMember | PartialGuildMember, options: { test?: boolean } = {}): Promise<GreetingOutcome> {
		const settings = (await this.settings(member.guild.id)).goodbye;
		if (!settings) return { status: 'not-configured' };
		const history = await this.invites.history(member.guild.id, member.id).catch(() => undefined);
		const facts = this.facts(member.guild, member.user, history?.joins.at(-1) ?? null);
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
		const history = await this.invites.history(member.guild.id, member.id).catch(() => undefined);
		const facts = this.facts(member.guild, member.user, history?.joins.at(-1) ?? null);
		return this.compose(member.guild, kind, { ...settings, problem: null }, facts, member);
	}

	private async compose(
		guild: Guild,
		kind: GreetingKind,
		settings: GreetingSettings,
		facts: TemplateFacts,
		member: GuildMember | PartialGuildMember
	): Promise<{ message: MessageCreateOptions; card: Buffer | null }> {
		const values = placeholderValues(facts);
		const render = (template: string | null | undefined) =>
			template === null || template === undefined ? null : renderTemplate(template, values);
		const text = render(settings.template)!;
		const card = settings.banner === GENERATED_BANNER ? await this.card(kind, guild, member) : null;
		const extras = { title: render(settings.title), footer: render(settings.footer), content: render(settings.content) };
		return { message: buildGreetingMessage(kind, settings, text, card, kind === 'welcome' ? facts.userId : null, extras), card };
	}

	private facts(guild: Guild, user: User, join: Pick<JoinEvent, 'code' | 'inviterId'> | null): TemplateFacts {
		const inviterId = join?.inviterId ?? null;
		return {
			userId: user.id,
			username: user.username,
			serverName: guild.name,
			memberCount: guild.memberCount,
			inviterId,
			inviterTotal: inviterId ? total(this.invites.counts(guild.id, inviterId)) : null,
			inviteCode: join?.code ?? null,
			accountCreatedAt: user.createdTimestamp,
			now: Date.now()
		};
	}

	private async deliver(
		guild: Guild,
		kind: GreetingKind,
		settings: GreetingSettings,
		facts: TemplateFacts,
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
		try {
			await channel.send(message);
		} catch (error) {
			return {
				status: 'problem',
				problem: await this.recordProblem(
					guild,
					kind,
					settings,
					`sending to #${channel.name} failed: ${describeError(error)}`,
					target.countMiss
				)
			};
		}
		if (settings.problem) await this.clearProblem(guild, kind, settings);
		return { status: 'sent', channelId: settings.channelId, dm };
	}

	private async card(kind: GreetingKind, guild: Guild, member: GuildMember | PartialGuildMember): Promise<Buffer> {
		const avatar = await fetchAvatar(member.user.displayAvatarURL({ extension: 'png', size: 256 }));
		return renderCard({
			title: kind === 'welcome' ? 'WELCOME' : 'GOODBYE',
			name: member.displayName || member.user.username,
			subtitle: kind === 'welcome' ? `to ${guild.name}` : `left ${guild.name}`,
			footer: kind === 'welcome' ? `Member #${guild.memberCount}` : `${guild.memberCount} members now`,
			avatar
		});
	}

	/** Logged when the problem is new (not at every join); stored with the count of messages it cost. */
	private async recordProblem(
		guild: Guild,
		kind: GreetingKind,
		seen: GreetingSettings,
		message: string,
		countMiss: boolean
	): Promise<DeliveryProblem> {
		const now = Date.now();
		let recorded: DeliveryProblem = { message, since: now, lastAt: now, missed: countMiss ? 1 : 0 };
		let isNew = seen.problem?.message !== message;
		try {
			await updateGuildSettings(this.storage, guild.id, (current) => {
				const greeting = current[kind];
				// Reconfigured meanwhile: the problem belonged to the old settings.
				if (!greeting || greeting.channelId !== seen.channelId) return current;
				const previous = greeting.problem?.message === message ? greeting.problem : null;
				isNew = previous === null;
				recorded = { message, since: previous?.since ?? now, lastAt: now, missed: (previous?.missed ?? 0) + (countMiss ? 1 : 0) };
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
