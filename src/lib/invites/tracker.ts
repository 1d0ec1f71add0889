import type { BackupInfo, Storage, StorageLogger } from '../../storage-adapters/types.js';
import { retryThroughOutage } from '../outage-retry.js';
import { UNKNOWN, decide, useIncreases, type Attribution, type InviteSnapshot } from './attribution.js';
import { GuildInviteIndex, type LeaderboardRow } from './index-state.js';
import {
	inviterKey,
	memberKey,
	isRejoinAfterMissedLeave,
	recordJoin,
	recordLeave,
	splitKey,
	total,
	type InviteCounts,
	type InviterRecord,
	type MemberRecord
} from './records.js';

export const INVITE_NAMESPACES = {
	counts: 'invites',
	history: 'join-history',
	config: 'invite-config',
	snapshot: 'invite-snapshot'
} as const;

export interface RankRole {
	total: number;
	roleId: string;
}

/** `invite-config` namespace, key `<guildId>`. */
export interface InviteConfig {
	/** Accounts younger than this many days count as fake invites; 0 turns the rule off. */
	fakeAccountDays: number;
	rankRoles: RankRole[];
	/** Take rank roles away again when a member's total falls below them (including after a reset). */
	removeRankRolesBelow: boolean;
	/** Credits given before this time were reset. */
	resetAt: number;
	/** Members without an avatar count as fake invites (Supreme-BOT2's requireAvatar); off unless turned on. */
	fakeWithoutAvatar: boolean;
}

export const DEFAULT_INVITE_CONFIG: InviteConfig = Object.freeze({ fakeAccountDays: 7, rankRoles: [], removeRankRolesBelow: true, resetAt: 0, fakeWithoutAvatar: false });

export interface StoredSnapshot extends InviteSnapshot {
	fetchedAt: number;
}

/** Where invite states come from (Discord, through discord.js); `reason` says why they could not be read. */
export type FetchResult = { ok: true; snapshot: InviteSnapshot } | { ok: false; reason: string };

/** A member as the guild's member list shows them. */
export interface ListedMember {
	memberId: string;
	joinedAt: number;
	bot: boolean;
	accountCreatedAt: number;
	/** False for a member without an avatar of their own (the "fake without avatar" rule); unknown when left out. */
	hasAvatar?: boolean;
}

export interface InviteSource {
	fetch(guildId: string): Promise<FetchResult>;
	/**
	 * Members who joined after `since` (ms since epoch), oldest first: the joins made while the bot was away.
	 * Sources that cannot list members (tools that run offline) leave it out.
	 */
	membersJoinedSince?(guildId: string, since: number): Promise<ListedMember[]>;
}

export interface JoinInput {
	guildId: string;
	memberId: string;
	bot: boolean;
	/** When the member's account was created (ms since epoch), for the fake-account rule. */
	accountCreatedAt: number;
	/** False for a member without an avatar of their own (the "fake without avatar" rule); unknown when left out. */
	hasAvatar?: boolean;
	/** When Discord says the member joined (ms since epoch), if known. */
	joinedAt?: number | undefined;
	at?: number;
}

/** Told when an inviter's total changed, so rank roles can follow. */
export type TotalChangedHandler = (guildId: string, inviterId: string, total: number, config: InviteConfig) => void;

const DAY = 24 * 60 * 60 * 1000;
/** How long joins may wait for the events behind a surplus of invite uses before they are recorded as unknown. */
const MAX_WAIT_MS = 3000;
const MAX_GATHER_MS = 250;

/**
 * Invite tracking: attribution of joins (one queue per guild, one invite fetch for every join that queued while the
 * previous fetch ran), the per-member records, and the counts derived from them.
 */
export class InviteTracker {
	private readonly guilds = new Map<string, GuildInviteIndex>();
	private readonly queues = new Map<string, GuildJoinQueue>();
	private readonly configs = new Map<string, InviteConfig>();
	/** Guilds whose invites cannot be read, and why (shown by /data-status). */
	public readonly unavailable = new Map<string, string>();
	public invitesFetched = 0;
	public onTotalChanged: TotalChangedHandler | null = null;
	/** Told of joins found at start (made while the bot was away), which had no join event of their own. */
	public onCaughtUpJoin: ((guildId: string, memberId: string, record: MemberRecord) => void) | null = null;

	private constructor(
		private readonly storage: Storage,
		private readonly source: InviteSource,
		private readonly logger: StorageLogger
	) {}

