import type { Client } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InviteChannelDelivery } from '../../../src/lib/invites/delivery.js';
import { MilestoneAnnouncer } from '../../../src/lib/invites/milestones.js';
import { total } from '../../../src/lib/invites/records.js';
import { InviteTracker } from '../../../src/lib/invites/tracker.js';
import type { BackendStorage } from '../../../src/storage-adapters/index.js';
import { createStorageFixture, type StorageFixture } from '../../helpers/storage.js';
import { FakeGuildInvites } from './_fake-guild-invites.js';

const GUILD = '100000000000000001';
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Review of issue 19, P1.1: only a count increase across a milestone is announced. */
describe('MilestoneAnnouncer', () => {
	let fixture: StorageFixture;
	let storage: BackendStorage;
	let tracker: InviteTracker;
	let announcer: MilestoneAnnouncer;
	let sent: string[];

	beforeEach(async () => {
		fixture = await createStorageFixture('file');
		storage = await fixture.open();
		tracker = await InviteTracker.load(storage, new FakeGuildInvites(), silent, { quietMs: 20, maxWaitMs: 300 });
		sent = [];
		// Discord's side only: a guild in the cache and a channel that takes the message.
		const client = { guilds: { cache: new Map([[GUILD, { id: GUILD, name: 'Server' }]]) }, users: { cache: new Map() } };
		const delivery = {
			send: (_guild: unknown, _feature: string, message: { content: string }) => Promise.resolve(void sent.push(message.content))
		};
		announcer = new MilestoneAnnouncer(client as unknown as Client, storage, tracker, delivery as unknown as InviteChannelDelivery);
		tracker.onConfigChanged = (guildId, before, after) => announcer.configChanged(guildId, before, after);
	});

	afterEach(async () => {
		await fixture.dispose();
	});

	/** A count change as the tracker reports it (RankRoleSync passes the total on to the announcer). */
	async function change(inviterId: string, amount: number) {
		const counts = await tracker.addBonus(GUILD, inviterId, amount);
		await announcer.totalChanged(GUILD, inviterId, total(counts), tracker.config(GUILD));
	}

	const turnOn = (numbers: number[]) =>
		tracker.updateConfig(GUILD, (config) => ({
			...config,
			milestones: { channelId: '301', template: '{inviter} {milestone} at {total}', numbers, problem: null }
		}));

	it('announces nothing on a drop, nor for totals passed before milestones were turned on', async () => {
		await change('alice', 120);
		await turnOn([10, 100, 121]);
		await change('alice', -1);
		await change('alice', 1);
		expect(sent).toEqual([]);
		await change('alice', 1);
		expect(sent).toEqual(['<@alice> 121 at 121']);
	});

	it('never announces a number added below a total already passed, even after a drop and a rise across it', async () => {
		await turnOn([10]);
		await change('bob', 50);
		expect(sent).toEqual(['<@bob> 10 at 50']);
		await turnOn([10, 30]);
		await change('bob', 1);
		await change('bob', -30);
		await change('bob', 10);
		expect(sent).toEqual(['<@bob> 10 at 50']);
	});

	it('announces a new inviter crossing a milestone, once, and again after a reset', async () => {
		await turnOn([1, 3]);
		await change('carol', 1);
		await change('carol', -1);
		await change('carol', 1);
		expect(sent).toEqual(['<@carol> 1 at 1']);
		await tracker.reset(GUILD, 'carol');
		await change('carol', 3);
		expect(sent).toEqual(['<@carol> 1 at 1', '<@carol> 3 at 3']);
	});
});
