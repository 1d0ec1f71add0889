import { logText } from '../templates/reasons.js';
import type { Guild, GuildTextBasedChannel, MessageCreateOptions } from 'discord.js';
import type { StorageLogger } from '../../storage-adapters/types.js';
import type { DeliveryProblem } from '../guild-settings.js';
import { describeError } from '../secrets.js';
import { channelProblem } from '../welcome/service.js';
import type { InviteConfig, InviteTracker } from './tracker.js';

/** The invite features that post to a channel of their own. */
export type InviteChannelFeature = 'joinLog' | 'milestones';

const LABEL: Record<InviteChannelFeature, string> = { joinLog: 'Join log', milestones: 'Milestone' };

/**
 * Posts a join log line or a milestone to its channel, the way welcome messages are delivered: a channel that is gone
 * or a missing permission is logged once, stored with the count of messages it cost (shown by /invite-config show) and
 * cleared by the next send that works. Nothing here throws: the invite tracker must never stop for a channel.
 */
export class InviteChannelDelivery {
	public constructor(
		private readonly tracker: InviteTracker,
		private readonly logger: StorageLogger
	) {}

	/** True when the message was posted. */
	public async send(guild: Guild, feature: InviteChannelFeature, message: MessageCreateOptions): Promise<boolean> {
		const settings = this.tracker.config(guild.id)[feature];
		if (!settings) return false;
		const blocked = channelProblem(guild, settings.channelId, { embed: false, banner: null });
		if (blocked) return (void (await this.recordProblem(guild, feature, settings.channelId, logText(blocked))), false);
		const channel = guild.channels.cache.get(settings.channelId) as GuildTextBasedChannel;
		try {
			// Nobody is pinged unless the message says whom (a milestone pings its inviter).
			await channel.send({ ...message, allowedMentions: message.allowedMentions ?? { parse: [] } });
		} catch (error) {
			await this.recordProblem(guild, feature, settings.channelId, `sending to #${channel.name} failed: ${describeError(error)}`);
			return false;
		}
		if (settings.problem) {
			await this.update(guild.id, feature, settings.channelId, () => null);
			this.logger.info(`${LABEL[feature]} messages in guild ${guild.id} are being sent again (#${settings.channelId}).`);
		}
		return true;
	}

	private async recordProblem(guild: Guild, feature: InviteChannelFeature, channelId: string, message: string): Promise<void> {
		const now = Date.now();
		let isNew = true;
		await this.update(guild.id, feature, channelId, (previous) => {
			const same = previous?.message === message ? previous : null;
			isNew = same === null;
			return { message, since: same?.since ?? now, lastAt: now, missed: (same?.missed ?? 0) + 1 };
		});
		if (isNew)
			this.logger.warn(
				`${LABEL[feature]} messages in guild ${guild.id} (${guild.name}) are not being sent: ${message}. Fix it, then check /invite-config show.`
			);
	}

	/** Changes the stored problem of the feature, unless it was set to another channel (or off) meanwhile. */
	private async update(
		guildId: string,
		feature: InviteChannelFeature,
		channelId: string,
		change: (problem: DeliveryProblem | null) => DeliveryProblem | null
	): Promise<void> {
		try {
			await this.tracker.updateConfig(guildId, (config): InviteConfig => {
				const settings = config[feature];
				if (!settings || settings.channelId !== channelId) return config;
				return { ...config, [feature]: { ...settings, problem: change(settings.problem) } };
			});
		} catch (error) {
			this.logger.error(`${LABEL[feature]} problem in guild ${guildId} could not be recorded: ${describeError(error)}`);
		}
	}
}
