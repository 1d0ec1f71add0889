import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
	GiveawayService,
	PermanentDiscordError,
	type GiveawayDiscord,
	type GiveawayMessagePayload,
	type StartInput
} from '../../../src/lib/giveaways/service.js';
import { CLAIM_TIMEOUT_MS, GIVEAWAY_ENTRIES_NAMESPACE, GIVEAWAY_NAMESPACE, type Giveaway } from '../../../src/lib/giveaways/state.js';
import type { MemberFacts } from '../../../src/lib/giveaways/requirements.js';
import type { TFunction } from 'i18next';
import { announcementMarker, autoRerollMarker, claimDmMarker, isGiveawayFooter } from '../../../src/lib/giveaways/views.js';
import type { Storage } from '../../../src/storage-adapters/index.js';
import { eventually } from '../../helpers/eventually.js';
import { ADAPTERS, createStorageFixture, type StorageFixture } from '../../helpers/storage.js';
import { inEnglish, languageT, readable } from '../../helpers/i18n.js';

const REDIS_DATABASE = 14;

/** A member as the requirements see it: old account, long in the server, no boost, no invites. */
const member = (roleIds: string[] = []): MemberFacts => ({ roleIds, accountCreatedAt: 0, joinedAt: 0, boosting: false, inviteTotal: 0 });

/** Discord as the giveaways see it: channels of messages, and who is still a member with which roles. */
class FakeDiscord implements GiveawayDiscord {
	public readonly members = new Map<string, string[]>();
	public readonly posted: Array<{ id: string; channelId: string; content: string; nonce: string | null }> = [];
	public readonly edits: Array<{ messageId: string; payload: GiveawayMessagePayload }> = [];
	/** Files sent by DM, by `dm:<user>:<content>`. */
	public readonly files = new Map<string, string>();
	/** Users whose DMs are closed to the bot. */
	public readonly closedDms = new Set<string>();
	private nextId = 1000;

	public servesGuild(): boolean {
		return true;
	}

	public translator(): Promise<TFunction> {
		return Promise.resolve(languageT('en-US'));
	}

	public memberFacts(_guildId: string, userId: string): Promise<MemberFacts | null> {
		const roles = this.members.get(userId);
		return Promise.resolve(roles === undefined ? null : member(roles));
	}

	public postMessage(channelId: string, payload: GiveawayMessagePayload, nonce?: string): Promise<string> {
		// The giveaway message is posted as its footer text, which is what findPosted looks for.
		return Promise.resolve(this.post(channelId, payload.embeds[0]!.toJSON().footer?.text ?? 'giveaway', nonce ?? null));
	}

	public editMessage(_channelId: string, messageId: string, payload: GiveawayMessagePayload): Promise<void> {
		this.edits.push({ messageId, payload });
		return Promise.resolve();
	}

	public async sendAnnouncement(channelId: string, content: string, _winners: readonly string[], nonce: string): Promise<string> {
		// Let other endings interleave here, as a real network call would.
		await new Promise((resolve) => setTimeout(resolve, 5));
		return this.post(channelId, content, nonce);
	}

	public findAnnouncement(channelId: string, marker: string): Promise<string | null> {
		return Promise.resolve(this.posted.find((message) => message.channelId === channelId && message.content.includes(marker))?.id ?? null);
	}

	public findPosted(channelId: string, giveawayId: string): Promise<string | null> {
		return Promise.resolve(
			this.posted.find((message) => message.channelId === channelId && isGiveawayFooter(message.content, giveawayId))?.id ?? null
		);
	}

	public sendDirect(userId: string, content: string, file: { name: string; data: Buffer } | null, nonce: string): Promise<string> {
		if (this.closedDms.has(userId)) return Promise.reject(new PermanentDiscordError('Cannot send messages to this user'));
		if (file) this.files.set(`dm:${userId}:${content}`, file.data.toString('utf8'));
		return Promise.resolve(this.post(`dm:${userId}`, content, nonce));
	}

	public findDirect(userId: string, marker: string): Promise<string | null> {
		return this.findAnnouncement(`dm:${userId}`, marker);
	}

	public directMessages(userId: string) {
		return this.posted.filter((message) => message.channelId === `dm:${userId}`);
	}

