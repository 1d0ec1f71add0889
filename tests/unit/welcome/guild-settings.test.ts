import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GuildSettingsError, readGuildSettings, SETTINGS_NAMESPACE, updateGuildSettings } from '../../../src/lib/guild-settings.js';
import type { BackendStorage } from '../../../src/storage-adapters/index.js';
import { createStorageFixture, type StorageFixture } from '../../helpers/storage.js';

const welcome = { channelId: '1', template: 'Hi {user}', banner: null, embed: false, dm: false, problem: null };

describe('guild settings', () => {
	let fixture: StorageFixture;
	let storage: BackendStorage;

	beforeEach(async () => {
		fixture = await createStorageFixture('file');
		storage = await fixture.open();
	});

	afterEach(async () => {
		await fixture.dispose();
	});

	it('changes one feature field and keeps the others, including fields of features it does not know', async () => {
		await storage.namespace(SETTINGS_NAMESPACE).set('g', { giveaways: { manager: 'x' } });
		await updateGuildSettings(storage, 'g', (current) => ({ ...current, welcome }));
		await updateGuildSettings(storage, 'g', (current) => ({ ...current, autoroles: [{ roleId: 'r', for: 'bots', delayMs: 0 }] }));
		await updateGuildSettings(storage, 'g', (current) => ({ ...current, goodbye: undefined }));
		expect(await storage.namespace(SETTINGS_NAMESPACE).get('g')).toEqual({
			giveaways: { manager: 'x' },
			welcome,
			autoroles: [{ roleId: 'r', for: 'bots', delayMs: 0 }]
		});
		await storage.close();
		const reopened = await fixture.open();
		expect((await readGuildSettings(reopened, 'g')).welcome).toEqual(welcome);
	});

	it('reports a stored value of the wrong shape instead of treating it as unset', async () => {
		await storage.namespace(SETTINGS_NAMESPACE).set('g', { welcome: { channelId: 5 } });
		await expect(readGuildSettings(storage, 'g')).rejects.toThrow(GuildSettingsError);
		await expect(updateGuildSettings(storage, 'g', (current) => ({ ...current, welcome }))).rejects.toThrow(
			/Settings of guild g are unreadable: welcome.channelId/
		);
	});

	it('reads settings stored before the designer, variants and translated problems, and keeps the new fields', async () => {
		// As an earlier version wrote them: no variants, no design, a problem with only its English message.
		const old = { ...welcome, problem: { message: 'the channel 1 no longer exists', since: 1, lastAt: 2, missed: 3 } };
		await storage.namespace(SETTINGS_NAMESPACE).set('old', { welcome: old });
		expect((await readGuildSettings(storage, 'old')).welcome).toEqual(old);
		const designed = {
			...welcome,
			embed: true,
			variants: { vanity: 'Hi {user} via {inviteURL}' },
			thumbnail: '{avatar}',
			author: { name: '{username}', iconUrl: '{avatar}' },
			fields: [{ name: 'a', value: 'b', inline: true }],
			problem: { message: 'x', reason: { key: 'welcome:delivery.notText', vars: { channel: 'c' } }, since: 1, lastAt: 1, missed: 0 }
		};
		await updateGuildSettings(storage, 'new', (current) => ({ ...current, welcome: designed }));
		expect((await readGuildSettings(storage, 'new')).welcome).toEqual(designed);
	});
});
