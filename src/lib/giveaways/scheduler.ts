/** setTimeout's longest delay (2^31 - 1 ms, about 24.8 days); a longer one fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** Endings run at most this many at a time (after a long downtime, many may be due at once); the rest wait their turn. */
export const MAX_CONCURRENT_ENDINGS = 4;

export interface SchedulerOptions {
	/** Called for a giveaway whose due time came; the scheduler forgets it until `track` tells it again. */
	onDue: (id: string) => Promise<void>;
	/** Every giveaway this process should watch and when it is due, read from storage (on start and every sweep). */
	load: () => Promise<Array<[id: string, dueAt: number]>>;
	/** How often storage is read again, to find giveaways that other processes started (shared Redis). */
	sweepMs: number;
	onError: (error: unknown) => void;
	now?: () => number;
}

/**
 * One timer for the nearest due time, whatever the number of giveaways; re-armed whenever the nearest changes and
 * capped at setTimeout's limit. A periodic sweep reloads the due times from storage, which also retries endings that
 * failed (a claim left behind comes due when it may be taken over).
 */
export class GiveawayScheduler {
	private readonly due = new Map<string, number>();
	/** The onDue calls in progress, by giveaway. */
	private readonly running = new Map<string, Promise<void>>();
	private timer: NodeJS.Timeout | null = null;
	private sweepTimer: NodeJS.Timeout | null = null;
	private armedFor: number | null = null;
	private stopped = true;
	private readonly now: () => number;

	public constructor(private readonly options: SchedulerOptions) {
		this.now = options.now ?? Date.now;
	}

	/** Giveaways currently watched (for status and tests). */
	public get size(): number {
		return this.due.size;
	}

	public async start(): Promise<void> {
		this.stopped = false;
		await this.sweep();
		this.sweepTimer = setInterval(() => void this.sweep(), this.options.sweepMs);
		this.sweepTimer.unref();
	}

	public stop(): void {
		this.stopped = true;
		if (this.timer) clearTimeout(this.timer);
		if (this.sweepTimer) clearInterval(this.sweepTimer);
		this.timer = null;
		this.sweepTimer = null;
		this.armedFor = null;
	}

	/** Whether an onDue call is in progress. */
	public get busy(): boolean {
		return this.running.size > 0;
	}

	/** Resolves once every onDue call in progress has finished (after `stop`, nothing new starts). */
	public async settled(): Promise<void> {
		await Promise.allSettled([...this.running.values()]);
	}

	/** Watches a giveaway from `dueAt` (null: stop watching it). */
	public track(id: string, dueAt: number | null): void {
		if (dueAt === null) this.due.delete(id);
		else this.due.set(id, dueAt);
		this.arm();
	}

	public async sweep(): Promise<void> {
		try {
			const loaded = await this.options.load();
			this.due.clear();
			for (const [id, dueAt] of loaded) this.due.set(id, dueAt);
			this.arm();
		} catch (error) {
			this.options.onError(error);
		}
	}

	private nearest(): number | null {
		let nearest: number | null = null;
		for (const [id, dueAt] of this.due) if (!this.running.has(id) && (nearest === null || dueAt < nearest)) nearest = dueAt;
		return nearest;
	}

	private arm(): void {
		if (this.stopped) return;
		// With every slot busy, the next completion re-arms; a timer now would only spin.
		const nearest = this.running.size >= MAX_CONCURRENT_ENDINGS ? null : this.nearest();
		if (nearest === this.armedFor && this.timer) return;
		if (this.timer) clearTimeout(this.timer);
		this.timer = null;
		this.armedFor = nearest;
		if (nearest === null) return;
		const delay = Math.min(Math.max(0, nearest - this.now()), MAX_TIMER_MS);
		this.timer = setTimeout(() => this.fire(), delay);
		this.timer.unref();
	}

	private fire(): void {
		this.timer = null;
		this.armedFor = null;
		const now = this.now();
		for (const [id, dueAt] of this.due) {
			if (this.running.size >= MAX_CONCURRENT_ENDINGS) break;
			if (dueAt > now || this.running.has(id)) continue;
			this.due.delete(id);
			const run = this.options
				.onDue(id)
				.catch(this.options.onError)
				.finally(() => {
					this.running.delete(id);
					this.arm();
				});
			this.running.set(id, run);
		}
		this.arm();
	}
}
