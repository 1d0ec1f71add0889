import type { Client } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { InviteAnnouncements } from '../../../src/lib/invites/announcements.js';
import { InviteTracker } from '../../../src/lib/invites/tracker.js';
import { createStorageFixture } from '../../helpers/storage.js';
import { FakeGuildInvites } from './_fake-guild-invites.js';

const GUILD = '100000000000000001';
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Review of issue 19, P3.9: the announcements are a service whose stop drains its queues before storage closes. */
describe('InviteAnnouncements', () => {
	it('stop waits for the queued milestone marks, then takes no new ones', async () => {
		const fixture = await createStorageFixture('file');
		try {
			const storage = await fixture.open();
			const discord = new FakeGuildInvites();
			discord.add('alice-code', 'alice');
			const tracker = await InviteTracker.load(storage, discord, silent, { quietMs: 20, maxWaitMs: 300 });
			await tracker.refresh(GUILD);
			// Discord's side only: the guild is not cached, so roles and messages are skipped; the marks are still kept.
			const client = { guilds: { cache: new Map() }, users: { cache: new Map() } } as unknown as Client;
			const announcements = new InviteAnnouncements(client, storage, tracker, silent);
			await tracker.updateConfig(GUILD, (config) => ({
				...config,
				milestones: { channelId: '301', template: null, numbers: [1, 2], problem: null }
			}));
			const join = async (memberId: string) => {
				discord.use('alice-code');
				const { joinedAt } = discord.list(memberId, Date.now(), false, 0);
				await tracker.join({ guildId: GUILD, memberId, bot: false, accountCreatedAt: 0, joinedAt });
			};
			const marks = () => storage.namespace('invite-milestones').get(`${GUILD}:alice`);
			await join('m1');
			await announcements.stop();
			expect(await marks()).toMatchObject({ announced: [1], total: 1 });
			await join('m2');
			await tracker.stop();
			expect(await marks()).toMatchObject({ announced: [1], total: 1 });
		} finally {
			await fixture.dispose();
		}
	});
});
