import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TrackingStoppedError } from '../../../src/lib/invites/stream.js';
import { InviteTracker } from '../../../src/lib/invites/tracker.js';
import { RunningServices } from '../../../src/lib/shutdown.js';
import { createStorageFixture, type StorageFixture } from '../../helpers/storage.js';
import { FakeGuildInvites } from './_fake-guild-invites.js';

const GUILD = '100000000000000001';
const OLD_ACCOUNT = Date.now() - 365 * 24 * 3600 * 1000;
/** Long enough that every join below is still queued (waiting for quiet) when shutdown begins. */
const TIMING = { quietMs: 5000, maxWaitMs: 20_000 };

/**
 * Shutdown while joins are queued (issue 13's lifecycle item): the tracker is a running service, stopped before storage
 * closes; every join and leave already received is written before the close, nothing is written after it.
 */
describe.each(['file', 'sqlite'] as const)('invite tracking at shutdown: %s', (adapter) => {
	let fixture: StorageFixture;

	beforeEach(async () => {
		fixture = await createStorageFixture(adapter);
	});

	afterEach(async () => {
		await fixture.dispose();
	});

	it('writes the queued joins and leaves before storage closes, takes nothing after, and writes nothing after the close', async () => {
		const storage = await fixture.open();
		const discord = new FakeGuildInvites();
		discord.add('alice-code', 'alice');
		const errors: string[] = [];
		const logger = { info: () => undefined, warn: (line: string) => errors.push(line), error: (line: string) => errors.push(line) };
		const tracker = await InviteTracker.load(storage, discord, logger, TIMING);
		await tracker.refresh(GUILD);
		const services = new RunningServices();
		services.add('invite tracking', () => tracker.stop());

		const members = Array.from({ length: 20 }, (_, index) => `member-${index}`);
		const queued = members.map((memberId) => {
			discord.use('alice-code');
			return tracker.join({ guildId: GUILD, memberId, bot: false, accountCreatedAt: OLD_ACCOUNT, joinedAt: Date.now() });
		});
		const leave = tracker.leave(GUILD, 'member-0');
		// The first fetch is in; the joins now wait for quiet (5 s) when the shutdown comes.
		await new Promise((resolve) => setTimeout(resolve, 100));

		await services.stopAll();
		const late = await tracker.join({ guildId: GUILD, memberId: 'late', bot: false, accountCreatedAt: OLD_ACCOUNT }).then(
			() => null,
			(error: unknown) => error
		);
		await storage.close();

		const records = await Promise.all(queued);
		expect(records.every((record) => record?.credit?.inviterId === 'alice')).toBe(true);
		expect((await leave)?.present).toBe(false);
		expect(late).toBeInstanceOf(TrackingStoppedError);
		// A write after the close would fail the stream with StorageClosedError and be logged.
		await new Promise((resolve) => setTimeout(resolve, 200));
		expect(errors).toEqual([]);

		const reopened = await fixture.open();
		const restarted = await InviteTracker.load(reopened, discord, logger, TIMING);
		expect(restarted.counts(GUILD, 'alice')).toEqual({ regular: 20, left: 1, fake: 0, bonus: 0 });
		expect(await restarted.history(GUILD, 'late')).toBeUndefined();
		await reopened.close();
	});
});
