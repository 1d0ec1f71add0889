/**
 * The emulator's time: real time plus however far a test moved it forward. Deadlines Discord measures in minutes
 * (an interaction token's 15) are tested by moving the clock, not by waiting.
 */
export class EmulatorClock {
	private offsetMs = 0;

	public now(): number {
		return Date.now() + this.offsetMs;
	}

	/** Moves the emulator's time forward; what happens at a deadline happens as if that time had passed. */
	public advance(ms: number): void {
		if (!Number.isFinite(ms) || ms < 0) throw new Error(`the emulator clock only moves forward (got ${ms} ms)`);
		this.offsetMs += ms;
	}
}
