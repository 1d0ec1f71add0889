import type { Client } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SchedulerClock } from '../../../src/lib/autorole/pending-grants.js';
import { WELCOME_MESSAGES_NAMESPACE, WelcomeCleanup, type SentWelcome } from '../../../src/lib/welcome/cleanup.js';
import type { BackendStorage } from '../../../src/storage-adapters/index.js';
import { createStorageFixture, type StorageFixture } from '../../helpers/storage.js';

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as never;
const MINUTE = 60_000;

/** A clock the test moves; the one timer's callback runs when the test says so. */
function manualClock() {
	let now = 1_000_000;
	let pending: (() => void) | null = null;
	const clock: SchedulerClock = {
		now: () => now,
		setTimeout: (callback) => ((pending = callback), 1),
		clearTimeout: () => (pending = null)
	};
	return {
		clock,
		async advance(ms: number) {
			now += ms;
			const run = pending;
			pending = null;
			run?.();
			// The due items run asynchronously (storage, Discord): let them finish.
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
	};
}

describe('WelcomeCleanup', () => {
	let fixture: StorageFixture;
	let storage: BackendStorage;
	const deleted: string[] = [];
	// Discord stands in as a channel whose messages.delete is recorded.
	const client = {
		channels: {
			cache: new Map([['c', { isTextBased: () => true, messages: { delete: (id: string) => Promise.resolve(void deleted.push(id)) } }]])
		}
	} as unknown as Client;
	const sent = (memberId: string, messageId: string, times: { leaveUntil?: number; deleteAt?: number }, now: number): SentWelcome => ({
		guildId: 'g',
		memberId,
		channelId: 'c',
		messageId,
		leaveUntil: times.leaveUntil === undefined ? null : now + times.leaveUntil,
		deleteAt: times.deleteAt === undefined ? null : now + times.deleteAt
	});

	beforeEach(async () => {
		deleted.length = 0;
		fixture = await createStorageFixture('file');
		storage = await fixture.open();
	});

	afterEach(async () => {
		await fixture.dispose();
	});

	it('deletes on a leave within the window only; forgets a welcome whose window closed; auto-deletes at its time', async () => {
		const time = manualClock();
		const cleanup = new WelcomeCleanup(storage, client, silent, time.clock);
		const now = time.clock.now();
		await cleanup.sent(sent('raider', 'm1', { leaveUntil: 10 * MINUTE }, now));
		await cleanup.sent(sent('stayer', 'm2', { leaveUntil: 10 * MINUTE, deleteAt: 60 * MINUTE }, now));
		await cleanup.sent(sent('plain', 'm3', {}, now));
		expect(cleanup.pending('g').map((item) => item.messageId)).toEqual(['m1', 'm2']);

		expect(await cleanup.memberLeft('g', 'raider')).toBe(1);
		expect(deleted).toEqual(['m1']);
		await time.advance(11 * MINUTE);
		// The window closed: leaving now keeps the welcome, which still goes at its time.
		expect(await cleanup.memberLeft('g', 'stayer')).toBe(0);
		expect((await storage.entries(WELCOME_MESSAGES_NAMESPACE)).map(([, value]) => (value as SentWelcome).leaveUntil)).toEqual([null]);
		await time.advance(50 * MINUTE);
		expect(deleted).toEqual(['m1', 'm2']);
		expect(await storage.entries(WELCOME_MESSAGES_NAMESPACE)).toEqual([]);
		cleanup.stop();
	});

	it('after a restart, schedules what was stored and deletes what fell due meanwhile', async () => {
		const time = manualClock();
		const before = new WelcomeCleanup(storage, client, silent, time.clock);
		await before.sent(sent('a', 'm1', { deleteAt: MINUTE }, time.clock.now()));
		await before.sent(sent('b', 'm2', { deleteAt: 30 * MINUTE }, time.clock.now()));
		before.stop();
		await time.advance(5 * MINUTE);
		const after = new WelcomeCleanup(storage, client, silent, time.clock);
		expect(await after.start()).toBe(2);
		await time.advance(0);
		expect(deleted).toEqual(['m1']);
		expect(after.pending().map((item) => item.messageId)).toEqual(['m2']);
		after.stop();
	});
});