	/** Loads every guild's records into memory; counts are derived from them from here on. */
	public static async load(storage: Storage, source: InviteSource, logger: StorageLogger): Promise<InviteTracker> {
		const tracker = new InviteTracker(storage, source, logger);
		for (const [guildId, config] of await storage.entries<InviteConfig>(INVITE_NAMESPACES.config)) {
			tracker.configs.set(guildId, { ...DEFAULT_INVITE_CONFIG, ...config });
		}
		// Read as streams: the history holds a record per member ever tracked, and only each one's credit is kept.
		for await (const [key, record] of storage.iterate<InviterRecord>(INVITE_NAMESPACES.counts)) {
			const [guildId, inviterId] = splitKey(key);
			tracker.index(guildId).setInviter(inviterId, record);
		}
		for await (const [key, record] of storage.iterate<MemberRecord>(INVITE_NAMESPACES.history)) {
			const [guildId, memberId] = splitKey(key);
			tracker.index(guildId).setCredit(memberId, record.credit);
		}
		return tracker;
	}

	public config(guildId: string): InviteConfig {
		return this.configs.get(guildId) ?? DEFAULT_INVITE_CONFIG;
	}

	public async updateConfig(guildId: string, change: (config: InviteConfig) => InviteConfig): Promise<InviteConfig> {
		const updated = await this.storage.update<InviteConfig>(INVITE_NAMESPACES.config, guildId, (current) => change({ ...DEFAULT_INVITE_CONFIG, ...current }));
		const config = { ...DEFAULT_INVITE_CONFIG, ...updated };
		this.configs.set(guildId, config);
		this.index(guildId).setGuildResetAt(config.resetAt);
		return config;
	}

	public counts(guildId: string, userId: string): InviteCounts {
		return this.index(guildId).countsOf(userId);
	}

	public leaderboard(guildId: string): LeaderboardRow[] {
		return this.index(guildId).leaderboard();
	}

	public history(guildId: string, memberId: string): Promise<MemberRecord | undefined> {
		return this.storage.namespace<MemberRecord>(INVITE_NAMESPACES.history).get(memberKey(guildId, memberId));
	}

	public trackedMembers(guildId: string): number {
		return this.index(guildId).memberCount;
	}

	/** Takes a fresh baseline of a guild's invites (on ready and when the bot joins a guild). */
	public refresh(guildId: string): Promise<void> {
		return this.queue(guildId).refresh();
	}

	/** A new invite starts at its current uses, so a join through it right away is seen as a rise. */
	public noteInviteCreated(guildId: string, invite: { code: string; inviterId: string | null; uses: number; maxUses: number }): void {
		this.queue(guildId).noteInvite(invite);
	}

	/** Records a join once it is attributed; resolves with the member's record (undefined if it was a repeat). */
	public async join(input: JoinInput): Promise<MemberRecord | undefined> {
		const at = input.at ?? Date.now();
		// A bot added through OAuth uses no invite: nothing to fetch.
		if (input.bot) return this.recordAttributedJoin(input, at, { how: 'bot', code: null, inviterId: null });
		// A repeated event (a replay after a reconnect) used no invite either; queued, it would blur the count of the
		// real joins around it.
		const record = await retryThroughOutage(describeJoin(input), () => this.history(input.guildId, input.memberId), this.logger);
		if (record?.present && !isRejoinAfterMissedLeave(record, input.joinedAt)) return undefined;
		return this.queue(input.guildId).enqueue(input, at);
	}

	public async leave(guildId: string, memberId: string, at = Date.now()): Promise<MemberRecord | undefined> {
		let changed: MemberRecord | undefined;
		const update = () =>
			this.storage.update<MemberRecord>(INVITE_NAMESPACES.history, memberKey(guildId, memberId), (record) => {
				changed = recordLeave(record, at);
				return changed ?? record;
			});
		await retryThroughOutage(`Leave of member ${memberId} in guild ${guildId}`, update, this.logger);
		if (changed) this.creditChanged(guildId, memberId, changed);
		return changed;
	}

	public async addBonus(guildId: string, inviterId: string, amount: number): Promise<InviteCounts> {
		const guildResetAt = this.config(guildId).resetAt;
		const record = await this.storage.update<InviterRecord>(INVITE_NAMESPACES.counts, inviterKey(guildId, inviterId), (current) => ({
			bonus: (current && current.updatedAt > guildResetAt ? current.bonus : 0) + amount,
			resetAt: current?.resetAt ?? 0,
			updatedAt: Date.now(),
			...(current?.imported ? { imported: current.imported } : {})
		}));
		this.index(guildId).setInviter(inviterId, record ?? null);
		this.notifyTotal(guildId, inviterId);
		return this.counts(guildId, inviterId);
	}

