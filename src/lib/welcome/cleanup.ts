import type { ILogger } from '@sapphire/framework';
import { DiscordAPIError, RESTJSONErrorCodes, type Client } from 'discord.js';
import type { Storage } from '../../storage-adapters/types.js';
import { DueScheduler, systemClock, type SchedulerClock } from '../autorole/pending-grants.js';
import { describeError } from '../secrets.js';

/** Welcome messages that may still be deleted, key `<guildId>:<memberId>:<messageId>`, value a SentWelcome. */
export const WELCOME_MESSAGES_NAMESPACE = 'welcome-messages';

export interface SentWelcome {
	guildId: string;
	memberId: string;
	channelId: string;
	messageId: string;
	/** The member leaving until then deletes the welcome (a raid account); null: not asked for. */
	leaveUntil: number | null;
	/** The welcome is deleted then, whatever happens; null: not asked for. */
	deleteAt: number | null;
}

interface Due extends SentWelcome {
	dueAt: number;
}

const keyOf = (sent: Pick<SentWelcome, 'guildId' | 'memberId' | 'messageId'>) => `${sent.guildId}:${sent.memberId}:${sent.messageId}`;

/** The next thing to do about a welcome: delete it (deleteAt), or forget it once leaving no longer deletes it. */
function dueAt(sent: SentWelcome): number {
	return Math.min(sent.deleteAt ?? Number.POSITIVE_INFINITY, sent.leaveUntil ?? Number.POSITIVE_INFINITY);
}

/**
 * Deletes welcomes when asked: when the member leaves within a window after joining, and after a set time. Each
 * welcome that may be deleted is stored with its times before anything waits, so a restart or a crash loses none:
 * `start` schedules them again and deletes overdue ones at once. One timer waits for the nearest (DueScheduler).
 */
export class WelcomeCleanup {
	private readonly scheduler: DueScheduler<Due>;

	public constructor(
		private readonly storage: Storage,
		private readonly client: Client,
		private readonly logger: ILogger,
		private readonly clock: SchedulerClock = systemClock
	) {
		this.scheduler = new DueScheduler<Due>((due) => this.handleDue(due), keyOf, clock);
	}

	/** Loads the stored welcomes; called once the client is ready, so channels are known. */
	public async start(): Promise<number> {
		this.scheduler.remove(() => true);
		const stored = await this.storage.entries<SentWelcome>(WELCOME_MESSAGES_NAMESPACE);
		for (const [, sent] of stored) this.scheduler.add({ ...sent, dueAt: dueAt(sent) });
		if (stored.length > 0) this.logger.info(`Welcome cleanup: ${stored.length} welcome message${stored.length === 1 ? '' : 's'} watched`);
		return stored.length;
	}

	public stop(): void {
		this.scheduler.stop();
	}

	public pending(guildId?: string): SentWelcome[] {
		return this.scheduler.pending(guildId);
	}

	/** A welcome was posted: stored first, then waited for. */
	public async sent(welcome: SentWelcome): Promise<void> {
		if (welcome.leaveUntil === null && welcome.deleteAt === null) return;
		await this.storage.namespace<SentWelcome>(WELCOME_MESSAGES_NAMESPACE).set(keyOf(welcome), welcome);
		this.scheduler.add({ ...welcome, dueAt: dueAt(welcome) });
	}

	/** The member left: their welcomes whose leave window is still open are deleted. */
	public async memberLeft(guildId: string, memberId: string, at = this.clock.now()): Promise<number> {
		const raided = this.scheduler.remove(
			(due) => due.guildId === guildId && due.memberId === memberId && due.leaveUntil !== null && at <= due.leaveUntil
		);
		for (const sent of raided) await this.deleteWelcome(sent);
		return raided.length;
	}

	private async handleDue(due: Due): Promise<void> {
		const { dueAt: _dueAt, ...sent } = due;
		if (sent.deleteAt !== null && sent.deleteAt <= this.clock.now()) return this.deleteWelcome(sent);
		// The leave window closed; an auto-delete may still come.
		if (sent.deleteAt !== null) {
			const later = { ...sent, leaveUntil: null };
			await this.storage.namespace<SentWelcome>(WELCOME_MESSAGES_NAMESPACE).set(keyOf(later), later);
			this.scheduler.add({ ...later, dueAt: dueAt(later) });
			return;
		}
		await this.storage.namespace<SentWelcome>(WELCOME_MESSAGES_NAMESPACE).delete(keyOf(sent));
	}

	/** Deletes the message (one already gone is fine) and forgets it; a failure is logged, never retried in a loop. */
	private async deleteWelcome(sent: SentWelcome): Promise<void> {
		const channel = this.client.channels.cache.get(sent.channelId);
		try {
			if (channel?.isTextBased()) await channel.messages.delete(sent.messageId);
		} catch (error) {
			if (!(error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.UnknownMessage))
				this.logger.warn(`Welcome ${sent.messageId} in guild ${sent.guildId} could not be deleted: ${describeError(error)}`);
		}
		await this.storage.namespace<SentWelcome>(WELCOME_MESSAGES_NAMESPACE).delete(keyOf(sent));
	}
}
