import { settleGroup, totalIncrease, useIncreases, UNKNOWN, type Attribution, type InviteSnapshot, type InviteState } from './attribution.js';
import { isRejoinAfterMissedLeave, type MemberRecord } from './records.js';
import type { InviteTracker, JoinInput, ListedMember, StoredSnapshot } from './tracker.js';

export interface StreamTiming {
	/**
	 * How long nothing may arrive after a fetch whose uses equal the joins before the group is closed: longer than the
	 * time between an invite use and its join event, in either order, so no use or event of the group is still on its
	 * way. Joins wait this long before they are recorded.
	 */
	quietMs: number;
	/** The longest a group stays open: stragglers are waited for this long, and a continuous burst is cut after it. */
	maxWaitMs: number;
}

export const DEFAULT_STREAM_TIMING: StreamTiming = Object.freeze({ quietMs: 250, maxWaitMs: 3000 });

/** Members who joined this long before the last snapshot's fetch are looked for too when reconciling. */
const RECONCILE_MARGIN_MS = 10_000;
const BOT: Attribution = Object.freeze({ how: 'bot', code: null, inviterId: null });

interface Pending<T> {
	resolve: (value: T) => void;
	reject: (error: unknown) => void;
}

interface JoinItem extends Pending<MemberRecord | undefined> {
	kind: 'join';
	input: JoinInput;
	at: number;
	/** Whom the member's stored record credits (a rejoin), read in stream order. */
	previousInviterId: string | null;
}

interface LeaveItem extends Pending<MemberRecord | undefined> {
	kind: 'leave';
	memberId: string;
	at: number;
}

type Item = JoinItem | LeaveItem;

/** A fetch taken while the group was open, and how much of the group it had seen when it started. */
interface GroupFetch {
	snapshot: InviteSnapshot;
	startedAt: number;
	humans: number;
	items: number;
}

/** Joins (and the leaves between them) since the last quiet moment, and the fetches taken meanwhile. */
interface Group {
	base: InviteSnapshot;
	items: Item[];
	humans: number;
	fetches: GroupFetch[];
	startedAt: number;
}

/** A join or leave that came after shutdown began: not recorded now; the next start finds it in the member list. */
export class TrackingStoppedError extends Error {
	public override readonly name = 'TrackingStoppedError';
	public constructor(what: string) {
		super(`invite tracking has stopped for shutdown, so the ${what} is not recorded now; the next start finds it in the member list`);
	}
}

const isHumanJoin = (item: Item): item is JoinItem => item.kind === 'join' && !item.input.bot;

/** The uses of the invite (or vanity URL) a join was credited to, as the fetch that settled it saw them. */
function usesAfter(base: InviteSnapshot, after: InviteSnapshot, attribution: Attribution): number | null {
	if (attribution.how === 'vanity') return after.vanity?.uses ?? null;
	if (attribution.code === null) return null;
	// Gone from the fetch: Discord deleted it on its last use (attribution.ts), one more than we had seen.
	const before = base.invites[attribution.code];
	return after.invites[attribution.code]?.uses ?? (before ? before.uses + 1 : null);
}

/**
 * One guild's ordered stream of everything that changes membership: joins, leaves and baselines are handled one after
 * another in arrival order, so a leave is written after the join before it, and no join is attributed before the
 * guild's baseline (the stream starts with one). Joins are attributed in groups (see attribution.ts); the invite
 * snapshot is stored after the records it accounts for, so a crash in between leaves uses that the next start's
 * reconciliation sees as unexplained, never records it cannot see.
 */