	/**
	 * Clears a guild's counts (or one inviter's) after a backup: credits and bonuses given until now stop counting.
	 * It is one durable write (the guild's or the inviter's reset time), so it is never half done and stays done
	 * across restarts.
	 */
	public async reset(guildId: string, inviterId?: string): Promise<{ affected: number; backup: BackupInfo }> {
		const affected = this.index(guildId).invitersWithCounts(inviterId);
		const backup = await this.storage.backup(inviterId ? 'before-reset-user' : 'before-reset');
		const resetAt = Date.now();
		if (inviterId) {
			const record: InviterRecord = { bonus: 0, resetAt, updatedAt: resetAt };
			await this.storage.namespace<InviterRecord>(INVITE_NAMESPACES.counts).set(inviterKey(guildId, inviterId), record);
			this.index(guildId).setInviter(inviterId, record);
		} else {
			await this.updateConfig(guildId, (config) => ({ ...config, resetAt }));
		}
		for (const id of affected) this.notifyTotal(guildId, id);
		return { affected: affected.length, backup };
	}

	/** Used by the join queue once it knows how a member came. */
	public async recordAttributedJoin(input: JoinInput, at: number, attribution: Attribution): Promise<MemberRecord | undefined> {
		const { guildId, memberId } = input;
		const config = this.config(guildId);
		const index = this.index(guildId);
		let changed: MemberRecord | undefined;
		const update = () =>
			this.storage.update<MemberRecord>(INVITE_NAMESPACES.history, memberKey(guildId, memberId), (record) => {
				changed = recordJoin(record, {
					at,
					attribution,
					memberId,
					youngAccount: (config.fakeAccountDays > 0 && at - input.accountCreatedAt < config.fakeAccountDays * DAY) || (config.fakeWithoutAvatar && input.hasAvatar === false),
					resetAtFor: (inviterId) => index.resetAtFor(inviterId),
					joinedAt: input.joinedAt
				});
				return changed ?? record;
			});
		// Joins and leaves happen once: during an outage they wait for the storage instead of being lost.
		await retryThroughOutage(describeJoin(input), update, this.logger);
		if (changed) this.creditChanged(guildId, memberId, changed);
		return changed;
	}

	public async storeSnapshot(guildId: string, snapshot: InviteSnapshot): Promise<void> {
		const stored: StoredSnapshot = { ...snapshot, fetchedAt: Date.now() };
		const snapshots = this.storage.namespace<StoredSnapshot>(INVITE_NAMESPACES.snapshot);
		await retryThroughOutage(`Invite snapshot of guild ${guildId}`, () => snapshots.set(guildId, stored), this.logger);
	}

	public loadSnapshot(guildId: string): Promise<StoredSnapshot | undefined> {
		const snapshots = this.storage.namespace<StoredSnapshot>(INVITE_NAMESPACES.snapshot);
		return retryThroughOutage(`Invite snapshot of guild ${guildId}`, () => snapshots.get(guildId), this.logger);
	}

	public async fetchInvites(guildId: string): Promise<FetchResult> {
		this.invitesFetched++;
		const result = await this.source.fetch(guildId);
		if (result.ok) {
			if (this.unavailable.delete(guildId)) this.logger.info(`Invites of guild ${guildId} are readable again`);
		} else if (this.unavailable.get(guildId) !== result.reason) {
			this.unavailable.set(guildId, result.reason);
			this.logger.warn(`Cannot read the invites of guild ${guildId}: ${result.reason}; joins there are recorded as "unknown"`);
		}
		return result;
	}

	public async membersJoinedSince(guildId: string, since: number): Promise<ListedMember[]> {
		try {
			return (await this.source.membersJoinedSince?.(guildId, since)) ?? [];
		} catch (error) {
			this.logger.warn(`Members of guild ${guildId} who joined while the bot was away could not be listed: ${(error as Error).message}`);
			return [];
		}
	}

	public get log(): StorageLogger {
		return this.logger;
	}

	private creditChanged(guildId: string, memberId: string, record: MemberRecord): void {
		const index = this.index(guildId);
		index.setCredit(memberId, record.credit);
		if (record.credit) this.notifyTotal(guildId, record.credit.inviterId);
	}

