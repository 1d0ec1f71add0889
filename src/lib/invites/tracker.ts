import type { BackupInfo, Storage, StorageLogger } from '../../storage-adapters/types.js';
import { retryThroughOutage } from '../outage-retry.js';
import { GuildStream, type StreamTiming } from './stream.js';
import type { Attribution, InviteSnapshot, InviteState } from './attribution.js';
import { GuildInviteIndex, type LeaderboardRow } from './index-state.js';
import type { DeliveryProblem } from '../guild-settings.js';
import {
	inviterKey,
	memberKey,
	recordJoin,
	recordLeave,
	splitKey,
	total,
	type InviteCounts,
	type FakeReason,
	type InviterRecord,
	type MemberRecord,
	type RejoinPolicy
} from './records.js';

export const INVITE_NAMESPACES = {
	counts: 'invites',
	history: 'join-history',
	config: 'invite-config',
	snapshot: 'invite-snapshot',
	milestones: 'invite-milestones'
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
	/** A member who leaves within this many minutes of joining counts as fake instead of left; 0 turns it off. */
	fakeLeftWithinMinutes: number;
	/** A member who joins again through another inviter: the credit moves to the new one, or stays with the first. */
	rejoinPolicy: RejoinPolicy;
	/** `stack`: an inviter keeps every rank role reached; `highest`: only the highest one reached. */
	rankRoleMode: RankRoleMode;
	/** Staff channel with one line per join and leave (src/lib/invites/join-log.ts); null: off. */
	joinLog: JoinLogSettings | null;
	/** Announcements when an inviter reaches a rank role or a number (src/lib/invites/milestones.ts); null: off. */
	milestones: MilestoneSettings | null;
}

export const RANK_ROLE_MODES = ['stack', 'highest'] as const;
export type RankRoleMode = (typeof RANK_ROLE_MODES)[number];

export interface JoinLogSettings {
	channelId: string;
	/** Why lines stopped arriving, kept until a send works again (shown by /invite-config show). */
	problem: DeliveryProblem | null;
}

export interface MilestoneSettings {
	channelId: string;
	/** null: the default text of the guild's language. */
	template: string | null;
	/** Totals announced besides the rank roles' (sorted, unique). */
	numbers: number[];
	problem: DeliveryProblem | null;
}

/** Stored configs written before a field existed read it as its default. */
export const DEFAULT_INVITE_CONFIG: InviteConfig = Object.freeze({
	fakeAccountDays: 7,
	rankRoles: [],
	removeRankRolesBelow: true,
	resetAt: 0,
	fakeWithoutAvatar: false,
	fakeLeftWithinMinutes: 0,
	rejoinPolicy: 'move',
	rankRoleMode: 'stack',
	joinLog: null,
	milestones: null
});

export interface StoredSnapshot extends InviteSnapshot {
	fetchedAt: number;
	/** When the bot first took this guild's baseline: members who joined before it were never ours to record. */
	trackingSince?: number;
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
	 * Every member of the guild (the bot itself left out): the start-up reconciliation finds in it the joins and leaves
	 * made while the bot was away. Sources that cannot list members (tools that run offline) leave it out.
	 */
	members?(guildId: string): Promise<ListedMember[]>;
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

/**
 * A join or leave once its record is durable, in the guild's stream order, once per recorded change (a repeated event
 * changes nothing and is not told): what the join log writes.
 */
export interface RecordedChange {
	kind: 'join' | 'leave';
	guildId: string;
	memberId: string;
	record: MemberRecord;
	/** Joins: what the member's join event said. */
	input?: JoinInput;
	/** Joins: the invite's (or vanity URL's) uses after this join, when known. */
	uses?: number | null;
	/** Found by the start-up reconciliation: the bot was away when it happened. */
	caughtUp: boolean;
}

const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;

/**
 * Invite tracking: one ordered stream per guild for joins, leaves and baselines (stream.ts), attribution of joins
 * (attribution.ts), the per-member records, and the counts derived from them.
 */
export class InviteTracker {
	/** Guilds whose invites cannot be read, and why (shown by /data-status). */
	public readonly unavailable = new Map<string, string>();
	public invitesFetched = 0;
	public onTotalChanged: TotalChangedHandler | null = null;
	/** Told of joins found at start (made while the bot was away), which had no join event of their own. */
	public onCaughtUpJoin: ((guildId: string, memberId: string, record: MemberRecord) => void) | null = null;
	public onRecorded: ((change: RecordedChange) => void) | null = null;
	/** Awaited after each config write, so that what follows from it (milestones already passed) is done first. */
	public onConfigChanged: ((guildId: string, before: InviteConfig, after: InviteConfig) => Promise<void>) | null = null;

