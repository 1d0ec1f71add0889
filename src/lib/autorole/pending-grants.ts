/**
 * Delayed auto-roles waiting for their time. The grants live in storage (so they outlive restarts); this keeps them
 * in memory ordered by due time and runs ONE timer for the nearest one, however many are waiting.
 */

export interface PendingGrant {
	guildId: string;
	memberId: string;
	roleId: string;
	/** When the role is due (ms since epoch). */
	dueAt: number;
}

export const grantKey = (grant: Pick<PendingGrant, 'guildId' | 'memberId' | 'roleId'>) => `${grant.guildId}:${grant.memberId}:${grant.roleId}`;

/** setTimeout fires at once for delays above 2^31-1 ms; longer waits are done in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface SchedulerClock {
	now(): number;
	setTimeout(callback: () => void, ms: number): unknown;
	clearTimeout(handle: unknown): void;
}

export const systemClock: SchedulerClock = {
	now: () => Date.now(),
	setTimeout: (callback, ms) => {
		const timer = setTimeout(callback, ms);
		// A waiting grant must not keep a stopping process alive.
		timer.unref();
		return timer;
	},
	clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout)
};

/** Gives the role; resolves when the grant is finished with (given, or dropped for a reason it logged). */
export type GrantRunner = (grant: PendingGrant) => Promise<void>;

/** Something stored that is due at a time, in a guild (a delayed grant, a welcome to delete). */
export interface DueItem {
	guildId: string;
	dueAt: number;
}

/** Keeps items ordered by due time with ONE timer for the nearest; `keyOf` tells items apart (adding a key again replaces it). */
export class DueScheduler<T extends DueItem> {
	readonly #grants = new Map<string, T>();
	#timer: unknown = null;
	#timerDueAt = Number.POSITIVE_INFINITY;
	#running = false;
	#stopped = false;

	public constructor(
		private readonly run: (item: T) => Promise<void>,
		private readonly keyOf: (item: T) => string,
		private readonly clock: SchedulerClock = systemClock
	) {}

	public get size(): number {
		return this.#grants.size;
	}

	/** When the single timer fires, if one is set. */
	public get nextTimerAt(): number | null {
		return this.#timer === null ? null : this.#timerDueAt;
	}

	public pending(guildId?: string): T[] {
		const all = [...this.#grants.values()];
		return (guildId === undefined ? all : all.filter((grant) => grant.guildId === guildId)).sort((a, b) => a.dueAt - b.dueAt);
	}

	/** Adds (or replaces) a grant; grants already due run on the next tick. */
	public add(grant: T): void {
		this.#grants.set(this.keyOf(grant), grant);
		this.#arm();
	}

	public remove(match: (grant: T) => boolean): T[] {
		const removed = [...this.#grants.values()].filter(match);
		for (const grant of removed) this.#grants.delete(this.keyOf(grant));
		this.#arm();
		return removed;
	}

	public stop(): void {
		this.#stopped = true;
		this.#clearTimer();
	}

	/** Resolves once every grant due now has been run (tests, and shutdown paths that want to drain). */
	public async runDue(): Promise<void> {
		if (this.#running || this.#stopped) return;
		this.#running = true;
		this.#clearTimer();
		try {
			for (;;) {
				const now = this.clock.now();
				const due = this.pending().filter((grant) => grant.dueAt <= now);
				if (due.length === 0) break;
				for (const grant of due) {
					if (this.#stopped) return;
					// Removed first: a runner that fails is not retried in a loop; it logs and the grant is done.
					this.#grants.delete(this.keyOf(grant));
					await this.run(grant).catch(() => undefined);
				}
			}
		} finally {
			this.#running = false;
			this.#arm();
		}
	}

	#arm(): void {
		if (this.#stopped || this.#running) return;
		let nearest = Number.POSITIVE_INFINITY;
		for (const grant of this.#grants.values()) nearest = Math.min(nearest, grant.dueAt);
		if (nearest === this.#timerDueAt && this.#timer !== null) return;
		this.#clearTimer();
		if (nearest === Number.POSITIVE_INFINITY) return;
		const wait = Math.min(MAX_TIMER_MS, Math.max(0, nearest - this.clock.now()));
		this.#timerDueAt = nearest;
		this.#timer = this.clock.setTimeout(() => {
			this.#timer = null;
			this.#timerDueAt = Number.POSITIVE_INFINITY;
			void this.runDue();
		}, wait);
	}

	#clearTimer(): void {
		if (this.#timer !== null) this.clock.clearTimeout(this.#timer);
		this.#timer = null;
		this.#timerDueAt = Number.POSITIVE_INFINITY;
	}
}

/** Delayed auto-role grants, one per member and role. */
export class PendingGrantScheduler extends DueScheduler<PendingGrant> {
	public constructor(run: GrantRunner, clock?: SchedulerClock) {
		super(run, grantKey, clock);
	}
}
