import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readGuildSettings } from '../../../src/lib/guild-settings.js';
import { total } from '../../../src/lib/invites/records.js';
import { InviteTracker } from '../../../src/lib/invites/tracker.js';
import { whoInvitedEmbed } from '../../../src/lib/invites/views.js';
import { writeConversion } from '../../../src/lib/legacy/apply.js';
import { convertLegacy, summaryLine } from '../../../src/lib/legacy/convert.js';
import { findLegacyFiles, readLegacyFolder } from '../../../src/lib/legacy/sources.js';
import { buildGreetingMessage } from '../../../src/lib/welcome/message.js';
import { renderTemplate, placeholderValues } from '../../../src/lib/templates/placeholders.js';
import { DEFAULT_IDS, JOINED_AT, OLD_TOTALS, SIGNED_BANNER, writeLegacyFixture } from '../../fixtures/supreme-bot2.js';
import { createStorageFixture, type StorageFixture } from '../../helpers/storage.js';
import { languageT } from '../../helpers/i18n.js';

const OFFLINE = { fetch: () => Promise.resolve({ ok: false as const, reason: 'offline' }) };
const SILENT = { info: () => undefined, warn: () => undefined, error: () => undefined };
const ids = DEFAULT_IDS;

describe('Supreme-BOT2 conversion', () => {
	const cleanup: Array<() => Promise<void> | void> = [];
	afterEach(async () => {
		for (const step of cleanup.splice(0)) await step();
	});

	function fixtureDir(): string {
		const dir = mkdtempSync(join(tmpdir(), 'supreme-legacy-'));
		cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
		return writeLegacyFixture(dir);
	}

	async function imported(
		dir = fixtureDir()
	): Promise<{ storage: Awaited<ReturnType<StorageFixture['open']>>; tracker: InviteTracker; report: ReturnType<typeof convertLegacy>['report'] }> {
		const fixture = await createStorageFixture('file');
		cleanup.push(() => fixture.dispose());
		const conversion = convertLegacy(
			await readLegacyFolder(dir, { files: (await findLegacyFiles(dir)).map((file) => file.name) }),
			Date.now() - 1000
		);
		const storage = await fixture.open();
		await writeConversion(storage, conversion);
		return { storage, tracker: await InviteTracker.load(storage, OFFLINE, SILENT), report: conversion.report };
	}

	it('shows the totals the old bot showed, in the same order, fakes counted as ours counts them', async () => {
		const { tracker } = await imported();
		expect(ids.inviters.map((inviter) => total(tracker.counts(ids.guildId, inviter)))).toEqual([...OLD_TOTALS]);
		expect(tracker.leaderboard(ids.guildId).map((row) => row.inviterId)).toEqual([...ids.inviters]);
		// regular = legacy regular + fake; fake, left, bonus as they were.
		expect(tracker.counts(ids.guildId, ids.inviters[1])).toEqual({ regular: 12, fake: 2, left: 4, bonus: 3 });
		expect(total(tracker.counts(ids.otherGuildId, ids.inviters[1]))).toBe(5);
	});

	it('answers who invited an imported member, marked imported with the old join time', async () => {
		const { tracker } = await imported();
		const record = await tracker.history(ids.guildId, ids.members[0]);
		expect(record?.joins[0]).toMatchObject({ inviterId: ids.inviters[0], at: JOINED_AT[0], imported: true });
		expect(whoInvitedEmbed(languageT(), ids.members[0], record).data.description).toMatch(/Imported from Supreme-BOT2/);
	});

	it('a leave of an imported member adds a left to their inviter, a rejoin takes it back, a new join adds 1', async () => {
		const { tracker } = await imported();
		await tracker.leave(ids.guildId, ids.members[0]);
		expect(tracker.counts(ids.guildId, ids.inviters[0])).toEqual({ regular: 20, fake: 0, left: 2, bonus: 0 });
		await tracker.recordAttributedJoin({ guildId: ids.guildId, memberId: ids.members[0], bot: false, accountCreatedAt: 0 }, Date.now(), {
			how: 'normal',
			code: 'abc',
			inviterId: ids.inviters[0]
		});
		expect(total(tracker.counts(ids.guildId, ids.inviters[0]))).toBe(19);
		await tracker.recordAttributedJoin({ guildId: ids.guildId, memberId: '500000000000000099', bot: false, accountCreatedAt: 0 }, Date.now(), {
			how: 'normal',
			code: 'abc',
			inviterId: ids.inviters[0]
		});
		expect(total(tracker.counts(ids.guildId, ids.inviters[0]))).toBe(20);
		// A fake imported member's leave is not a left, as before.
		await tracker.leave(ids.guildId, ids.members[2]);
		expect(total(tracker.counts(ids.guildId, ids.inviters[2]))).toBe(1);
	});

	it('a reset after the import clears the imported counts; a bonus keeps them', async () => {
		const { tracker } = await imported();
		await tracker.addBonus(ids.guildId, ids.inviters[1], 1);
		expect(total(tracker.counts(ids.guildId, ids.inviters[1]))).toBe(10);
		await tracker.reset(ids.guildId, ids.inviters[1]);
		expect(total(tracker.counts(ids.guildId, ids.inviters[1]))).toBe(0);
		await tracker.reset(ids.guildId);
		expect(tracker.leaderboard(ids.guildId)).toEqual([]);
	});

	it('converts invite config, welcome, goodbye and auto-role the way the old bot used them', async () => {
		const { storage, tracker, report } = await imported();
		expect(tracker.config(ids.guildId)).toMatchObject({ fakeAccountDays: 3, fakeWithoutAvatar: true });
		const settings = await readGuildSettings(storage, ids.guildId);
		expect(settings.autoroles).toEqual([{ roleId: ids.autoRoleId, for: 'all', delayMs: 0 }]);
		expect(settings.welcome).toMatchObject({ channelId: ids.welcomeChannelId, banner: SIGNED_BANNER, embed: true, title: 'Hello there' });
		expect(settings.goodbye).toMatchObject({ channelId: ids.goodbyeChannelId, title: '{server}', banner: null });
		const values = placeholderValues(
			{
				userId: ids.members[0],
				username: 'm',
				serverName: 'Old Server',
				memberCount: 5,
				inviterId: ids.inviters[0],
				inviterTotal: 19,
				inviteCode: null,
				accountCreatedAt: 0,
				now: Date.now()
			},
			languageT()
		);
		const welcome = settings.welcome!;
		const message = buildGreetingMessage('welcome', welcome, renderTemplate(welcome.template, values), null, ids.members[0], {
			title: renderTemplate(welcome.title!, values),
			footer: renderTemplate(welcome.footer!, values),
			content: renderTemplate(welcome.content!, values)
		});
		expect(message.content).toBe(`<@${ids.members[0]}> Welcome To Old Server`);
		const embed = (message.embeds![0] as { data: Record<string, unknown> }).data;
		expect(embed).toMatchObject({
			title: 'Hello there',
			description: `Glad you are here\n\n**Invited by:** <@${ids.inviters[0]}>`,
			footer: { text: 'Thank you for choosing Old Server!' },
			color: 0x57f287,
			image: { url: SIGNED_BANNER }
		});
		expect(embed.timestamp).toBeDefined();
		expect(report.warnings.join('\n')).toMatch(/signed Discord CDN link that expired/);
	});

	it('skips junk and features it does not have, listing each with its reason', async () => {
		const { report } = await imported();
		expect(report).toMatchObject({ servers: 2, inviters: 4, joinRecords: 3, settings: 1 });
		const skipped = report.skipped.map((item) => `${item.where}: ${item.reason}`).join('\n');
		for (const expected of [
			/invites\.json: 111111111111111111_300000000000000009: flat counters/,
			/invites\.json: 399999999999999999\/undefined: not a user id/,
			/invites\.json: 399999999999999999\/\[object Object\]: not a user id/,
			/invites\.json: test-guild-123: not a server id/,
			/invites\.json: restart-test-guild: not a server id/,
			/300000000000000004: "regular" is string "lots"/,
			/300000000000000005: "regular" is negative/,
			/join-history\.json: 111111111111111111_notanid: server or member id/,
			/tickets_category: a feature this bot does not have/,
			/ai_disabled_\d+: a feature/,
			/welcomeChannelId: a stale key/,
			/temp_welcome_123: a stale key/,
			/autoFarmWindowMinutes: a rule this bot does not have/,
			/counter\.json: the ticket counter/,
			/history\.json: a list of 2 ids/,
			/regulars\.json: 1 entries/
		]) {
			expect(skipped).toMatch(expected);
		}
		expect(report.giveawaysListed).toEqual([{ guildId: ids.guildId, messageId: '800000000000000001', entrants: 2 }]);
		expect(summaryLine(report)).toMatch(/^2 servers, 4 inviters, 3 join records/);
	});

	it('bad input: truncated JSON, a wrong shape and a huge file are named; what can be read is imported', async () => {
		const dir = fixtureDir();
		writeFileSync(join(dir, 'join-history.json'), '{"111111111111111111_500000000000000001": {"inviterId": "3000');
		writeFileSync(join(dir, 'invite-config.json'), '[1, 2]');
		const data = await readLegacyFolder(dir, {
			files: ['invites.json', 'join-history.json', 'invite-config.json', 'settings.json'],
			maxFileBytes: 4000
		});
		const skipped = data.skipped.map((item) => `${item.where}: ${item.reason}`).join('\n');
		expect(skipped).toMatch(/join-history\.json: is not valid JSON/);
		expect(skipped).toMatch(/invite-config\.json: does not have Supreme-BOT2's layout/);
		expect(convertLegacy(data).report.inviters).toBe(4);
		const huge = await readLegacyFolder(dir, { files: ['invites.json'], maxFileBytes: 100 });
		expect(huge.skipped[0]).toMatchObject({ where: 'invites.json', reason: expect.stringMatching(/more than the 100 an import reads/) });
	});
});