export class GuildStream {
	private readonly timing: StreamTiming;
	private items: Item[] = [];
	private group: Group | null = null;
	/** The consumed invite state; null until a baseline is taken (and again after a failed fetch). */
	private snapshot: InviteSnapshot | null = null;
	/** Compare the next baseline with the stored snapshot and the member list (true from the start: the bot was away). */
	private reconcileNext = true;
	/** See StoredSnapshot.trackingSince; read from the stored snapshot at each baseline. */
	private trackingSince = Number.POSITIVE_INFINITY;
	private baselineWanted = false;
	private baselineWaiters: Array<() => void> = [];
	private running: Promise<void> | null = null;
	private joinsReceived = 0;
	private wake: (() => void) | null = null;
	/** Set by stop: what is queued is settled without waiting for quiet, and nothing new is taken. */
	private stopping = false;

	public constructor(
		private readonly guildId: string,
		private readonly tracker: InviteTracker,
		timing: Partial<StreamTiming>
	) {
		this.timing = { ...DEFAULT_STREAM_TIMING, ...timing };
	}

	public join(input: JoinInput, at: number): Promise<MemberRecord | undefined> {
		if (this.stopping) return Promise.reject(new TrackingStoppedError(`join of member ${input.memberId}`));
		return new Promise((resolve, reject) => {
			this.items.push({ kind: 'join', input, at, previousInviterId: null, resolve, reject });
			this.joinsReceived++;
			this.wake?.();
			this.start();
		});
	}

	public leave(memberId: string, at: number): Promise<MemberRecord | undefined> {
		if (this.stopping) return Promise.reject(new TrackingStoppedError(`leave of member ${memberId}`));
		return new Promise((resolve, reject) => {
			this.items.push({ kind: 'leave', memberId, at, resolve, reject });
			this.start();
		});
	}

	/** A new baseline (ready, guild create, a shard's new session): the joins and leaves missed are reconciled first. */
	public rebaseline(): Promise<void> {
		if (this.stopping) return Promise.resolve();
		return new Promise((resolve) => {
			this.baselineWanted = true;
			this.reconcileNext = true;
			this.baselineWaiters.push(resolve);
			this.wake?.();
			this.start();
		});
	}

	public noteInviteCreated(invite: InviteState): void {
		const { code, inviterId, uses, maxUses, expiresAt = null, channelId = null } = invite;
		for (const snapshot of [this.snapshot, this.group?.base]) {
			if (snapshot && !(code in snapshot.invites)) snapshot.invites[code] = { code, inviterId, uses, maxUses, expiresAt, channelId };
		}
	}

	/** The invites as the stream last saw them (null before its first baseline, or after one could not be taken). */
	public get invites(): InviteSnapshot | null {
		return this.snapshot;
	}

	/**
	 * Discord deletes an invite on its last use, and a moderator (or its expiry) deletes it without one. While no join
	 * waits, the deletion cannot be a last use: the invite leaves the snapshot (stored at once) and its vanishing is
	 * not counted as a use. During joins the arithmetic decides.
	 */
	public async noteInviteDeleted(code: string): Promise<void> {
		if (this.stopping || this.group || this.items.length > 0 || !this.snapshot || !(code in this.snapshot.invites)) return;
		const { [code]: _deleted, ...invites } = this.snapshot.invites;
		this.snapshot = { ...this.snapshot, invites };
		await this.tracker.storeSnapshot(this.guildId, this.snapshot, Date.now(), this.trackingSince);
	}

	/**
	 * Shutdown: takes nothing new, settles what is queued at once (against one more fetch, without waiting for quiet:
	 * a use still on its way is then left unexplained, which the next start's reconciliation handles) and resolves once
	 * every queued join and leave is written, so storage can close behind it with nothing acknowledged left out.
	 */
	public async stop(): Promise<void> {
		this.stopping = true;
		this.wake?.();
		while (this.running) await this.running;
	}

	private start(): void {
		this.running ??= this.run()
			.catch((error: Error) => {
				// Not an outage (those are waited out): the storage is closed or broken. What waits fails with it.
				this.tracker.log.error(`Invite stream of guild ${this.guildId} stopped: ${error.message}`);
				for (const item of [...(this.group?.items ?? []), ...this.items.splice(0)]) item.reject(error);
				this.group = null;
			})
			.finally(() => {
				this.running = null;
				// Work that arrived as the loop was finishing.
				if (this.items.length > 0 || this.baselineWanted) this.start();
			});
	}

