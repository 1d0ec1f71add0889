/**
 * The welcome and the goodbye of one stay of a member, in order. A join is welcomed once the invite tracker has
 * recorded it (so the inviter is known), which can take up to a few seconds in a burst; a leave event can arrive
 * meanwhile. The rule:
 * - the member leaves before the join is recorded (a raid account kicked at once): no welcome and no goodbye (the
 *   counts still get the join and the leave, in that order: the invite stream orders them);
 * - the member leaves after: the goodbye waits until the welcome has been sent (or failed), so it never comes first.
 */

/** The longest a goodbye waits for its welcome (a welcome listener that never reports must not hold it forever). */
const WELCOME_WAIT_MS = 15_000;

interface Stay {
	/** Resolves with whether the join was recorded (false: a repeated event, or it could not be). */
	settled: Promise<boolean>;
	settle: (recorded: boolean) => void;
	leftWhileQueued: boolean;
	/** Resolves once the welcome is sent or has failed; null until the join is recorded. */
	welcomed: Promise<void> | null;
	welcomeDone: () => void;
}

const keyOf = (guildId: string, memberId: string) => `${guildId}:${memberId}`;

export class GreetingOrder {
	private readonly stays = new Map<string, Stay>();

	/** A join event came in: its leave, if one comes before the join is recorded, waits to learn what became of it. */
	public joinReceived(guildId: string, memberId: string): void {
		let settle: Stay['settle'] = () => undefined;
		const settled = new Promise<boolean>((resolve) => (settle = resolve));
		this.stays.set(keyOf(guildId, memberId), { settled, settle, leftWhileQueued: false, welcomed: null, welcomeDone: () => undefined });
	}

	/** The join was recorded (or not); true when the member is to be welcomed: they have not left meanwhile. */
	public joinSettled(guildId: string, memberId: string, recorded: boolean): boolean {
		const key = keyOf(guildId, memberId);
		const stay = this.stays.get(key);
		if (!stay) return recorded;
		const welcome = recorded && !stay.leftWhileQueued;
		if (welcome) {
			const timer = setTimeout(() => stay.welcomeDone(), WELCOME_WAIT_MS);
			timer.unref();
			stay.welcomed = new Promise<void>((resolve) => {
				stay.welcomeDone = () => {
					clearTimeout(timer);
					if (this.stays.get(key) === stay) this.stays.delete(key);
					resolve();
				};
			});
		} else if (this.stays.get(key) === stay) this.stays.delete(key);
		stay.settle(recorded);
		return welcome;
	}

	/** The welcome of a recorded join is on its way; the goodbye waits for it. */
	public welcoming(guildId: string, memberId: string, sending: Promise<unknown>): void {
		const stay = this.stays.get(keyOf(guildId, memberId));
		if (stay?.welcomed) void sending.finally(() => stay.welcomeDone());
	}

	/** A leave event: resolves with whether to say goodbye, once any welcome of this stay has gone out. */
	public async leaveReceived(guildId: string, memberId: string): Promise<boolean> {
		const key = keyOf(guildId, memberId);
		const stay = this.stays.get(key);
		if (!stay) return true;
		if (stay.welcomed) {
			await stay.welcomed;
			return true;
		}
		// joinSettled reads this (and forgets the stay).
		stay.leftWhileQueued = true;
		// Recorded while gone: it was never welcomed, so no goodbye either. Not recorded: the event repeated a join of a
		// member who was here (and welcomed) before: this leave ends that stay.
		return !(await stay.settled);
	}
}