	public giveawayPosts(giveawayId: string) {
		return this.posted.filter((message) => isGiveawayFooter(message.content, giveawayId));
	}

	public announcements(giveawayId: string) {
		return this.posted.filter((message) => message.content.includes(announcementMarker(giveawayId)));
	}

	public post(channelId: string, content: string, nonce: string | null): string {
		const id = String(this.nextId++);
		this.posted.push({ id, channelId, content, nonce });
		return id;
	}
}

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe.each(ADAPTERS)('giveaway service on $adapter', ({ adapter, available }) => {
	let fixture: StorageFixture;
	let storage: Storage;
	let discord: FakeDiscord;
	let clock: number;
	const services: GiveawayService[] = [];

	const service = (target: Storage = storage, owner = 'test') => {
		const created = new GiveawayService(target, discord, silent, { now: () => clock, owner, countEditIntervalMs: 50 });
		services.push(created);
		return created;
	};

	const start = (giveaways: GiveawayService, winnerCount = 2, requiredRoleId: string | null = null) =>
		giveaways.create({
			guildId: 'guild',
			channelId: 'chan',
			hostId: 'host',
			prize: 'Nitro',
			description: null,
			winnerCount,
			requiredRoleId,
			durationMs: 10_000
		});

	/** A giveaway in guild `guild`, channel `chan`, hosted by `host`, with the given prize and options. */
	const startWith = (giveaways: GiveawayService, options: Pick<StartInput, 'prize' | 'winnerCount' | 'durationMs'> & Partial<StartInput>) =>
		giveaways.create({ guildId: 'guild', channelId: 'chan', hostId: 'host', description: null, requiredRoleId: null, ...options });

	/** What a process that died mid-ending leaves: its claim, its winners, and its intent to announce (nonce n1). */
	const leaveDeadClaim = async (id: string, winners: string[]) => {
		const namespace = storage.namespace<Giveaway>(GIVEAWAY_NAMESPACE);
		const before = (await namespace.get(id))!;
		await namespace.set(id, {
			...before,
			state: 'ending',
			claim: { token: 'dead', owner: 'dead-process', at: clock },
			winners,
			announcement: { nonce: 'n1', startedAt: clock, messageId: null, failure: null }
		});
	};

	beforeEach(async () => {
		if (!available) return;
		fixture = await createStorageFixture(adapter, REDIS_DATABASE);
		storage = await fixture.open();
		discord = new FakeDiscord();
		clock = 1_700_000_000_000;
		for (let index = 0; index < 30; index++) discord.members.set(`u${index}`, index % 2 === 0 ? ['even'] : []);
	});

	afterEach(async () => {
		await Promise.all(services.splice(0).map((created) => created.stop()));
		if (available) await fixture.dispose();
	});

	it.skipIf(!available)('keeps every concurrent entry and leave', async () => {
		const giveaways = service();
		const { id } = await start(giveaways);
		const clicks = Array.from({ length: 30 }, (_, index) => `u${index}`);
		// u0..u9 click twice (enter, then leave); everyone else once.
		await Promise.all([...clicks, ...clicks.slice(0, 10)].map((userId) => giveaways.toggleEntry(id, userId, member())));
		expect((await giveaways.entrants(id)).sort()).toEqual(clicks.slice(10).sort());
		expect((await giveaways.get(id))!.entryCount).toBe(20);
	});

	it.skipIf(!available)('ends once when many services race, with distinct valid winners', async () => {
		const other = adapter === 'redis' ? await fixture.open() : storage;
		const giveaways = service(storage, 'p1');
		const { id } = await start(giveaways, 3, 'even');
		discord.members.delete('u2'); // left the server
		for (const userId of ['u1', 'u2', 'u3', 'u4', 'u6', 'u8']) await giveaways.toggleEntry(id, userId, member(['even']));
		clock += 10_000;
		const racers = [giveaways, service(other, 'p2'), service(storage, 'p3'), service(other, 'p4')];
		const outcomes = await Promise.all(racers.flatMap((racer) => [racer.end(id), racer.end(id)]));
		expect(outcomes.some((outcome) => outcome.ok)).toBe(true);
		expect(discord.announcements(id)).toHaveLength(1);
		const ended = (await giveaways.get(id))!;
		expect(ended.state).toBe('ended');
		expect(new Set(ended.winners).size).toBe(3);
		// Only members holding the required role: u4, u6, u8 (u1 and u3 lack it, u2 left).
		expect([...ended.winners!].sort()).toEqual(['u4', 'u6', 'u8']);
		expect(ended.announcement?.messageId).toBe(discord.announcements(id)[0]!.id);
		// The host got the entrant list once, with every entrant in it.
		const dms = discord.directMessages('host');
		expect(dms).toHaveLength(1);
		const csv = discord.files.get(`dm:host:${dms[0]!.content}`)!;
		expect(csv.trim().split('\n')).toHaveLength(1 + 6);
		expect(ended.hostList?.messageId).toBe(dms[0]!.id);
		// Ending again announces nothing more.
		await giveaways.end(id);
		expect(discord.announcements(id)).toHaveLength(1);
	});

	it.skipIf(!available)('leaves a fresh claim alone and takes over a timed-out one without repeating its announcement', async () => {
		const giveaways = service();
		const { id } = await start(giveaways, 1);
		await giveaways.toggleEntry(id, 'u0', member());
		clock += 10_000;
		// A process claimed the ending, drew, decided to announce, sent, and died before recording the message id.
		await leaveDeadClaim(id, ['u0']);
		const sent = discord.post('chan', `🎉 Congratulations <@u0>! ${announcementMarker(id)}`, 'n1');

		clock += 1000;
		expect(readable(await giveaways.end(id))).toMatchObject({ ok: false, reason: expect.stringMatching(/being ended by dead-process/) });
		clock += CLAIM_TIMEOUT_MS;
		expect(await giveaways.end(id)).toMatchObject({ ok: true });
		expect(discord.announcements(id)).toHaveLength(1);
		expect(await storage.namespace(GIVEAWAY_NAMESPACE).get(id)).toMatchObject({
			state: 'ended',
			winners: ['u0'],
			announcement: { messageId: sent }
		});
	});

	it.skipIf(!available)('a clean stop lets the endings in progress finish, one begun during the wait too', async () => {
		const giveaways = service();
		const first = await start(giveaways, 1);
		const second = await start(giveaways, 1);
		await giveaways.toggleEntry(first.id, 'u0', member());
		await giveaways.toggleEntry(second.id, 'u1', member());
		clock += 10_000;
		// Slow announcements (a rate limit), each released on its own: the stop comes while endings hold their claims.
		const gates = new Map<string, () => void>();
		const send = discord.sendAnnouncement.bind(discord);
		discord.sendAnnouncement = async (...args) => {
			const id = [first.id, second.id].find((candidate) => args[1].includes(announcementMarker(candidate)))!;
			await new Promise<void>((resolve) => gates.set(id, resolve));
			return send(...args);
		};
		const endings = [giveaways.end(first.id)];
		await eventually(() => Promise.resolve(gates.has(first.id)), 'the first ending to announce');
		let stopped = false;
		const stopping = giveaways.stop().then(() => (stopped = true));
		// Discord is still connected during the wait: /giveaway end arrives for the second one.
		endings.push(giveaways.end(second.id));
		await eventually(() => Promise.resolve(gates.has(second.id)), 'the second ending to announce');
		gates.get(first.id)!();
		await new Promise((resolve) => setTimeout(resolve, 100));
		expect(stopped).toBe(false);
		gates.get(second.id)!();
		await stopping;
		for (const ending of await Promise.all(endings)) expect(ending).toMatchObject({ ok: true });
		for (const { id } of [first, second]) {
			expect(await giveaways.get(id)).toMatchObject({ state: 'ended', claim: null });
			expect(discord.announcements(id)).toHaveLength(1);
		}
	});

	it.skipIf(!available)('sends the announcement after a takeover when the dead holder never did, with its nonce', async () => {
		const giveaways = service();
		const { id } = await start(giveaways, 1);
		clock += 10_000;
		await leaveDeadClaim(id, []);
		clock += CLAIM_TIMEOUT_MS;
		expect(await giveaways.end(id)).toMatchObject({ ok: true });
		expect(discord.announcements(id)).toEqual([expect.objectContaining({ nonce: 'n1', content: expect.stringMatching(/nobody won/) })]);
	});

	it.skipIf(!available)('moves the entrant list of a record from before the entries namespace into entries, and draws from them', async () => {
		const giveaways = service();
		const { id } = await start(giveaways, 2);
		const namespace = storage.namespace<Giveaway>(GIVEAWAY_NAMESPACE);
		const { entryCount: _, ...current } = (await namespace.get(id))!;
		await namespace.set(id, { ...current, entrants: ['u0', 'u2', 'u4'] } as Giveaway);
		await giveaways.startScheduling();
		expect((await giveaways.entrants(id)).sort()).toEqual(['u0', 'u2', 'u4']);
		expect(await namespace.get(id)).toMatchObject({ entryCount: 3 });
		expect(await namespace.get(id)).not.toHaveProperty('entrants');
		// Entering and leaving go on from there.
		await giveaways.toggleEntry(id, 'u2', member());
		await giveaways.toggleEntry(id, 'u6', member());
		expect((await giveaways.entrants(id)).sort()).toEqual(['u0', 'u4', 'u6']);
		clock += 10_000;
		const ended = await giveaways.end(id);
		expect(ended.ok && [...ended.value.winners!].every((winner) => ['u0', 'u4', 'u6'].includes(winner))).toBe(true);
		expect(ended.ok && ended.value.winners).toHaveLength(2);
	});

	it.skipIf(!available)('rerolls among entrants who have not won, with the winner count by default', async () => {
		const giveaways = service();
		const { id } = await start(giveaways, 2);
		for (const userId of ['u0', 'u1', 'u2', 'u3', 'u4']) await giveaways.toggleEntry(id, userId, member());
		expect((await giveaways.endEarly('guild', id)).ok).toBe(true);
		const first = (await giveaways.get(id))!.winners!;
		const reroll = await giveaways.reroll('guild', id, 'host');
		if (!reroll.ok) throw new Error(inEnglish(reroll.reason));
		expect(reroll.value.winners).toHaveLength(2);
		expect(reroll.value.winners.filter((winner) => first.includes(winner))).toEqual([]);
		const last = await giveaways.reroll('guild', id, 'host', 5);
		expect(last.ok && last.value.winners).toHaveLength(1);
		expect(readable(await giveaways.reroll('other-guild', id, 'host'))).toMatchObject({
			ok: false,
			reason: expect.stringMatching(/no giveaway/)
		});
	});

	it.skipIf(!available)('deletes giveaways ended or cancelled longer than the retention ago, with their entries only', async () => {
		const DAY = 86_400_000;
		const giveaways = new GiveawayService(storage, discord, silent, { now: () => clock, retentionMs: 30 * DAY });
		services.push(giveaways);
		const old = await start(giveaways, 1);
		const recent = await start(giveaways, 1);
		const cancelled = await start(giveaways, 1);
		const running = await start(giveaways, 1);
		for (const { id } of [old, recent, cancelled, running])
			for (const userId of ['u0', 'u1', 'u2']) await giveaways.toggleEntry(id, userId, member());
		expect((await giveaways.endEarly('guild', old.id)).ok).toBe(true);
		expect((await giveaways.cancel('guild', cancelled.id)).ok).toBe(true);
		clock += 20 * DAY;
		expect((await giveaways.endEarly('guild', recent.id)).ok).toBe(true);
		clock += 10 * DAY + 1;
		expect(await giveaways.prune()).toBe(2);
		expect(await giveaways.get(old.id)).toBeUndefined();
		expect(await giveaways.get(cancelled.id)).toBeUndefined();
		expect(await giveaways.entrants(old.id)).toEqual([]);
		expect(await giveaways.entrants(cancelled.id)).toEqual([]);
		expect((await giveaways.entrants(recent.id)).sort()).toEqual(['u0', 'u1', 'u2']);
		expect((await giveaways.entrants(running.id)).sort()).toEqual(['u0', 'u1', 'u2']);
		// Still possible until its retention passes.
		expect((await giveaways.reroll('guild', recent.id, 'host')).ok).toBe(true);
		expect(await giveaways.prune()).toBe(0);
		clock += 20 * DAY;
		expect(await giveaways.prune()).toBe(1);
		expect((await storage.entries(GIVEAWAY_ENTRIES_NAMESPACE)).map(([key]) => key.split(':')[0])).toEqual([running.id, running.id, running.id]);
		expect((await giveaways.get(running.id))?.state).toBe('active');
	});

	it.skipIf(!available)('ends giveaways on time from one timer, including ones due before it started', async () => {
		clock = Date.now();
		const giveaways = new GiveawayService(storage, discord, silent, { sweepMs: 60_000 });
		services.push(giveaways);
		const overdue = await giveaways.create({
			guildId: 'guild',
			channelId: 'chan',
			hostId: 'host',
			prize: 'Old',
			description: null,
			winnerCount: 1,
			requiredRoleId: null,
			durationMs: 1000
		});
		const soon = await giveaways.create({
			guildId: 'guild',
			channelId: 'chan',
			hostId: 'host',
			prize: 'Soon',
			description: null,
			winnerCount: 1,
			requiredRoleId: null,
			durationMs: 1500
		});
		const paused = await giveaways.create({
			guildId: 'guild',
			channelId: 'chan',
			hostId: 'host',
			prize: 'Paused',
			description: null,
			winnerCount: 1,
			requiredRoleId: null,
			durationMs: 1000
		});
		await giveaways.pause('guild', paused.id);
		await new Promise((resolve) => setTimeout(resolve, 1100));
		await giveaways.startScheduling();
		await eventually(
			async () => (await giveaways.get(overdue.id))?.state === 'ended' && (await giveaways.get(soon.id))?.state === 'ended',
			'both giveaways to end'
		);
		expect((await giveaways.get(paused.id))?.state).toBe('paused');
		expect(discord.announcements(overdue.id)).toHaveLength(1);
		expect(discord.announcements(soon.id)).toHaveLength(1);
	});

	it.skipIf(!available)('a scheduled giveaway is posted once at its start time, however many services race for it', async () => {
		const other = adapter === 'redis' ? await fixture.open() : storage;
		const giveaways = service(storage, 'p1');
		const scheduled = await startWith(giveaways, { prize: 'Later', winnerCount: 1, durationMs: 10_000, startsAt: clock + 5000 });
		expect(scheduled.state).toBe('scheduled');
		expect(discord.giveawayPosts(scheduled.id)).toHaveLength(0);
		expect(readable(await giveaways.toggleEntry(scheduled.id, 'u1', member()))).toEqual({
			ok: false,
			reason: 'This giveaway has not started yet.'
		});
		const racers = [giveaways, service(other, 'p2'), service(storage, 'p3')];
		expect((await racers[1]!.startScheduled(scheduled.id)).ok).toBe(false);
		clock += 5000;
		await Promise.all(racers.flatMap((racer) => [racer.startScheduled(scheduled.id), racer.startScheduled(scheduled.id)]));
		expect(discord.giveawayPosts(scheduled.id)).toHaveLength(1);
		const started = (await giveaways.get(scheduled.id))!;
		expect(started).toMatchObject({ state: 'active', messageId: discord.giveawayPosts(scheduled.id)[0]!.id, claim: null });
		// The duration counts from the start.
		expect(started.endsAt).toBe(clock + 10_000);
		expect((await giveaways.toggleEntry(scheduled.id, 'u1', member())).ok).toBe(true);
	});

	it.skipIf(!available)('a takeover after a start holder died finds its message instead of posting again', async () => {
		const giveaways = service();
		const { id } = await startWith(giveaways, { prize: 'Later', winnerCount: 1, durationMs: 10_000, startsAt: clock + 1000 });
		clock += 1000;
		const namespace = storage.namespace<Giveaway>(GIVEAWAY_NAMESPACE);
		await namespace.set(id, {
			...(await namespace.get(id))!,
			claim: { token: 'dead', owner: 'dead-process', at: clock },
			post: { nonce: 'n1', startedAt: clock, messageId: null, failure: null }
		});
		const posted = discord.post('chan', `Giveaway ID: ${id}`, 'n1');
		expect((await giveaways.startScheduled(id)).ok).toBe(false);
		clock += CLAIM_TIMEOUT_MS;
		expect(await giveaways.startScheduled(id)).toMatchObject({ ok: true, value: { state: 'active', messageId: posted } });
		expect(discord.giveawayPosts(id)).toHaveLength(1);
	});

	it.skipIf(!available)('draws by entries: a member with bonus roles wins as often as their entries say', async () => {
		const giveaways = service();
		discord.members.set('big', ['vip']);
		discord.members.set('small', []);
		let bigWins = 0;
		const rounds = 40;
		for (let round = 0; round < rounds; round++) {
			const { id } = await startWith(giveaways, {
				prize: `Round ${round}`,
				winnerCount: 1,
				durationMs: 1000,
				bonus: { rules: [{ roleId: 'vip', entries: 9 }], mode: 'stack' }
			});
			const entered = await giveaways.toggleEntry(id, 'big', member(['vip']));
			expect(entered).toMatchObject({ ok: true, value: { entries: 9 } });
			await giveaways.toggleEntry(id, 'small', member());
			clock += 1000;
			const ended = await giveaways.end(id);
			if (ended.ok && ended.value.winners?.[0] === 'big') bigWins++;
		}
		// 9 entries against 1: about 36 of 40. Uniform would be about 20; fewer than 28 happens by chance with p < 1e-4.
		expect(bigWins).toBeGreaterThanOrEqual(28);
	});

	it.skipIf(!available)('a drop ends when it fills: the first qualifying entrants win, once, whichever service counts the last entry', async () => {
		const other = adapter === 'redis' ? await fixture.open() : storage;
		const first = service(storage, 'p1');
		const second = service(other, 'p2');
		const drop = await startWith(first, { prize: 'Drop', winnerCount: 2, durationMs: 60_000, drop: true });
		discord.members.delete('u1'); // enters, then leaves the server before the drop ends: not a winner
		expect((await first.toggleEntry(drop.id, 'u1', member())).ok).toBe(true);
		clock += 1;
		expect(readable(await first.toggleEntry(drop.id, 'u1', member()))).toEqual({
			ok: false,
			reason: expect.stringContaining('already in this drop')
		});
		// The remaining clicks arrive at both services at once; either may count the one that fills it.
		const clicks = await Promise.all(
			['u3', 'u5', 'u7', 'u9'].map((userId, index) => (index % 2 === 0 ? first : second).toggleEntry(drop.id, userId, member()))
		);
		expect(clicks.filter((click) => click.ok).length).toBeGreaterThanOrEqual(2);
		await eventually(async () => (await first.get(drop.id))?.state === 'ended', 'the filled drop to end');
		const ended = (await first.get(drop.id))!;
		const rows = (await first.entrantRows(ended))
			.filter((row) => row.userId !== 'u1')
			.sort((a, b) => a.at - b.at || (a.userId < b.userId ? -1 : 1));
		expect(ended.winners).toEqual(rows.slice(0, 2).map((row) => row.userId));
		expect(discord.announcements(drop.id)).toHaveLength(1);
		expect(discord.directMessages('host')).toHaveLength(1);
	});

	it.skipIf(!available)(
		'winners who must claim get a DM each; unclaimed prizes are auto-rerolled once, whichever of two services runs it',
		async () => {
			const other = adapter === 'redis' ? await fixture.open() : storage;
			const first = service(storage, 'p1');
			const second = service(other, 'p2');
			const giveaway = await startWith(first, { prize: 'Claimed', winnerCount: 2, durationMs: 10_000, claimWindowMs: 60_000 });
			for (const userId of ['u0', 'u2', 'u4', 'u6', 'u8']) await first.toggleEntry(giveaway.id, userId, member());
			discord.closedDms.add('u0');
			clock += 10_000;
			const ended = await first.end(giveaway.id);
			expect(ended.ok).toBe(true);
			const winners = ended.ok ? ended.value.winners! : [];
			expect(winners).toHaveLength(2);
			// A DM to each winner (closed DMs are recorded as failed, not retried); the announcement pings the host.
			for (const winner of winners)
				expect(discord.directMessages(winner).filter((message) => message.content.includes(claimDmMarker(giveaway.id)))).toHaveLength(
					winner === 'u0' ? 0 : 1
				);
			expect(discord.announcements(giveaway.id)[0]!.content).toContain('<@host>');
			const [keeper, loser] = winners as [string, string];
			expect(readable(await second.claim(giveaway.id, 'u9'))).toEqual({ ok: false, reason: expect.stringMatching(/Only the winners/) });
			expect((await second.claim(giveaway.id, keeper)).ok).toBe(true);
			expect((await first.claim(giveaway.id, keeper)).ok).toBe(true);
			clock += 60_001;
			expect(readable(await first.claim(giveaway.id, loser))).toEqual({ ok: false, reason: expect.stringMatching(/has passed/) });
			// Both services, twice each, at once: one auto-reroll, one announcement, one replacement.
			await Promise.all([first, second, first, second].map((racer) => racer.autoReroll(giveaway.id)));
			const rerolled = (await first.get(giveaway.id))!;
			expect(rerolled.claim).toBeNull();
			const replacement = rerolled.claimRounds![0]!.replacements![0]!;
			expect(winners).not.toContain(replacement);
			expect(rerolled.claimRounds![1]).toMatchObject({ winners: [replacement], closed: false });
			expect(rerolled.rerolls).toEqual([{ at: clock, byId: 'auto', winners: [keeper, replacement] }]);
			expect(discord.posted.filter((message) => message.content.includes(autoRerollMarker(giveaway.id, 0)))).toHaveLength(1);
			// u0's DMs are closed: a DM for them is recorded as failed instead.
			expect(discord.directMessages(replacement).filter((message) => message.content.includes(claimDmMarker(giveaway.id)))).toHaveLength(
				replacement === 'u0' ? 0 : 1
			);
			if (replacement === 'u0') expect(rerolled.claimRounds![1]!.dms.u0?.failure).toMatch(/Cannot send/);
			// The replacement claims in time: nothing more happens.
			expect((await second.claim(giveaway.id, replacement)).ok).toBe(true);
			clock += 120_000;
			expect((await first.autoReroll(giveaway.id)).ok).toBe(false);
			expect(discord.posted.filter((message) => message.content.includes('auto-reroll'))).toHaveLength(1);
		}
	);

	it.skipIf(!available)('a service that died during the auto-reroll, after announcing, is taken over without a second announcement', async () => {
		const giveaways = service(storage, 'p1');
		const giveaway = await startWith(giveaways, { prize: 'Taken over', winnerCount: 1, durationMs: 10_000, claimWindowMs: 60_000 });
		for (const userId of ['u0', 'u2', 'u4']) await giveaways.toggleEntry(giveaway.id, userId, member());
		clock += 10_000;
		await giveaways.end(giveaway.id);
		clock += 60_001;
		// What a holder killed right after Discord accepted the auto-reroll announcement leaves: claim, replacement, intent.
		const namespace = storage.namespace<Giveaway>(GIVEAWAY_NAMESPACE);
		const record = (await namespace.get(giveaway.id))!;
		const winner = record.winners![0]!;
		const replacement = ['u0', 'u2', 'u4'].find((userId) => userId !== winner)!;
		const message = discord.post('chan', `<@${winner}> did not claim. New winner: <@${replacement}> ${autoRerollMarker(giveaway.id, 0)}`, 'dead');
		await namespace.set(giveaway.id, {
			...record,
			claim: { token: 'dead', owner: 'dead-process', at: clock },
			claimRounds: [
				{
					...record.claimRounds![0]!,
					replaced: [winner],
					replacements: [replacement],
					rerollAnnouncement: { nonce: 'dead', startedAt: clock, messageId: null, failure: null }
				}
			]
		});
		expect((await giveaways.autoReroll(giveaway.id)).ok).toBe(false);
		clock += CLAIM_TIMEOUT_MS + 1;
		const taken = await service(storage, 'p2').autoReroll(giveaway.id);
		expect(taken.ok).toBe(true);
		const after = (await namespace.get(giveaway.id))!;
		expect(after.claimRounds![0]!.rerollAnnouncement?.messageId).toBe(message);
		expect(after.claimRounds![1]!.winners).toEqual([replacement]);
		expect(discord.posted.filter((posted) => posted.content.includes(autoRerollMarker(giveaway.id, 0)))).toHaveLength(1);
		expect(discord.directMessages(replacement)).toHaveLength(1);
	});
});