	private async run(): Promise<void> {
		for (;;) {
			if (this.baselineWanted || (this.snapshot === null && (this.items.length > 0 || this.group))) {
				// A new reference point: whatever was seen before it is settled against the old one first.
				if (this.group) await this.settle(false);
				if (!(await this.takeBaseline())) await this.recordWithoutBaseline();
				continue;
			}
			await this.absorb();
			const { group } = this;
			if (!group) {
				if (this.items.length === 0 && !this.baselineWanted) return;
				continue;
			}
			const seen = { humans: group.humans, items: group.items.length };
			const startedAt = Date.now();
			const result = await this.tracker.fetchInvites(this.guildId);
			if (!result.ok) {
				// The uses behind these joins will show in the next fetch with nobody to credit: compared with the old
				// snapshot they would be credited to later joins, so the next successful fetch becomes the baseline.
				await this.write(group.items.splice(0, seen.items), () => UNKNOWN);
				this.group = group.items.length > 0 ? { ...group, humans: group.items.filter(isHumanJoin).length, fetches: [] } : null;
				this.snapshot = null;
				continue;
			}
			group.fetches.push({ snapshot: result.snapshot, startedAt, ...seen });
			const exact = totalIncrease(useIncreases(group.base, result.snapshot)) === seen.humans;
			const age = Date.now() - group.startedAt;
			if (age >= this.timing.maxWaitMs || this.stopping) {
				await this.settle(false);
				continue;
			}
			// Uses that show up late do so within the quiet time: after one more look, wait for joins (or the end) instead.
			const previous = group.fetches.at(-2);
			const lookedAgain = previous !== undefined && previous.humans === seen.humans;
			const joined = await this.waitForJoin(
				exact || !lookedAgain ? Math.min(this.timing.quietMs, this.timing.maxWaitMs - age) : this.timing.maxWaitMs - age
			);
			if (exact && !joined) await this.settle(true);
		}
	}

	/** Moves arrived items into the open group; with no group, leaves and bot joins are written at once. */
	private async absorb(): Promise<void> {
		while (this.items.length > 0) {
			// Taken off the queue only once placed: until then it counts as waiting (see noteInviteDeleted).
			const item = this.items[0]!;
			const placed = () => this.items.shift();
			if (item.kind === 'join') {
				// A repeated event (a replay after a reconnect) used no invite; counted, it would blur the real joins.
				let stored: MemberRecord | undefined;
				try {
					stored = await this.tracker.storedRecord(item.input);
				} catch (error) {
					placed();
					item.reject(error);
					continue;
				}
				if ((stored?.present && !isRejoinAfterMissedLeave(stored, item.input.joinedAt)) || this.repeatsGroupJoin(item)) {
					placed();
					item.resolve(undefined);
					continue;
				}
				item.previousInviterId = stored?.credit?.inviterId ?? null;
			}
			if (!this.group && !isHumanJoin(item)) {
				await this.write([item], () => BOT);
				placed();
				continue;
			}
			placed();
			this.group ??= { base: this.snapshot!, items: [], humans: 0, fetches: [], startedAt: Date.now() };
			this.group.items.push(item);
			if (isHumanJoin(item)) this.group.humans++;
		}
	}

	private repeatsGroupJoin(join: JoinItem): boolean {
		const items = this.group?.items ?? [];
		for (let position = items.length - 1; position >= 0; position--) {
			const item = items[position]!;
			if ((item.kind === 'join' ? item.input.memberId : item.memberId) === join.input.memberId) return item.kind === 'join';
		}
		return false;
	}