	private readonly guilds = new Map<string, GuildInviteIndex>();
	private readonly streams = new Map<string, GuildStream>();
	private readonly configs = new Map<string, InviteConfig>();
	/** After stop, streams of guilds not seen before start stopped too. */
	private stopped = false;

	private constructor(
		private readonly storage: Storage,
		private readonly source: InviteSource,
		private readonly logger: StorageLogger,
		private readonly timing: Partial<StreamTiming>
	) {}

	public config(guildId: string): InviteConfig {
		return this.configs.get(guildId) ?? DEFAULT_INVITE_CONFIG;
	}

	public async updateConfig(guildId: string, change: (config: InviteConfig) => InviteConfig): Promise<InviteConfig> {
		const before = this.config(guildId);
		const updated = await this.storage.update<InviteConfig>(INVITE_NAMESPACES.config, guildId, (current) =>
			change({ ...DEFAULT_INVITE_CONFIG, ...current })
		);
		const config = { ...DEFAULT_INVITE_CONFIG, ...updated };
		this.configs.set(guildId, config);
		this.index(guildId).setGuildResetAt(config.resetAt);
		await this.onConfigChanged?.(guildId, before, config);
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

	/**
	 * Shutdown, before storage closes (src/lib/shutdown.ts): every guild's stream writes what it has queued and then
	 * takes nothing new, so no write comes after the close and no join or leave already queued is lost.
	 */
	public async stop(): Promise<void> {
		this.stopped = true;
		await Promise.all([...this.streams.values()].map((stream) => stream.stop()));
	}

	/**
	 * Takes a fresh baseline of a guild's invites, in the guild's stream (on ready, when the bot joins a guild, and when a
	 * shard starts a new session): the joins and leaves made while the bot was not listening are reconciled first.
	 */
	public refresh(guildId: string): Promise<void> {
		return this.stream(guildId).rebaseline();
	}

	/** A new invite starts at its current uses, so a join through it right away is seen as a rise. */
	public noteInviteCreated(guildId: string, invite: InviteState): void {
		this.stream(guildId).noteInviteCreated(invite);
	}

	/** The guild's invites as the tracker knows them: its stream's, else the stored snapshot (none if never read). */
	public cachedInvites(guildId: string): Promise<InviteSnapshot | undefined> {
		const current = this.streams.get(guildId)?.invites;
		return current ? Promise.resolve(current) : this.loadSnapshot(guildId);
	}

	/** An invite was deleted (INVITE_DELETE): while no join waits, it was a moderator or its expiry, not a last use. */
	public noteInviteDeleted(guildId: string, code: string): Promise<void> {
		return this.stream(guildId).noteInviteDeleted(code);
	}

	/** Records a join once it is attributed; resolves with the member's record (undefined if it was a repeat). */
	public join(input: JoinInput): Promise<MemberRecord | undefined> {
		return this.stream(input.guildId).join(input, input.at ?? Date.now());
	}

	/** The stored record of a member, waiting through a storage outage. */
	public storedRecord(input: JoinInput): Promise<MemberRecord | undefined> {
		return retryThroughOutage(describeJoin(input), () => this.history(input.guildId, input.memberId), this.logger);
	}

	/** Records a leave in the guild's stream: after every join that came before it. */
	public leave(guildId: string, memberId: string, at = Date.now()): Promise<MemberRecord | undefined> {
		return this.stream(guildId).leave(memberId, at);
	}

	/** Used by the stream: writes a leave now (`caughtUp`: found by the start-up reconciliation). */
	public async recordLeaveNow(guildId: string, memberId: string, at: number, caughtUp = false): Promise<MemberRecord | undefined> {
		const fakeWithinMs = this.config(guildId).fakeLeftWithinMinutes * MINUTE;
		let changed: MemberRecord | undefined;
		let previous: MemberRecord | undefined;
		const update = () =>
			this.storage.update<MemberRecord>(INVITE_NAMESPACES.history, memberKey(guildId, memberId), (record) => {
				previous = record;
				changed = recordLeave(record, at, fakeWithinMs);
				return changed ?? record;
			});
		await retryThroughOutage(`Leave of member ${memberId} in guild ${guildId}`, update, this.logger);
		if (changed) {
			this.recordChanged(guildId, memberId, changed, previous);
			this.onRecorded?.({ kind: 'leave', guildId, memberId, record: changed, caughtUp });
		}
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

	/**
	 * Used by the stream once it knows how a member came. `context.uses`: the invite's uses after the join, if known;
	 * `context.caughtUp`: found by the start-up reconciliation.
	 */
	public async recordAttributedJoin(
		input: JoinInput,
		at: number,
		attribution: Attribution,
		context: { uses?: number | null; caughtUp?: boolean } = {}
	): Promise<MemberRecord | undefined> {
		const { guildId, memberId } = input;
		const config = this.config(guildId);
		const index = this.index(guildId);
		const fakeReasons: FakeReason[] = [];
		if (config.fakeAccountDays > 0 && at - input.accountCreatedAt < config.fakeAccountDays * DAY) fakeReasons.push('young-account');
		if (config.fakeWithoutAvatar && input.hasAvatar === false) fakeReasons.push('no-avatar');
		let changed: MemberRecord | undefined;
		let previous: MemberRecord | undefined;
		const update = () =>
			this.storage.update<MemberRecord>(INVITE_NAMESPACES.history, memberKey(guildId, memberId), (record) => {
				previous = record;
				changed = recordJoin(record, {
					at,
					attribution,
					memberId,
					fakeReasons,
					rejoinPolicy: config.rejoinPolicy,
					resetAtFor: (inviterId) => index.resetAtFor(inviterId),
					joinedAt: input.joinedAt
				});
				return changed ?? record;
			});
		// Joins and leaves happen once: during an outage they wait for the storage instead of being lost.
		await retryThroughOutage(describeJoin(input), update, this.logger);
		if (changed) {
			this.recordChanged(guildId, memberId, changed, previous);
			this.onRecorded?.({
				kind: 'join',
				guildId,
				memberId,
				record: changed,
				input,
				uses: context.uses ?? null,
				caughtUp: context.caughtUp ?? false
			});
		}
		return changed;
	}

	/** `fetchedAt`: when the fetch behind the snapshot started, the time from which joins may be missing from it. */
	public async storeSnapshot(guildId: string, snapshot: InviteSnapshot, fetchedAt: number, trackingSince: number): Promise<void> {
		const stored: StoredSnapshot = { ...snapshot, fetchedAt, trackingSince };
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

	/** The guild's member list, or null when it cannot be read (then nothing is reconciled). */
	public async listMembers(guildId: string): Promise<ListedMember[] | null> {
		if (!this.source.members) return null;
		try {
			return await this.source.members(guildId);
		} catch (error) {
			this.logger.warn(
				`Members of guild ${guildId} could not be listed, so joins and leaves made while the bot was away are not reconciled: ${(error as Error).message}`
			);
			return null;
		}
	}

	public get log(): StorageLogger {
		return this.logger;
	}

	public index(guildId: string): GuildInviteIndex {
		let index = this.guilds.get(guildId);
		if (!index) {
			index = new GuildInviteIndex(this.configs.get(guildId)?.resetAt ?? 0);
			this.guilds.set(guildId, index);
		}
		return index;
	}

	private recordChanged(guildId: string, memberId: string, record: MemberRecord, previous?: MemberRecord): void {
		const index = this.index(guildId);
		index.setCredit(memberId, record.credit);
		index.setPresent(memberId, record.present);
		if (record.credit) this.notifyTotal(guildId, record.credit.inviterId);
		// A credit that moved to another inviter lowers the first one's total too.
		const before = previous?.credit?.inviterId;
		if (before && before !== record.credit?.inviterId) this.notifyTotal(guildId, before);
	}

	private notifyTotal(guildId: string, inviterId: string): void {
		this.onTotalChanged?.(guildId, inviterId, total(this.counts(guildId, inviterId)), this.config(guildId));
	}

	private stream(guildId: string): GuildStream {
		let stream = this.streams.get(guildId);
		if (!stream) {
			stream = new GuildStream(guildId, this, this.timing);
			this.streams.set(guildId, stream);
			if (this.stopped) void stream.stop();
		}
		return stream;
	}

	/** Loads every guild's records into memory; counts are derived from them from here on. */
	public static async load(
		storage: Storage,
		source: InviteSource,
		logger: StorageLogger,
		timing: Partial<StreamTiming> = {}
	): Promise<InviteTracker> {
		const tracker = new InviteTracker(storage, source, logger, timing);
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
			const index = tracker.index(guildId);
			index.setCredit(memberId, record.credit);
			index.setPresent(memberId, record.present);
		}
		return tracker;
	}
}

export const describeJoin = (input: JoinInput) => `Join of member ${input.memberId} in guild ${input.guildId}`;
