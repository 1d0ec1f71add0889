import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { total } from '../../../src/lib/invites/records.js';
import { InviteTracker } from '../../../src/lib/invites/tracker.js';
import type { BackendStorage } from '../../../src/storage-adapters/index.js';
import { createStorageFixture, type StorageFixture } from '../../helpers/storage.js';
import { FakeGuildInvites } from './_fake-guild-invites.js';

const GUILD = '100000000000000001';
const OLD_ACCOUNT = Date.now() - 365 * 24 * 3600 * 1000;
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
/** Short waits keep the tests fast; the fake's events come with no delay, well within the quiet time. */
const TIMING = { quietMs: 20, maxWaitMs: 300 };

describe('InviteTracker', () => {
	let fixture: StorageFixture;
	let storage: BackendStorage;
	let discord: FakeGuildInvites;
	let tracker: InviteTracker;

	beforeEach(async () => {
		fixture = await createStorageFixture('file');
		storage = await fixture.open();
		discord = new FakeGuildInvites();
		discord.add('alice-code', 'alice');
		discord.add('bob-code', 'bob');
		tracker = await InviteTracker.load(storage, discord, silent, TIMING);
		await tracker.refresh(GUILD);
	});

	afterEach(async () => {
		await fixture.dispose();
	});

	async function join(memberId: string, code: string | null, accountCreatedAt = OLD_ACCOUNT) {
		if (code) discord.use(code);
		const { joinedAt } = discord.list(memberId, Date.now(), false, accountCreatedAt);
		return tracker.join({ guildId: GUILD, memberId, bot: false, accountCreatedAt, joinedAt });
	}

	it('credits the inviter, counts leaves, and does not count a rejoin twice', async () => {
		const record = await join('m1', 'alice-code');
		expect(record?.joins.at(-1)).toMatchObject({ how: 'normal', code: 'alice-code', inviterId: 'alice' });
		await join('m2', 'alice-code');
		expect(tracker.counts(GUILD, 'alice')).toEqual({ regular: 2, left: 0, fake: 0, bonus: 0 });
		await tracker.leave(GUILD, 'm1');
		expect(tracker.counts(GUILD, 'alice')).toEqual({ regular: 2, left: 1, fake: 0, bonus: 0 });
		expect(total(tracker.counts(GUILD, 'alice'))).toBe(1);
		await join('m1', 'alice-code');
		expect(tracker.counts(GUILD, 'alice')).toEqual({ regular: 2, left: 0, fake: 0, bonus: 0 });
	});

	it('ignores a repeated join or leave event, without blurring a real join next to it', async () => {
		await join('m1', 'alice-code');
		const { fetches } = discord;
		const [repeat, real] = await Promise.all([
			tracker.join({ guildId: GUILD, memberId: 'm1', bot: false, accountCreatedAt: OLD_ACCOUNT }),
			join('m2', 'bob-code')
		]);
		expect(repeat).toBeUndefined();
		expect(real?.joins.at(-1)).toMatchObject({ how: 'normal', inviterId: 'bob' });
		expect(discord.fetches - fetches).toBe(1);
		expect(tracker.counts(GUILD, 'alice').regular).toBe(1);
		await tracker.leave(GUILD, 'm1');
		expect(await tracker.leave(GUILD, 'm1')).toBeUndefined();
		expect(tracker.counts(GUILD, 'alice').left).toBe(1);
	});

	it('sees a rejoin after a leave it missed, by the join time Discord reports', async () => {
		await join('m1', 'alice-code');
		discord.use('bob-code');
		const rejoinedAt = Date.now() + 1000;
		const record = await tracker.join({ guildId: GUILD, memberId: 'm1', bot: false, accountCreatedAt: OLD_ACCOUNT, joinedAt: rejoinedAt });
		// A repeat of that event (same joined_at) is still a repeat, whatever our clock says.
		expect(
			await tracker.join({ guildId: GUILD, memberId: 'm1', bot: false, accountCreatedAt: OLD_ACCOUNT, joinedAt: rejoinedAt })
		).toBeUndefined();
		expect(record?.leaves).toHaveLength(1);
		expect(record?.joins.at(-1)).toMatchObject({ how: 'normal', inviterId: 'bob' });
		expect(tracker.counts(GUILD, 'bob').regular).toBe(1);
	});

	it('counts young accounts and self-invites as fake', async () => {
		await join('young', 'alice-code', Date.now() - 24 * 3600 * 1000);
		await join('alice', 'alice-code');
		expect(tracker.counts(GUILD, 'alice')).toEqual({ regular: 2, left: 0, fake: 2, bonus: 0 });
		await tracker.updateConfig(GUILD, (config) => ({ ...config, fakeAccountDays: 0 }));
		await join('young2', 'alice-code', Date.now() - 1000);
		expect(tracker.counts(GUILD, 'alice').fake).toBe(2);
	});

	it('records unknown, vanity and bot joins without crediting anyone', async () => {
		discord.vanity = { code: 'cool', uses: 0 };
		await tracker.refresh(GUILD);
		expect((await join('u', null))?.joins[0]).toMatchObject({ how: 'unknown', inviterId: null });
		discord.vanity.uses++;
		expect((await join('v', null))?.joins[0]).toMatchObject({ how: 'vanity', code: 'cool' });
		expect((await tracker.join({ guildId: GUILD, memberId: 'b', bot: true, accountCreatedAt: OLD_ACCOUNT }))?.joins[0]).toMatchObject({
			how: 'bot'
		});
		expect(tracker.leaderboard(GUILD)).toEqual([]);
	});

	it('credits a single-use invite that disappeared on use', async () => {
		discord.add('once', 'bob', 1);
		tracker.noteInviteCreated(GUILD, discord.invites.once!);
		await join('m', 'once');
		expect(tracker.counts(GUILD, 'bob').regular).toBe(1);
	});

	it('adds and removes bonus invites', async () => {
		await tracker.addBonus(GUILD, 'bob', 5);
		await tracker.addBonus(GUILD, 'bob', -2);
		expect(tracker.counts(GUILD, 'bob')).toEqual({ regular: 0, left: 0, fake: 0, bonus: 3 });
	});

	it('resets a guild or one user durably, with a backup first', async () => {
		await join('m1', 'alice-code');
		await join('m2', 'bob-code');
		await tracker.addBonus(GUILD, 'bob', 4);
		const one = await tracker.reset(GUILD, 'alice');
		expect(one.affected).toBe(1);
		expect(total(tracker.counts(GUILD, 'alice'))).toBe(0);
		expect(total(tracker.counts(GUILD, 'bob'))).toBe(5);
		const all = await tracker.reset(GUILD);
		expect(all.affected).toBe(1);
		expect(all.backup.reason).toBe('before-reset');
		expect(tracker.leaderboard(GUILD)).toEqual([]);
		// New joins after the reset count again.
		await join('m3', 'bob-code');
		expect(tracker.counts(GUILD, 'bob')).toEqual({ regular: 1, left: 0, fake: 0, bonus: 0 });

		await storage.close();
		const reloaded = await InviteTracker.load(await fixture.open(), discord, silent, TIMING);
		expect(reloaded.counts(GUILD, 'bob')).toEqual({ regular: 1, left: 0, fake: 0, bonus: 0 });
		expect(total(reloaded.counts(GUILD, 'alice'))).toBe(0);
	});

	it('orders the leaderboard by total, then by id', async () => {
		await tracker.addBonus(GUILD, 'c', 2);
		await tracker.addBonus(GUILD, 'a', 2);
		await tracker.addBonus(GUILD, 'b', 3);
		expect(tracker.leaderboard(GUILD).map((row) => row.inviterId)).toEqual(['b', 'a', 'c']);
	});

	it('credits nobody with the uses of joins it could not attribute while invites were unreadable', async () => {
		discord.failure = 'the bot lacks the Manage Server permission';
		await join('during', 'alice-code');
		discord.failure = null;
		// Nobody used an invite for this one: the earlier use must not be pinned on it.
		expect((await join('after', null))?.joins[0]?.how).toBe('unknown');
		expect((await join('later', 'bob-code'))?.joins[0]).toMatchObject({ how: 'normal', inviterId: 'bob' });
		expect(tracker.counts(GUILD, 'alice').regular).toBe(0);
	});

	it('records joins as unknown when invites cannot be read, and says why', async () => {
		discord.failure = 'the bot lacks the Manage Server permission';
		expect((await join('m', 'alice-code'))?.joins[0]?.how).toBe('unknown');
		expect(tracker.unavailable.get(GUILD)).toMatch(/Manage Server/);
	});

	it('credits a burst of interleaved joins exactly per inviter, with no member individually credited wrongly', async () => {
		const codes = ['alice-code', 'bob-code', 'c3', 'c4', 'c5'];
		for (const code of codes.slice(2)) discord.add(code, `owner-${code}`);
		await tracker.refresh(GUILD);
		const fetchesBefore = discord.fetches;
		const truth = new Map<string, number>();
		const inviterOf = new Map<string, string>();
		const joins = [];
		for (let index = 0; index < 200; index++) {
			// Mostly runs through one invite, sometimes interleaved, as in a real raid or event.
			const code = codes[Math.floor(index / 20) % codes.length]!;
			const inviterId = discord.invites[code]!.inviterId!;
			inviterOf.set(`burst${index}`, inviterId);
			truth.set(inviterId, (truth.get(inviterId) ?? 0) + 1);
			joins.push(join(`burst${index}`, code));
			if (index % 7 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
		}
		const records = await Promise.all(joins);
		for (const [index, record] of records.entries()) {
			const attribution = record!.joins.at(-1)!;
			if (attribution.how === 'normal') expect(attribution.inviterId).toBe(inviterOf.get(`burst${index}`));
			else expect(attribution.how).toBe('burst');
		}
		expect(discord.fetches - fetchesBefore).toBeLessThan(200);
		for (const [inviterId, count] of truth) expect(tracker.counts(GUILD, inviterId).regular, inviterId).toBe(count);
	});

	it('attributes members who joined while the bot was away, from the member list, at the next start', async () => {
		await join('before', 'alice-code');
		await storage.close();
		// The bot is down: two members join through bob's invite, and a bot is added.
		for (const memberId of ['away1', 'away2']) {
			discord.use('bob-code');
			discord.list(memberId, Date.now() + 1);
		}
		discord.list('away-bot', Date.now() + 2, true);
		storage = await fixture.open();
		const restarted = await InviteTracker.load(storage, discord, silent, TIMING);
		await restarted.refresh(GUILD);
		expect(restarted.counts(GUILD, 'bob')).toEqual({ regular: 2, left: 0, fake: 0, bonus: 0 });
		expect((await restarted.history(GUILD, 'away-bot'))?.joins[0]?.how).toBe('bot');
		expect(restarted.counts(GUILD, 'alice')).toEqual({ regular: 1, left: 0, fake: 0, bonus: 0 });
	});

	describe('issue 19 rules', () => {
		const MINUTE = 60_000;
		const counts = () => tracker.counts(GUILD, 'alice');

		it('reads a config stored before the new options with their defaults', async () => {
			await storage
				.namespace('invite-config')
				.set('200000000000000002', { fakeAccountDays: 3, rankRoles: [], removeRankRolesBelow: false, resetAt: 0 });
			const reloaded = await InviteTracker.load(storage, discord, silent, TIMING);
			expect(reloaded.config('200000000000000002')).toMatchObject({
				fakeAccountDays: 3,
				fakeWithoutAvatar: false,
				fakeLeftWithinMinutes: 0,
				rejoinPolicy: 'move',
				rankRoleMode: 'stack',
				joinLog: null,
				milestones: null
			});
		});

		it('the new settings and the milestone marks are in backups and come back with a restore', async () => {
			const settings = {
				fakeLeftWithinMinutes: 10,
				rejoinPolicy: 'keep-first' as const,
				rankRoleMode: 'highest' as const,
				joinLog: { channelId: '300', problem: null },
				milestones: { channelId: '301', template: '{inviter} {total}', numbers: [5, 10], problem: null }
			};
			await tracker.updateConfig(GUILD, (config) => ({ ...config, ...settings }));
			await storage.namespace('invite-milestones').set(`${GUILD}:alice`, { announced: [5], at: Date.now() });
			const backup = await storage.backup('manual');
			await tracker.updateConfig(GUILD, (config) => ({ ...config, joinLog: null, milestones: null, rankRoleMode: 'stack' }));
			await storage.namespace('invite-milestones').delete(`${GUILD}:alice`);
			await storage.restore(backup.id);
			const reloaded = await InviteTracker.load(storage, discord, silent, TIMING);
			expect(reloaded.config(GUILD)).toMatchObject(settings);
			expect(await storage.namespace('invite-milestones').get(`${GUILD}:alice`)).toMatchObject({ announced: [5] });
		});

		it('a quick leave counts as fake instead of left, a rejoin takes it back, and the rule applies from when it is set', async () => {
			await join('m1', 'alice-code');
			const joinedAt = (await tracker.history(GUILD, 'm1'))!.joins.at(-1)!.at;
			await tracker.leave(GUILD, 'm1', joinedAt + MINUTE);
			// Off when m1 left: a leave, and switching the rule on later does not rewrite it.
			await tracker.updateConfig(GUILD, (config) => ({ ...config, fakeLeftWithinMinutes: 5 }));
			expect(counts()).toEqual({ regular: 1, left: 1, fake: 0, bonus: 0 });
			await join('m1', 'alice-code');
			const rejoinedAt = (await tracker.history(GUILD, 'm1'))!.joins.at(-1)!.at;
			await tracker.leave(GUILD, 'm1', rejoinedAt + 4 * MINUTE);
			expect(counts()).toEqual({ regular: 1, left: 0, fake: 1, bonus: 0 });
			expect((await tracker.history(GUILD, 'm1'))!.credit).toMatchObject({ fake: true, left: true, fakeReasons: ['left-quickly'] });
			await join('m1', 'alice-code');
			expect(counts()).toEqual({ regular: 1, left: 0, fake: 0, bonus: 0 });
			await join('m2', 'alice-code');
			const m2At = (await tracker.history(GUILD, 'm2'))!.joins.at(-1)!.at;
			await tracker.leave(GUILD, 'm2', m2At + 6 * MINUTE);
			expect(counts()).toEqual({ regular: 2, left: 1, fake: 0, bonus: 0 });
			// What is in memory is what the stored records say.
			const reloaded = await InviteTracker.load(storage, discord, silent, TIMING);
			expect(reloaded.counts(GUILD, 'alice')).toEqual(counts());
		});

		it('a quick leaver who returns without a known invite is no longer fake either (review 19 P3.14)', async () => {
			await tracker.updateConfig(GUILD, (config) => ({ ...config, fakeLeftWithinMinutes: 5 }));
			await join('m1', 'alice-code');
			const joinedAt = (await tracker.history(GUILD, 'm1'))!.joins.at(-1)!.at;
			await tracker.leave(GUILD, 'm1', joinedAt + MINUTE);
			expect(counts()).toEqual({ regular: 1, left: 0, fake: 1, bonus: 0 });
			await join('m1', null);
			expect((await tracker.history(GUILD, 'm1'))!.joins.at(-1)!.inviterId).toBeNull();
			const { credit } = (await tracker.history(GUILD, 'm1'))!;
			expect(credit).toMatchObject({ inviterId: 'alice', fake: false });
			expect(credit!.fakeReasons).toBeUndefined();
			expect(counts().fake).toBe(0);
		});

		it('keep-first keeps a rejoin through another inviter with the first; move gives it to the new one', async () => {
			await tracker.updateConfig(GUILD, (config) => ({ ...config, rejoinPolicy: 'keep-first' }));
			await join('m1', 'alice-code');
			await tracker.leave(GUILD, 'm1');
			await join('m1', 'bob-code');
			expect(counts()).toEqual({ regular: 1, left: 0, fake: 0, bonus: 0 });
			expect(tracker.counts(GUILD, 'bob')).toEqual({ regular: 0, left: 0, fake: 0, bonus: 0 });
			await tracker.updateConfig(GUILD, (config) => ({ ...config, rejoinPolicy: 'move' }));
			await tracker.leave(GUILD, 'm1');
			await join('m1', 'bob-code');
			expect(counts()).toEqual({ regular: 0, left: 0, fake: 0, bonus: 0 });
			expect(tracker.counts(GUILD, 'bob')).toEqual({ regular: 1, left: 0, fake: 0, bonus: 0 });
		});
	});
});