	/**
	 * Closes the group. Quiet: against its last fetch. Otherwise (the wait ran out, or a baseline comes): up to the
	 * latest fetch whose uses equalled its joins, if any, and the rest stays open against that fetch.
	 */
	private async settle(quiet: boolean): Promise<void> {
		const group = this.group!;
		let cut = group.fetches.length - 1;
		if (!quiet) {
			while (cut > 0 && totalIncrease(useIncreases(group.base, group.fetches[cut]!.snapshot)) !== group.fetches[cut]!.humans) cut--;
			if (cut === 0 && totalIncrease(useIncreases(group.base, group.fetches[0]!.snapshot)) !== group.fetches[0]!.humans)
				cut = group.fetches.length - 1;
		}
		const fetch = group.fetches[cut];
		if (!fetch) {
			// Nothing fetched yet (a baseline came first): these joins are compared with nothing.
			this.group = null;
			await this.write(group.items, () => UNKNOWN);
			return;
		}
		const settled = group.items.slice(0, fetch.items);
		const joins = settled.filter(isHumanJoin);
		const attributions = settleGroup(
			useIncreases(group.base, fetch.snapshot, fetch.startedAt),
			joins.map((join) => ({ memberId: join.input.memberId, previousInviterId: join.previousInviterId })),
			quiet
		);
		const rest = group.items.slice(fetch.items);
		this.group = null;
		const usesOf = (attribution: Attribution) => usesAfter(group.base, fetch.snapshot, attribution);
		if (!(await this.write(settled, (join) => attributions[joins.indexOf(join)] ?? UNKNOWN, usesOf))) {
			// A record could not be written: the snapshot must not move past its use, or no later start could find that
			// join again. The stored snapshot stays; a new baseline compares it with the member list (as after a lost
			// session) and records the join then. What came after waits for it.
			this.items.unshift(...rest);
			this.snapshot = null;
			this.reconcileNext = true;
			this.baselineWanted = true;
			return;
		}
		// Stored after the records it accounts for.
		this.snapshot = fetch.snapshot;
		await this.tracker.storeSnapshot(this.guildId, fetch.snapshot, fetch.startedAt, this.trackingSince);
		if (rest.some(isHumanJoin)) {
			this.group = {
				base: fetch.snapshot,
				items: rest,
				humans: rest.filter(isHumanJoin).length,
				fetches: group.fetches
					.slice(cut + 1)
					.map((later) => ({ ...later, humans: later.humans - fetch.humans, items: later.items - fetch.items })),
				startedAt: Date.now()
			};
		} else {
			await this.write(rest, () => BOT);
		}
	}

	/** Writes items in stream order: joins with their attribution (bots as bots), leaves as leaves; false if one failed. */
	private async write(
		items: Item[],
		attributionOf: (join: JoinItem) => Attribution,
		usesOf: (attribution: Attribution) => number | null = () => null
	): Promise<boolean> {
		let written = true;
		for (const item of items) {
			try {
				if (item.kind === 'leave') {
					item.resolve(await this.tracker.recordLeaveNow(this.guildId, item.memberId, item.at));
					continue;
				}
				const attribution = item.input.bot ? BOT : attributionOf(item);
				item.resolve(await this.tracker.recordAttributedJoin(item.input, item.at, attribution, { uses: usesOf(attribution) }));
			} catch (error) {
				written = false;
				item.reject(error);
			}
		}
		return written;
	}

	/** The invites cannot be read: what arrived is recorded now, joins as unknown; the next item tries again. */
	private async recordWithoutBaseline(): Promise<void> {
		await this.absorb();
		const { group } = this;
		this.group = null;
		if (group) await this.write(group.items, () => UNKNOWN);
	}

