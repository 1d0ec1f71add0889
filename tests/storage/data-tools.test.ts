import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirLockedError, readLockHolder } from '../../src/storage-adapters/index.js';
import { spawnLockChild } from '../helpers/lock-holder.js';
import { ADAPTERS, createStorageFixture, type StorageFixture } from '../helpers/storage.js';

/** The storage layer's parts behind the data tools: raw export/import, backup verification, the file adapter's lock. */
describe.each(ADAPTERS)('data tools storage: $adapter', ({ adapter, available }) => {
	let fixture: StorageFixture;

	afterEach(async () => {
		await fixture?.dispose();
	});

	it.skipIf(!available)('exports and imports entries with their values and expiry times', async () => {
		fixture = await createStorageFixture(adapter, 10);
		const storage = await fixture.open();
		await storage.namespace('invites').set('a', { regular: 1 });
		await storage.namespace('invites').set('b', 'short', 60_000);
		await storage.namespace('settings').set('g', { on: true });
		const exported = await storage.exportEntries('invites');
		const expires = exported.find(([key]) => key === 'b')?.[1].expires;
		expect(expires).toBeGreaterThan(Date.now());

		await storage.clearNamespace('invites');
		expect(await storage.entries('invites')).toEqual([]);
		const seen: number[] = [];
		await storage.importEntries('invites', exported, (written) => seen.push(written));
		expect(seen.at(-1)).toBe(2);
		expect(await storage.namespace('invites').get('a')).toEqual({ regular: 1 });
		const reimported = await storage.exportEntries('invites');
		expect(reimported.find(([key]) => key === 'b')?.[1]).toEqual({ value: 'short', expires });
		// Keys that exist are replaced, not refused.
		await storage.importEntries('invites', [['a', { value: { regular: 9 } }]]);
		expect(await storage.namespace('invites').get('a')).toEqual({ regular: 9 });
	});

	it.skipIf(!available)('verifies backups and names the one that was damaged', async () => {
		fixture = await createStorageFixture(adapter, 10);
		const storage = await fixture.open();
		await storage.namespace('invites').set('a', { regular: 1 });
		const good = await storage.backup('good');
		const bad = await storage.backup('bad');
		const file = Object.keys(bad.files)
			.sort()
			.find((name) => name.startsWith('invites') || name === 'bot.sqlite')!;
		const path = join(bad.path, file);
		const bytes = await readFile(path);
		bytes[Math.floor(bytes.length / 2)] ^= 0xff;
		await writeFile(path, bytes);

		const checks = await storage.verifyBackups();
		expect(checks.find((check) => check.id === good.id)).toEqual({ id: good.id, ok: true });
		expect(checks.find((check) => check.id === bad.id)).toMatchObject({
			ok: false,
			problem: expect.stringContaining('does not match its checksum')
		});
		await expect(storage.verifyBackups('20990101T000000000Z-00-nope')).rejects.toThrow(/No backup with id/);
	});
});

describe('file adapter data directory lock', () => {
	let fixture: StorageFixture;

	afterEach(async () => {
		await fixture?.dispose();
	});

	it('is held while open, names its holder, and is released on close', async () => {
		fixture = await createStorageFixture('file');
		const storage = await fixture.open();
		const holder = await readLockHolder(fixture.options.dataDir);
		expect(holder).toMatchObject({ pid: process.pid });
		const second = fixture.open().catch((error: unknown) => error);
		expect(await second).toBeInstanceOf(DataDirLockedError);
		expect(String(await second)).toMatch(new RegExp(`in use by process ${process.pid} `));
		await storage.close();
		expect(await readLockHolder(fixture.options.dataDir)).toBeNull();
		const reopened = await fixture.open();
		await reopened.close();
	});

	it('refuses a directory held by another live process and takes over the lock of a dead one', async () => {
		fixture = await createStorageFixture('file');
		const holder = spawnLockChild('hold', fixture.options.dataDir);
		try {
			await holder.waitFor(/held/);
			await expect(fixture.open()).rejects.toThrow(new RegExp(`in use by process ${holder.pid} \\(\`node .*hold-lock\\.ts hold`));
		} finally {
			await holder.kill('SIGKILL');
		}
		const storage = await fixture.open();
		expect(await readLockHolder(fixture.options.dataDir)).toMatchObject({ pid: process.pid });
		await storage.close();
	});

	it('opens read-only beside the holder: sees the data, writes nothing', async () => {
		fixture = await createStorageFixture('file');
		const storage = await fixture.open();
		await storage.namespace('invites').set('a', 1);
		const view = await fixture.open({ readOnly: true });
		expect(await view.namespace('invites').get('a')).toBe(1);
		await expect(view.namespace('invites').set('b', 2)).rejects.toThrow(/read-only/);
		await expect(async () => view.backup('nope')).rejects.toThrow(/read-only/);
		await view.close();
		// Closing the view left the holder's lock alone.
		expect(await readLockHolder(fixture.options.dataDir)).toMatchObject({ pid: process.pid });
		await storage.close();
	});
});
