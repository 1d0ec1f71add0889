import type { Client } from 'discord.js';
import type { Storage, StorageLogger } from '../../storage-adapters/types.js';
import { InviteChannelDelivery } from './delivery.js';
import { JoinLog } from './join-log.js';
import { MilestoneAnnouncer } from './milestones.js';
import { rankRulesChanged, RankRoleSync } from './rank-roles.js';
import { total } from './records.js';
import type { InviteTracker } from './tracker.js';

/**
 * What follows a tracker's counts: rank roles, milestone announcements and the join log, with their channel delivery.
 * Owned like a service: `stop` (after the tracker has written its queued joins, before storage closes) waits for the
 * queued lines, roles and milestone marks and takes nothing new; a restore stops the old one before the new tracker
 * starts, so old queues never post into the restored data.
 */
export class InviteAnnouncements {
	public readonly milestones: MilestoneAnnouncer;
	private readonly rankRoles: RankRoleSync;
	private readonly joinLog: JoinLog;
	private stopped = false;

	public constructor(client: Client, storage: Storage, tracker: InviteTracker, logger: StorageLogger) {
		const delivery = new InviteChannelDelivery(tracker, logger);
		this.milestones = new MilestoneAnnouncer(client, storage, tracker, delivery);
		// Milestones follow the rank roles of the same total, in the same per-inviter sequence.
		this.rankRoles = new RankRoleSync(
			client,
			(guildId, inviterId) => ({ total: total(tracker.counts(guildId, inviterId)), config: tracker.config(guildId) }),
			logger,
			(guildId, inviterId, inviterTotal, config) => this.milestones.totalChanged(guildId, inviterId, inviterTotal, config)
		);
		this.joinLog = new JoinLog(client, tracker, delivery, logger);
		tracker.onTotalChanged = (guildId, inviterId) => {
			if (!this.stopped) this.rankRoles.schedule(guildId, inviterId);
		};
		tracker.onConfigChanged = async (guildId, before, after) => {
			if (this.stopped) return;
			// Marks first: the rank-role runs below then find every milestone already passed marked, and announce none.
			await this.milestones.configChanged(guildId, before, after);
			// A rank role added, a mode or rule changed: every inviter gets the roles of their total now, not at their next join.
			if (rankRulesChanged(before, after))
				for (const inviterId of tracker.index(guildId).invitersWithCounts()) this.rankRoles.schedule(guildId, inviterId);
		};
		tracker.onRecorded = (change) => {
			if (!this.stopped) this.joinLog.recorded(change);
		};
	}

	public async stop(): Promise<void> {
		this.stopped = true;
		await this.rankRoles.idle();
		await this.joinLog.idle();
	}
}