	private async takeBaseline(): Promise<boolean> {
		this.baselineWanted = false;
		const waiters = this.baselineWaiters.splice(0);
		try {
			const startedAt = Date.now();
			const result = await this.tracker.fetchInvites(this.guildId);
			if (!result.ok) {
				this.snapshot = null;
				return false;
			}
			const stored = await this.tracker.loadSnapshot(this.guildId);
			this.trackingSince = stored ? (stored.trackingSince ?? stored.fetchedAt) : Math.min(this.trackingSince, startedAt);
			if (this.reconcileNext) {
				if (stored) await this.reconcile(stored, result.snapshot);
				this.reconcileNext = false;
			}
			this.snapshot = result.snapshot;
			await this.tracker.storeSnapshot(this.guildId, result.snapshot, startedAt, this.trackingSince);
			return true;
		} finally {
			for (const resolve of waiters) resolve();
		}
	}

	/**
	 * The bot was away (a restart, a session that could not resume): Discord sends no events for that time, so the
	 * member list tells who left (recorded present, not listed) and who joined (listed, joined since the last snapshot,
	 * not recorded); the joins are attributed as one group against the uses that rose meanwhile. It is never quiet:
	 * members who joined and left while away used invites too.
	 */
	private async reconcile(stored: StoredSnapshot, current: InviteSnapshot): Promise<void> {
		const listed = await this.tracker.listMembers(this.guildId);
		if (!listed) return;
		const index = this.tracker.index(this.guildId);
		const listedIds = new Set(listed.map((member) => member.memberId));
		const now = Date.now();
		let leaves = 0;
		for (const memberId of index.presentMembers()) {
			// Supreme-BOT2 kept no leaves: an imported member missing from the list may have left under it, and its left
			// count holds them already. Only a leave event counts for them.
			if (listedIds.has(memberId) || index.isImported(memberId)) continue;
			if (await this.tracker.recordLeaveNow(this.guildId, memberId, now, true)) leaves++;
		}
		const missed: ListedMember[] = [];
		const since = Math.max(stored.trackingSince ?? stored.fetchedAt, stored.fetchedAt - RECONCILE_MARGIN_MS);
		for (const member of listed) {
			if (member.joinedAt <= since) continue;
			const input = { guildId: this.guildId, ...member };
			const record = index.isPresent(member.memberId) ? await this.tracker.storedRecord(input) : undefined;
			if (!record?.present || isRejoinAfterMissedLeave(record, member.joinedAt)) missed.push(member);
		}
		const humans = missed.filter((member) => !member.bot);
		const attributions = settleGroup(
			useIncreases(stored, current),
			humans.map((member) => ({ memberId: member.memberId, previousInviterId: null })),
			false
		);
		const record = async (member: ListedMember, attribution: Attribution) => {
			const changed = await this.tracker.recordAttributedJoin({ guildId: this.guildId, ...member }, member.joinedAt, attribution, {
				uses: usesAfter(stored, current, attribution),
				caughtUp: true
			});
			if (changed) this.tracker.onCaughtUpJoin?.(this.guildId, member.memberId, changed);
		};
		for (const [position, member] of humans.entries()) await record(member, attributions[position]!);
		for (const member of missed.filter((candidate) => candidate.bot)) await record(member, BOT);
		if (missed.length === 0 && leaves === 0) return;
		const credited = attributions.filter((attribution) => attribution.inviterId !== null).length;
		this.tracker.log.info(
			`Guild ${this.guildId}: while the bot was away ${missed.length} members joined (${credited} credited, ${humans.length - credited} unknown) and ${leaves} left`
		);
	}

	/**
	 * Waits until another join arrives or the time runs out; true if one arrived. Events already received but not yet
	 * handled (a busy event loop) are let in before deciding that nothing came.
	 */
	private async waitForJoin(timeoutMs: number): Promise<boolean> {
		const before = this.joinsReceived;
		if (this.items.some((item) => item.kind === 'join')) return true;
		if (this.stopping) return false;
		await new Promise<void>((resolve) => {
			const done = () => {
				clearTimeout(timer);
				this.wake = null;
				resolve();
			};
			const timer = setTimeout(done, timeoutMs);
			this.wake = done;
		});
		await new Promise((resolve) => setImmediate(resolve));
		return this.joinsReceived > before || this.baselineWanted;
	}
}