	private notifyTotal(guildId: string, inviterId: string): void {
		this.onTotalChanged?.(guildId, inviterId, total(this.counts(guildId, inviterId)), this.config(guildId));
	}

	private index(guildId: string): GuildInviteIndex {
		let index = this.guilds.get(guildId);
		if (!index) {
			index = new GuildInviteIndex(this.configs.get(guildId)?.resetAt ?? 0);
			this.guilds.set(guildId, index);
		}
		return index;
	}

	private queue(guildId: string): GuildJoinQueue {
		let queue = this.queues.get(guildId);
		if (!queue) {
			queue = new GuildJoinQueue(guildId, this);
			this.queues.set(guildId, queue);
		}
		return queue;
	}
}

interface QueuedJoin {
	input: JoinInput;
	at: number;
	resolve: (record: MemberRecord | undefined) => void;
	reject: (error: unknown) => void;
}

const describeJoin = (input: JoinInput) => `Join of member ${input.memberId} in guild ${input.guildId}`;

/** Joins of one guild, attributed in arrival order; one fetch serves every join that queued meanwhile. */
class GuildJoinQueue {
	private pending: QueuedJoin[] = [];
	private running: Promise<void> | null = null;
	private snapshot: InviteSnapshot | null = null;
	private baselineRequested = false;
	private wake: (() => void) | null = null;
	private lastFetchMs = 0;
	/** A fetch failed: what the snapshot says about the uses since then can no longer be trusted. */
	private baselineLost = false;
	/** Recent time between join events (a moving average), against which the fetch time is weighed. */
	private joinSpacingMs = Number.POSITIVE_INFINITY;
	private lastJoinAt = 0;

	public constructor(
		private readonly guildId: string,
		private readonly tracker: InviteTracker
	) {}

	public enqueue(input: JoinInput, at: number): Promise<MemberRecord | undefined> {
		const now = Date.now();
		if (this.lastJoinAt > 0) {
			const spacing = now - this.lastJoinAt;
			this.joinSpacingMs = Number.isFinite(this.joinSpacingMs) ? 0.8 * this.joinSpacingMs + 0.2 * spacing : spacing;
		}
		this.lastJoinAt = now;
		return new Promise((resolve, reject) => {
			this.pending.push({ input, at, resolve, reject });
			this.wake?.();
			this.start();
		});
	}

	public refresh(): Promise<void> {
		this.baselineRequested = true;
		this.wake?.();
		return this.start();
	}

	public noteInvite(invite: { code: string; inviterId: string | null; uses: number; maxUses: number }): void {
		if (this.snapshot && !(invite.code in this.snapshot.invites)) {
			const { code, inviterId, uses, maxUses } = invite;
			this.snapshot = { ...this.snapshot, invites: { ...this.snapshot.invites, [code]: { code, inviterId, uses, maxUses } } };
		}
	}

	private start(): Promise<void> {
		this.running ??= this.run().finally(() => {
			this.running = null;
			// Work that arrived as the loop was finishing.
			if (this.pending.length > 0 || this.baselineRequested) void this.start();
		});
		return this.running;
	}

