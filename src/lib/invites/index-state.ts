import { contribution, emptyCounts, total, type Credit, type InviteCounts, type InviterRecord } from './records.js';

export interface LeaderboardRow {
	inviterId: string;
	total: number;
	counts: InviteCounts;
}

const DAY = 24 * 60 * 60 * 1000;
const dayOf = (at: number) => Math.floor(at / DAY);
/** Derived views kept per guild (a few periods × types in use at once). */
const MAX_DERIVED_VIEWS = 16;

function add(target: InviteCounts, delta: InviteCounts, sign: 1 | -1): void {
	target.regular += sign * delta.regular;
	target.left += sign * delta.left;
	target.fake += sign * delta.fake;
	target.bonus += sign * delta.bonus;
}

/**
 * One guild's invite counts, derived from the stored member and inviter records and kept up to date as they
 * change, so /invites and the leaderboard never scan storage. The sorted leaderboard is cached until the next change.
 */
export class GuildInviteIndex {
	private readonly credits = new Map<string, Credit>();
	/** Members credited to each inviter: what invitesSince reads without walking every credit of the guild. */
	private readonly creditedBy = new Map<string, Set<string>>();
	/**
	 * Members by the UTC day their credit was given: a period's leaderboard reads the days it covers instead of every
	 * credit of the guild (a 30-day page of a 100k-member server reads the last month's joins only).
	 */
	private readonly creditedOn = new Map<number, Map<string, Credit>>();
	private readonly inviters = new Map<string, InviterRecord>();
	private readonly counts = new Map<string, InviteCounts>();
	/** Members the records say are in the guild: the start-up reconciliation finds the leaves made while away. */
	private readonly present = new Set<string>();
	private sorted: LeaderboardRow[] | null = null;
	/** Views derived from the counts (a period's ranking), kept until the next change; see memo. */
	private readonly derived = new Map<string, unknown>();

	public constructor(private guildResetAt = 0) {}

	public resetAtFor(inviterId: string): number {
		return Math.max(this.guildResetAt, this.inviters.get(inviterId)?.resetAt ?? 0);
	}

	public countsOf(inviterId: string): InviteCounts {
		return { ...(this.counts.get(inviterId) ?? emptyCounts()) };
	}

	public setCredit(memberId: string, credit: Credit | null): void {
		const previous = this.credits.get(memberId);
		if (previous) {
			this.apply(previous, -1);
			this.creditedBy.get(previous.inviterId)?.delete(memberId);
			const day = dayOf(previous.at);
			const sameDay = this.creditedOn.get(day);
			sameDay?.delete(memberId);
			if (sameDay?.size === 0) this.creditedOn.delete(day);
		}
		if (credit) {
			this.credits.set(memberId, credit);
			this.apply(credit, 1);
			let members = this.creditedBy.get(credit.inviterId);
			if (!members) this.creditedBy.set(credit.inviterId, (members = new Set()));
			members.add(memberId);
			let sameDay = this.creditedOn.get(dayOf(credit.at));
			if (!sameDay) this.creditedOn.set(dayOf(credit.at), (sameDay = new Map()));
			sameDay.set(memberId, credit);
		} else {
			this.credits.delete(memberId);
		}
	}

	/**
	 * Invites an inviter made since `since` (ms) that still count: members first credited to them at or after it, less
	 * those who left and the fakes (no bonus, no imported counts). A member who left before and came back through the
	 * same inviter keeps their first credit's time, so rejoining does not count as a new invite.
	 */
	public invitesSince(inviterId: string, since: number): number {
		let sum = 0;
		for (const memberId of this.creditedBy.get(inviterId) ?? []) {
			const credit = this.credits.get(memberId)!;
			if (credit.at < since || !this.counted(credit) || credit.imported) continue;
			sum += total(contribution(credit));
		}
		return sum;
	}

	public setPresent(memberId: string, present: boolean): void {
		if (present) this.present.add(memberId);
		else this.present.delete(memberId);
	}

	public isPresent(memberId: string): boolean {
		return this.present.has(memberId);
	}

	/** Members whose credit came with a Supreme-BOT2 import, not from a join this bot saw. */
	public isImported(memberId: string): boolean {
		return this.credits.get(memberId)?.imported === true;
	}

	public presentMembers(): string[] {
		return [...this.present];
	}

	public setInviter(inviterId: string, record: InviterRecord | null): void {
		const previous = this.inviters.get(inviterId);
		if (record) this.inviters.set(inviterId, record);
		else this.inviters.delete(inviterId);
		if (previous?.resetAt !== record?.resetAt) {
			this.rebuild();
			return;
		}
		const counts = this.countsFor(inviterId);
		counts.bonus += this.bonusOf(record) - this.bonusOf(previous);
		this.addImported(counts, inviterId, previous, -1);
		this.addImported(counts, inviterId, record, 1);
		this.changed();
	}

