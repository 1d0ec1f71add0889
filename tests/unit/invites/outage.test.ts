import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InviteTracker } from '../../../src/lib/invites/tracker.js';
import { openStorage, type BackendStorage } from '../../../src/storage-adapters/index.js';
import { ChildRedis, redisServerAvailable } from '../../helpers/child-redis.js';
import { freePort } from '../../helpers/free-port.js';
import { FakeGuildInvites } from './_fake-guild-invites.js';

const GUILD = '100000000000000001';
const OLD_ACCOUNT = Date.now() - 365 * 24 * 3600 * 1000;

/** Joins and leaves happen once: during a Redis outage they wait and are stored when it is back, never lost. */
describe.skipIf(!redisServerAvailable)('InviteTracker during a Redis outage (a child redis-server stopped)', () => {
	let dir: string;
	let redis: ChildRedis;
	let storage: BackendStorage;
	let discord: FakeGuildInvites;
	let tracker: InviteTracker;
	const log: string[] = [];
	const logger = {
		info: (line: string) => log.push(`info ${line}`),
		warn: (line: string) => log.push(`warn ${line}`),
		error: (line: string) => log.push(`error ${line}`)
	};

	beforeEach(async () => {
		dir = await mkdtemp(join(tmpdir(), 'tracker-outage-'));
		redis = new ChildRedis(await freePort(), dir, 'tracker-outage-password');
		await redis.start();
		storage = await openStorage({
			adapter: 'redis',
			dataDir: dir,
			sqlitePath: join(dir, 'bot.sqlite'),
			redisUrl: redis.url,
			backupDir: join(dir, 'backups'),
			backupKeep: 3
		});
		discord = new FakeGuildInvites();
		discord.add('alice-code', 'alice');
		tracker = await InviteTracker.load(storage, discord, logger);
		await tracker.refresh(GUILD);
	});

	afterEach(async () => {
		await storage?.close().catch(() => undefined);
		redis?.process?.kill('SIGKILL');
		await rm(dir, { recursive: true, force: true });
	});

	it('stores a join and a leave made while Redis was down once it is back, credited as usual', { timeout: 30_000 }, async () => {
		discord.use('alice-code');
		await tracker.join({ guildId: GUILD, memberId: 'stays', bot: false, accountCreatedAt: OLD_ACCOUNT });
		discord.use('alice-code');
		await tracker.join({ guildId: GUILD, memberId: 'leaves', bot: false, accountCreatedAt: OLD_ACCOUNT });

		await redis.stop();
		discord.use('alice-code');
		let joinSettled = false;
		const joined = tracker
			.join({ guildId: GUILD, memberId: 'during', bot: false, accountCreatedAt: OLD_ACCOUNT })
			.finally(() => (joinSettled = true));
		let leaveSettled = false;
		const left = tracker.leave(GUILD, 'leaves').finally(() => (leaveSettled = true));
		await new Promise((resolve) => setTimeout(resolve, 2000));
		expect(joinSettled, 'the join waits for the storage instead of failing').toBe(false);
		expect(leaveSettled, 'the leave waits for the storage instead of failing').toBe(false);

		await redis.start();
		const record = await joined;
		await left;
		expect(record?.credit?.inviterId).toBe('alice');
		expect(tracker.counts(GUILD, 'alice')).toEqual({ regular: 3, left: 1, fake: 0, bonus: 0 });
		// Stored, not only counted in memory: a tracker loaded from the storage agrees.
		const reloaded = await InviteTracker.load(storage, discord, logger);
		expect(reloaded.counts(GUILD, 'alice')).toEqual({ regular: 3, left: 1, fake: 0, bonus: 0 });
		expect(log.some((line) => /^warn Join of member during .*waiting for the storage/.test(line))).toBe(true);
		expect(log.some((line) => /^info Join of member during .*stored now/.test(line))).toBe(true);
	});

	it('still throws what is not an outage at once', async () => {
		await storage.close();
		await expect(tracker.join({ guildId: GUILD, memberId: 'late', bot: false, accountCreatedAt: OLD_ACCOUNT })).rejects.toThrow(/closed/);
	});
});
