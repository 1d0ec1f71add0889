import { describe, expect, it } from 'vitest';
import { PendingGrantScheduler, type PendingGrant, type SchedulerClock } from '../../../src/lib/autorole/pending-grants.js';

/** A clock the test moves by hand; it records every timer so "one timer at a time" can be checked. */
class ManualClock implements SchedulerClock {
	public time = 1_000_000;
	public timers = new Map<number, { at: number; callback: () => void }>();
	public armed = 0;
	private nextId = 1;

	public now(): number {
		return this.time;
	}

	public setTimeout(callback: () => void, ms: number): unknown {
		const id = this.nextId++;
		this.armed++;
		this.timers.set(id, { at: this.time + ms, callback });
		return id;
	}

	public clearTimeout(handle: unknown): void {
		this.timers.delete(handle as number);
	}

	/** Moves time forward, firing timers in order, and lets the runs they start finish. */
	public async advance(ms: number): Promise<void> {
		const end = this.time + ms;
		for (;;) {
			const next = [...this.timers].sort((a, b) => a[1].at - b[1].at)[0];
			if (!next || next[1].at > end) break;
			this.time = Math.max(this.time, next[1].at);
			this.timers.delete(next[0]);
			next[1].callback();
			await flush();
		}
		this.time = end;
	}
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function grant(memberId: string, dueAt: number, roleId = 'r'): PendingGrant {
	return { guildId: 'g', memberId, roleId, dueAt };
}

describe('PendingGrantScheduler', () => {
	it('keeps one timer, for the nearest grant, however many wait', async () => {
		const clock = new ManualClock();
		const given: string[] = [];
		const scheduler = new PendingGrantScheduler((g) => Promise.resolve(void given.push(g.memberId)), clock);
		scheduler.add(grant('late', clock.time + 60_000));
		scheduler.add(grant('soon', clock.time + 10_000));
		scheduler.add(grant('middle', clock.time + 30_000));
		expect(clock.timers.size).toBe(1);
		expect(scheduler.nextTimerAt).toBe(clock.time + 10_000);

		await clock.advance(9_999);
		expect(given).toEqual([]);
		await clock.advance(1);
		expect(given).toEqual(['soon']);
		expect(clock.timers.size).toBe(1);
		expect(scheduler.nextTimerAt).toBe(clock.time + 20_000);
		await clock.advance(60_000);
		expect(given).toEqual(['soon', 'middle', 'late']);
		expect(scheduler.size).toBe(0);
		expect(clock.timers.size).toBe(0);
	});

	it('does not re-arm when a later grant is added', () => {
		const clock = new ManualClock();
		const scheduler = new PendingGrantScheduler(() => Promise.resolve(undefined), clock);
		scheduler.add(grant('a', clock.time + 1000));
		const { armed } = clock;
		for (let index = 0; index < 100; index++) scheduler.add(grant(`m${index}`, clock.time + 5000 + index));
		expect(clock.armed).toBe(armed);
		expect(clock.timers.size).toBe(1);
	});

	it('gives overdue grants (stored before a restart) at once, oldest first', async () => {
		const clock = new ManualClock();
		const given: string[] = [];
		const scheduler = new PendingGrantScheduler((g) => Promise.resolve(void given.push(g.memberId)), clock);
		scheduler.add(grant('second', clock.time - 1000));
		scheduler.add(grant('first', clock.time - 5000));
		await clock.advance(0);
		expect(given).toEqual(['first', 'second']);
	});

	it('re-arms for the next grant when the nearest is removed, and stops when none is left', () => {
		const clock = new ManualClock();
		const scheduler = new PendingGrantScheduler(() => Promise.resolve(undefined), clock);
		scheduler.add(grant('a', clock.time + 1000));
		scheduler.add(grant('b', clock.time + 9000));
		expect(scheduler.remove((g) => g.memberId === 'a').map((g) => g.memberId)).toEqual(['a']);
		expect(scheduler.nextTimerAt).toBe(clock.time + 9000);
		expect(clock.timers.size).toBe(1);
		scheduler.remove(() => true);
		expect(scheduler.nextTimerAt).toBeNull();
		expect(clock.timers.size).toBe(0);
	});

	it('replaces a grant of the same member and role instead of keeping two', async () => {
		const clock = new ManualClock();
		const given: PendingGrant[] = [];
		const scheduler = new PendingGrantScheduler((g) => Promise.resolve(void given.push(g)), clock);
		scheduler.add(grant('a', clock.time + 1000));
		scheduler.add(grant('a', clock.time + 2000));
		expect(scheduler.size).toBe(1);
		await clock.advance(5000);
		expect(given.map((g) => g.dueAt)).toEqual([clock.time - 3000]);
	});

	it('does not retry a failing grant', async () => {
		const clock = new ManualClock();
		let runs = 0;
		const scheduler = new PendingGrantScheduler(() => {
			runs++;
			return Promise.reject(new Error('Missing Permissions'));
		}, clock);
		scheduler.add(grant('a', clock.time + 10));
		await clock.advance(60_000);
		expect(runs).toBe(1);
		expect(scheduler.size).toBe(0);
		expect(clock.timers.size).toBe(0);
	});

	it('waits in steps for delays longer than a timer can hold', async () => {
		const clock = new ManualClock();
		const given: string[] = [];
		const scheduler = new PendingGrantScheduler((g) => Promise.resolve(void given.push(g.memberId)), clock);
		const far = clock.time + 30 * 86_400_000;
		scheduler.add(grant('far', far));
		expect([...clock.timers.values()][0]!.at).toBe(clock.time + 2 ** 31 - 1);
		await clock.advance(2 ** 31 - 1);
		expect(given).toEqual([]);
		expect(clock.timers.size).toBe(1);
		await clock.advance(far - clock.time);
		expect(given).toEqual(['far']);
	});

	it('lists pending grants of a guild by due time; a stopped scheduler runs nothing', async () => {
		const clock = new ManualClock();
		const given: string[] = [];
		const scheduler = new PendingGrantScheduler((g) => Promise.resolve(void given.push(g.memberId)), clock);
		scheduler.add(grant('b', clock.time + 2000));
		scheduler.add({ ...grant('other', clock.time + 1), guildId: 'h' });
		scheduler.add(grant('a', clock.time + 1000));
		expect(scheduler.pending('g').map((g) => g.memberId)).toEqual(['a', 'b']);
		scheduler.stop();
		await clock.advance(10_000);
		expect(given).toEqual([]);
	});
});