	public setGuildResetAt(resetAt: number): void {
		if (resetAt === this.guildResetAt) return;
		this.guildResetAt = resetAt;
		this.rebuild();
	}

	/** Inviters with anything to show, best first; ties broken by id so pages never shuffle. */
	public leaderboard(): LeaderboardRow[] {
		this.sorted ??= [...this.counts]
			.filter(([, counts]) => counts.regular !== 0 || counts.bonus !== 0 || counts.left !== 0 || counts.fake !== 0)
			.map(([inviterId, counts]) => ({ inviterId, total: total(counts), counts: { ...counts } }))
			.sort((a, b) => b.total - a.total || (a.inviterId < b.inviterId ? -1 : a.inviterId > b.inviterId ? 1 : 0));
		return this.sorted;
	}

	/**
	 * Counts of the credits given at or after `from` (ms) that still count: what a period's leaderboard ranks. Every such
	 * credit counts as a regular invite, imported ones too (their time is the join time Supreme-BOT2 recorded); bonuses
	 * and imported baselines have no time, so a period has none. Not cached: `from` moves with the clock.
	 */
	public periodLeaderboard(from: number): LeaderboardRow[] {
		const counts = new Map<string, InviteCounts>();
		const first = dayOf(from);
		for (const [day, members] of this.creditedOn) {
			if (day < first) continue;
			for (const credit of members.values()) {
				if (credit.at < from || !this.counted(credit)) continue;
				let row = counts.get(credit.inviterId);
				if (!row) counts.set(credit.inviterId, (row = emptyCounts()));
				row.regular++;
				if (credit.fake) row.fake++;
				else if (credit.left) row.left++;
			}
		}
		return [...counts].map(([inviterId, row]) => ({ inviterId, total: total(row), counts: row }));
	}

	/** The members credited to an inviter (whose credit still counts), newest credit first, for the drill-down. */
	public creditsOf(inviterId: string): Array<[memberId: string, credit: Credit]> {
		return [...(this.creditedBy.get(inviterId) ?? [])]
			.map((memberId) => [memberId, this.credits.get(memberId)!] as [string, Credit])
			.filter(([, credit]) => this.counted(credit))
			.sort(([a, first], [b, second]) => second.at - first.at || (a < b ? -1 : a > b ? 1 : 0));
	}

	/**
	 * A view derived from the counts, computed once until they change: a period's ranked page at 100k members costs
	 * tens of ms to build, and is asked for again by every page button.
	 */
	public memo<T>(key: string, compute: () => T): T {
		if (!this.derived.has(key)) {
			// A quiet guild changes nothing for hours while each minute asks for a new window: the oldest views go.
			if (this.derived.size >= MAX_DERIVED_VIEWS) this.derived.delete(this.derived.keys().next().value!);
			this.derived.set(key, compute());
		}
		return this.derived.get(key) as T;
	}

	/** Inviters whose total is not zero: the ones a reset affects. */
	public invitersWithCounts(inviterId?: string): string[] {
		return this.leaderboard()
			.filter((row) => inviterId === undefined || row.inviterId === inviterId)
			.map((row) => row.inviterId);
	}

	public get memberCount(): number {
		return this.credits.size;
	}

	/** A guild reset cancels bonuses set before it without rewriting every inviter's record. */
	private bonusOf(record: InviterRecord | null | undefined): number {
		return record && record.updatedAt > this.guildResetAt ? record.bonus : 0;
	}

	/** Counts imported from Supreme-BOT2 are a baseline, cancelled by a reset after the import like any credit. */
	private addImported(counts: InviteCounts, inviterId: string, record: InviterRecord | null | undefined, sign: 1 | -1): void {
		const imported = record?.imported;
		if (!imported || imported.at <= this.resetAtFor(inviterId)) return;
		add(counts, { regular: imported.regular, left: imported.left, fake: imported.fake, bonus: 0 }, sign);
	}

	private counted(credit: Credit): boolean {
		return credit.at > this.resetAtFor(credit.inviterId);
	}

	private apply(credit: Credit, sign: 1 | -1): void {
		if (!this.counted(credit)) return;
		add(this.countsFor(credit.inviterId), contribution(credit), sign);
		this.changed();
	}

	private changed(): void {
		this.sorted = null;
		this.derived.clear();
	}

	private countsFor(inviterId: string): InviteCounts {
		let counts = this.counts.get(inviterId);
		if (!counts) {
			counts = emptyCounts();
			this.counts.set(inviterId, counts);
		}
		return counts;
	}

	private rebuild(): void {
		this.counts.clear();
		for (const [inviterId, record] of this.inviters) {
			const counts = this.countsFor(inviterId);
			counts.bonus = this.bonusOf(record);
			this.addImported(counts, inviterId, record, 1);
		}
		for (const credit of this.credits.values()) this.apply(credit, 1);
		this.changed();
	}
}