	private async run(): Promise<void> {
		let waitingSince: number | null = null;
		// Fetches taken while waiting for the joins behind a surplus; they order the uses in time.
		let timeline: InviteSnapshot[] = [];
		while (this.baselineRequested || this.pending.length > 0) {
			if (this.baselineRequested) {
				this.baselineRequested = false;
				await this.takeBaseline();
				continue;
			}
			// Every join counted here had its invite use recorded by Discord before its event reached us, so the fetch
			// below sees all of them; joins arriving during the fetch wait for the next one.
			const joins = this.pending.length;
			const fetchStarted = Date.now();
			const result = await this.tracker.fetchInvites(this.guildId);
			this.lastFetchMs = Date.now() - fetchStarted;
			if (!result.ok) {
				// The uses behind these joins will show in the next fetch with nobody to credit: compared with the old
				// snapshot they would be credited to later joins, so the next successful fetch becomes the baseline.
				this.baselineLost = true;
				waitingSince = null;
				timeline = [];
				await this.settle(this.pending.splice(0, joins), () => UNKNOWN);
				continue;
			}
			if (this.baselineLost) this.snapshot = null;
			else this.snapshot ??= (await this.tracker.loadSnapshot(this.guildId)) ?? null;
			this.baselineLost = false;
			if (!this.snapshot) {
				// Nothing to compare with: these joins cannot be attributed, but the next ones can.
				this.snapshot = result.snapshot;
				await this.tracker.storeSnapshot(this.guildId, this.snapshot);
				await this.settle(this.pending.splice(0, joins), () => UNKNOWN);
				continue;
			}
			const canWait = waitingSince === null || Date.now() - waitingSince < MAX_WAIT_MS;
			const decision = decide(this.snapshot, timeline, result.snapshot, joins, canWait);
			if (decision.wait) {
				timeline.push(result.snapshot);
				waitingSince ??= Date.now();
				await this.waitForJoin(Math.max(0, MAX_WAIT_MS - (Date.now() - waitingSince)));
				// Joins arriving faster than a fetch takes cannot be told apart by fetching after each of them (every
				// fetch would see the next join's use too): then gather for as long as a fetch takes, so fetches stay
				// far fewer than joins however fast they come.
				if (this.lastFetchMs > this.joinSpacingMs) await new Promise((resolve) => setTimeout(resolve, Math.min(this.lastFetchMs, MAX_GATHER_MS)));
				continue;
			}
			waitingSince = null;
			timeline = [];
			this.snapshot = decision.snapshot;
			await this.tracker.storeSnapshot(this.guildId, this.snapshot);
			await this.settle(this.pending.splice(0, joins), (index) => decision.attributions[index]!);
		}
	}

	private async takeBaseline(): Promise<void> {
		const result = await this.tracker.fetchInvites(this.guildId);
		if (!result.ok) return;
		const stored = await this.tracker.loadSnapshot(this.guildId);
		if (stored && useIncreases(stored, result.snapshot).length > 0) await this.catchUp(stored, result.snapshot);
		this.snapshot = result.snapshot;
		// A fresh baseline (e.g. once a missing permission is back) is what the lost one was waiting for.
		this.baselineLost = false;
		await this.tracker.storeSnapshot(this.guildId, this.snapshot);
	}

	/**
	 * Invites were used while the bot was away (a restart, an outage): Discord sends no join events for that time,
	 * so the members who joined since the last snapshot are found in the member list and attributed like one queue.
	 */
	private async catchUp(stored: StoredSnapshot, current: InviteSnapshot): Promise<void> {
		const listed = await this.tracker.membersJoinedSince(this.guildId, stored.fetchedAt);
		const missed: ListedMember[] = [];
		for (const member of listed) {
			const record = await this.tracker.history(this.guildId, member.memberId);
			if (!record?.present || isRejoinAfterMissedLeave(record, member.joinedAt)) missed.push(member);
		}
		const humans = missed.filter((member) => !member.bot);
		const decision = decide(stored, [], current, humans.length, false);
		const record = async (member: ListedMember, attribution: Attribution) => {
			const changed = await this.tracker.recordAttributedJoin({ guildId: this.guildId, ...member }, member.joinedAt, attribution);
			if (changed) this.tracker.onCaughtUpJoin?.(this.guildId, member.memberId, changed);
		};
		for (const [index, member] of humans.entries()) await record(member, decision.attributions[index]!);
		for (const member of missed.filter((candidate) => candidate.bot)) await record(member, { how: 'bot', code: null, inviterId: null });
		const credited = decision.attributions.filter((attribution) => attribution.how !== 'unknown').length;
		this.tracker.log.info(`Guild ${this.guildId}: ${missed.length} members joined while the bot was away; ${credited} attributed, ${humans.length - credited} unknown`);
	}

	private async settle(batch: QueuedJoin[], attributionOf: (index: number) => Attribution): Promise<void> {
		for (const [index, join] of batch.entries()) {
			try {
				join.resolve(await this.tracker.recordAttributedJoin(join.input, join.at, attributionOf(index)));
			} catch (error) {
				join.reject(error);
			}
		}
	}

	/**
	 * Waits until another join arrives, or the time runs out. Fetching right after a join event is the best moment:
	 * the next join's use is most likely not counted yet, so the fetch is more likely to match the queue exactly.
	 */
	private async waitForJoin(timeoutMs: number): Promise<void> {
		await new Promise<void>((resolve) => {
			const timer = setTimeout(done, timeoutMs);
			const wake = this;
			function done() {
				clearTimeout(timer);
				wake.wake = null;
				resolve();
			}
			this.wake = done;
		});
	}
}
