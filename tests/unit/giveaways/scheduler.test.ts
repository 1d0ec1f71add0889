import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GiveawayScheduler, MAX_CONCURRENT_ENDINGS } from '../../../src/lib/giveaways/scheduler.js';

const DAY = 86_400_000;

describe('GiveawayScheduler', () => {
	beforeEach(() => {
		vi.useFakeTimers({ now: 1_700_000_000_000 });
	});

	afterEach(() => {
		vi.useRealTimers();
	});

	function scheduler(loaded: Array<[string, number]>, onDue: (id: string) => Promise<void>, sweepMs = 30_000) {
		return new GiveawayScheduler({
			onDue,
			load: () => Promise.resolve(loaded),
			sweepMs,
			onError: (error) => {
				throw error;
			}
		});
	}

	it('keeps one timer (and the sweep) for thousands of giveaways, and fires each when due', async () => {
		const now = Date.now();
		const loaded = Array.from({ length: 5000 }, (_, index): [string, number] => [`g${index}`, now + 1000 + index * 1000]);
		const fired: string[] = [];
		const watcher = scheduler(loaded, (id) => Promise.resolve(void fired.push(id)));
		await watcher.start();
		expect(vi.getTimerCount()).toBe(2);
		await vi.advanceTimersByTimeAsync(3000);
		expect(fired).toEqual(['g0', 'g1', 'g2']);
		expect(vi.getTimerCount()).toBe(2);
		watcher.stop();
		expect(vi.getTimerCount()).toBe(0);
	});

	it('after stop, settled waits for the endings already running and nothing new fires', async () => {
		const now = Date.now();
		let release!: () => void;
		const slow = new Promise<void>((resolve) => (release = resolve));
		const fired: string[] = [];
		const watcher = scheduler(
			[
				['due', now + 100],
				['later', now + 5000]
			],
			async (id) => {
				fired.push(id);
				await slow;
			}
		);
		await watcher.start();
		await vi.advanceTimersByTimeAsync(200);
		expect(watcher.busy).toBe(true);
		watcher.stop();
		let settled = false;
		const settling = watcher.settled().then(() => (settled = true));
		await vi.advanceTimersByTimeAsync(10_000);
		expect(settled).toBe(false);
		release();
		await settling;
		expect(watcher.busy).toBe(false);
		expect(fired).toEqual(['due']);
	});

	it('caps the timer at setTimeout’s limit and still fires a giveaway 60 days out on time', async () => {
		const fired: string[] = [];
		// A sweep every 10 days, so that 60 days of fake time pass quickly; the nearest-end timer alone would need capping.
		const watcher = scheduler([['far', Date.now() + 60 * DAY]], (id) => Promise.resolve(void fired.push(id)), 10 * DAY);
		await watcher.start();
		await vi.advanceTimersByTimeAsync(60 * DAY - 1000);
		expect(fired).toEqual([]);
		await vi.advanceTimersByTimeAsync(1000);
		expect(fired).toEqual(['far']);
		watcher.stop();
	});

	it('runs overdue endings a few at a time', async () => {
		const now = Date.now();
		const loaded = Array.from({ length: 10 }, (_, index): [string, number] => [`g${index}`, now - 1000]);
		let running = 0;
		let most = 0;
		let done = 0;
		const watcher = scheduler(loaded, async () => {
			running++;
			most = Math.max(most, running);
			await new Promise((resolve) => setTimeout(resolve, 100));
			running--;
			done++;
		});
		await watcher.start();
		await vi.advanceTimersByTimeAsync(1000);
		expect(done).toBe(10);
		expect(most).toBe(MAX_CONCURRENT_ENDINGS);
		watcher.stop();
	});

	it('picks up giveaways that appear in storage at the next sweep', async () => {
		const loaded: Array<[string, number]> = [];
		const fired: string[] = [];
		const watcher = scheduler(loaded, (id) => Promise.resolve(void fired.push(id)));
		await watcher.start();
		loaded.push(['elsewhere', Date.now() + 5000]);
		await vi.advanceTimersByTimeAsync(29_000);
		expect(fired).toEqual([]);
		await vi.advanceTimersByTimeAsync(1001);
		expect(fired).toEqual(['elsewhere']);
		watcher.stop();
	});
});
