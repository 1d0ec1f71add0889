import type { Client } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PendingGrant, SchedulerClock } from '../../../src/lib/autorole/pending-grants.js';
import { AutoRoleService, PENDING_GRANTS_NAMESPACE } from '../../../src/lib/autorole/service.js';
import type { BackendStorage } from '../../../src/storage-adapters/index.js';
import { createStorageFixture, type StorageFixture } from '../../helpers/storage.js';

const NOW = 1_000_000;
/** Time stands still: grants are loaded and listed, never run. */
const frozen: SchedulerClock = { now: () => NOW, setTimeout: () => 1, clearTimeout: () => undefined };
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as never;
const grant = (memberId: string, dueAt: number): PendingGrant => ({ guildId: 'g', memberId, roleId: 'r', dueAt });

describe('AutoRoleService pending grants', () => {
	let fixture: StorageFixture;
	let storage: BackendStorage;
	let service: AutoRoleService;

	beforeEach(async () => {
		fixture = await createStorageFixture('sqlite');
		storage = await fixture.open();
		service = new AutoRoleService(storage, {} as Client, silent, frozen);
	});

	afterEach(async () => {
		service.stop();
		await fixture.dispose();
	});

	it('schedules the grants stored before a restart, and the restored ones after a restore', async () => {
		const pending = storage.namespace<PendingGrant>(PENDING_GRANTS_NAMESPACE);
		await pending.set('g:a:r', grant('a', NOW + 1000));
		await pending.set('g:b:r', grant('b', NOW - 1000));
		expect(await service.start()).toBe(2);
		expect(service.pending('g').map((g) => g.memberId)).toEqual(['b', 'a']);

		await pending.delete('g:a:r');
		await pending.set('g:c:r', grant('c', NOW + 5000));
		expect(await service.reload()).toBe(2);
		expect(service.pending('g').map((g) => g.memberId)).toEqual(['b', 'c']);
	});

	it('cancels a member’s grants in storage when they leave', async () => {
		const pending = storage.namespace<PendingGrant>(PENDING_GRANTS_NAMESPACE);
		await pending.set('g:a:r', grant('a', NOW + 1000));
		await pending.set('g:b:r', grant('b', NOW + 1000));
		await service.start();
		await service.memberLeft('g', 'a');
		expect(service.pending('g').map((g) => g.memberId)).toEqual(['b']);
		expect((await storage.entries(PENDING_GRANTS_NAMESPACE)).map(([key]) => key)).toEqual(['g:b:r']);
	});
});
