import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InviteTracker, type JoinInput } from '../../../src/lib/invites/tracker.js';
import type { BackendStorage } from '../../../src/storage-adapters/index.js';
import { createStorageFixture } from '../../helpers/storage.js';
import { FakeGuildInvites } from './_fake-guild-invites.js';

const GUILD = '100000000000000001';
const INVITERS = ['i0', 'i1', 'i2'];
const OLD_ACCOUNT = Date.now() - 365 * 24 * 3600 * 1000;
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
/** Events and uses of one burst come within microseconds of each other: far inside the quiet time. */
const TIMING = { quietMs: 100, maxWaitMs: 400 };

type Action =
	| { type: 'join'; invite: number | null; order: 'use-first' | 'late-event' | 'late-use' }
	| { type: 'leave'; pick: number }
	| { type: 'pause' }
	| { type: 'fetch-failure' }
	| { type: 'reconnect' }
	| { type: 'restart' };

const action: fc.Arbitrary<Action> = fc.oneof(
	{
		weight: 8,
		arbitrary: fc.record({
			type: fc.constant('join' as const),
			invite: fc.option(fc.integer({ min: 0, max: 2 }), { freq: 6 }),
			order: fc.constantFrom('use-first' as const, 'late-event' as const, 'late-use' as const)
		})
	},
	{ weight: 2, arbitrary: fc.record({ type: fc.constant('leave' as const), pick: fc.nat() }) },
	{ weight: 2, arbitrary: fc.constant({ type: 'pause' as const }) },
	{ weight: 1, arbitrary: fc.constant({ type: 'fetch-failure' as const }) },
	{ weight: 1, arbitrary: fc.constant({ type: 'reconnect' as const }) },
	{ weight: 1, arbitrary: fc.constant({ type: 'restart' as const }) }
);

/** A source whose next fetches can be made to fail. */
class FlakyGuild extends FakeGuildInvites {
	public failNext = 0;
	public override async fetch() {
		if (this.failNext > 0) {
			this.failNext--;
			this.fetches++;
			return { ok: false as const, reason: 'injected fetch failure' };
		}
		return super.fetch();
	}
}

/**
 * Runs one interleaving against the real tracker on the file adapter and the modelled Discord: every join's use and
 * event in either order (within a burst), joins without an invite, leaves, failed fetches, sessions that cannot
 * resume (events in between lost) and crashes (the process gone, storage reopened).
 */
async function run(actions: Action[]) {
	const fixture = await createStorageFixture('file');
	try {
		const discord = new FlakyGuild();
		INVITERS.forEach((inviterId, index) => discord.add(`c${index}`, inviterId));
		let storage: BackendStorage = await fixture.open();
		let tracker = await InviteTracker.load(storage, discord, silent, TIMING);
		await tracker.refresh(GUILD);
		const truth = new Map<string, string | null>();
		const present: string[] = [];
		let outstanding: Array<Promise<unknown>> = [];
		// What is on its way: uses counted after their event, events sent after their use (one action later at most).
		let laterUses: Array<() => void> = [];
		let laterEvents: Array<() => void> = [];
		let connected = true;
		let discovery = false;
		let failures = false;
		let interruptions = false;
		const deliver = (event: () => Promise<unknown>) => {
			if (connected) outstanding.push(event().catch(() => undefined));
		};
		const flushLater = () => {
			const due = [...laterUses, ...laterEvents];
			laterUses = [];
			laterEvents = [];
			for (const step of due) step();
		};
		const settle = async () => {
			flushLater();
			if (!connected) {
				connected = true;
				await tracker.refresh(GUILD);
			}
			await Promise.all(outstanding);
			outstanding = [];
		};
		for (const [position, step] of actions.entries()) {
			if (step.type === 'join') {
				const memberId = `m${position}`;
				const code = step.invite === null ? null : `c${step.invite}`;
				truth.set(memberId, step.invite === null ? null : INVITERS[step.invite]!);
				if (code === null) discovery = true;
				const input: JoinInput = { guildId: GUILD, memberId, bot: false, accountCreatedAt: OLD_ACCOUNT, joinedAt: Date.now() };
				discord.list(memberId, input.joinedAt!);
				present.push(memberId);
				const use = () => code && discord.use(code);
				const event = () => deliver(() => tracker.join(input));
				flushLater();
				if (step.order === 'late-use' && code) {
					event();
					laterUses.push(use);
				} else if (step.order === 'late-event') {
					use();
					laterEvents.push(event);
				} else {
					use();
					event();
				}
			} else if (step.type === 'leave' && present.length > 0) {
				const [memberId] = present.splice(step.pick % present.length, 1);
				discord.unlist(memberId!);
				deliver(() => tracker.leave(GUILD, memberId!));
			} else if (step.type === 'pause') {
				await settle();
			} else if (step.type === 'fetch-failure') {
				failures = true;
				discord.failNext++;
			} else if (step.type === 'reconnect') {
				interruptions = true;
				connected = false;
			} else if (step.type === 'restart') {
				interruptions = true;
				// Events still on their way are lost with the process; uses on their way still happen.
				for (const use of laterUses) use();
				laterUses = [];
				laterEvents = [];
				await storage.close();
				outstanding = [];
				storage = await fixture.open();
				tracker = await InviteTracker.load(storage, discord, silent, TIMING);
				connected = true;
				await tracker.refresh(GUILD);
			}
			await new Promise((resolve) => setImmediate(resolve));
		}
		await settle();

		const truthCounts = new Map<string, number>();
		for (const [memberId, inviterId] of truth) {
			if (inviterId) truthCounts.set(inviterId, (truthCounts.get(inviterId) ?? 0) + 1);
			const join = (await tracker.history(GUILD, memberId))?.joins.at(-1);
			// No member is ever individually credited to an inviter who did not invite them.
			if (join?.how === 'normal') expect(join.inviterId, `${memberId} credited individually`).toBe(inviterId);
		}
		for (const inviterId of INVITERS) {
			const credited = tracker.counts(GUILD, inviterId).regular;
			const real = truthCounts.get(inviterId) ?? 0;
			expect(credited, `${inviterId}'s regular count`).toBeLessThanOrEqual(real);
			// With every join through a visible invite, nothing lost and nothing interrupted, the uses determine the counts.
			if (!discovery && !failures && !interruptions) expect(credited, `${inviterId}'s regular count, determined by the uses`).toBe(real);
		}
		await storage.close();
	} finally {
		await fixture.dispose();
	}
}

describe('invite attribution over random interleavings of events', () => {
	it(
		'never credits a member to the wrong inviter, never credits an inviter beyond the truth, and is exact where the uses decide',
		{ timeout: 240_000 },
		async () => {
			await fc.assert(fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 24 }), run), { numRuns: 30 });
		}
	);
});
