import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BackendStorage } from '../../src/storage-adapters/index.js';
import { ADAPTERS, createStorageFixture, type StorageFixture } from '../helpers/storage.js';

/** The one contract every adapter keeps; each case runs against file, sqlite and the real Redis server. */
describe.each(ADAPTERS)('storage contract: $adapter', ({ adapter, available }) => {
	let fixture: StorageFixture;
	let storage: BackendStorage;

	beforeEach(async ({ skip }) => {
		if (!available) skip();
		fixture = await createStorageFixture(adapter);
		storage = await fixture.open();
	});

	afterEach(async () => {
		await fixture?.dispose();
	});

	it('keeps values across close and open', async () => {
		await storage.namespace('invites').set('guild:1', { regular: 3 });
		await storage.namespace('settings').set('guild:1', { welcome: 'hi' });
		await storage.close();
		const reopened = await fixture.open();
		expect(await reopened.namespace('invites').get('guild:1')).toEqual({ regular: 3 });
		expect(await reopened.namespace('settings').get('guild:1')).toEqual({ welcome: 'hi' });
		expect(await reopened.namespace('invites').get('missing')).toBeUndefined();
	});

	it('supports Keyv get, set, delete, has and ttl', async () => {
		const keyv = storage.namespace<string>('giveaways');
		expect(await keyv.set('a', 'x')).toBe(true);
		expect(await keyv.has('a')).toBe(true);
		expect(await keyv.get(['a', 'b'])).toEqual(['x', undefined]);
		expect(await keyv.delete('a')).toBe(true);
		expect(await keyv.delete('a')).toBe(false);
		await keyv.set('short', 'lived', 30);
		expect(await keyv.get('short')).toBe('lived');
		await new Promise((resolve) => setTimeout(resolve, 60));
		expect(await keyv.get('short')).toBeUndefined();
	});

	it('applies 1000 concurrent increments exactly once each', async () => {
		await Promise.all(Array.from({ length: 1000 }, () => storage.update<number>('invites', 'counter', (value) => (value ?? 0) + 1)));
		expect(await storage.namespace('invites').get('counter')).toBe(1000);
	});

	it('update sees plain sets made meanwhile and deletes when the function returns undefined', async () => {
		const keyv = storage.namespace<number>('invites');
		await keyv.set('k', 5);
		const result = await storage.update<number>('invites', 'k', async (value) => {
			// A plain set sneaks in between the read and the write; the update must retry on the new value.
			if (value === 5) await keyv.set('k', 10);
			return (value ?? 0) + 1;
		});
		expect(result).toBe(11);
		expect(await keyv.get('k')).toBe(11);
		expect(await storage.update('invites', 'k', () => undefined)).toBeUndefined();
		expect(await keyv.has('k')).toBe(false);
	});

	it('lists every entry of a namespace', async () => {
		await storage.namespace('join-history').set('m1', { code: 'abc' });
		await storage.namespace('join-history').set('m2', { code: 'def' });
		await storage.namespace('invites').set('other', 1);
		const entries = await storage.entries('join-history');
		expect(entries.sort(([a], [b]) => a.localeCompare(b))).toEqual([
			['m1', { code: 'abc' }],
			['m2', { code: 'def' }]
		]);
	});

	it('iterates a namespace larger than one read batch, every live entry once, while writes go on', async () => {
		const history = storage.namespace('join-history');
		// The empty key sorts before every other: a paged read must not skip it.
		const keys = ['', ...Array.from({ length: 2500 }, (_, index) => `m${index}`)];
		await storage.importEntries(
			'join-history',
			keys.map((key) => [key, { value: { key } }])
		);
		await history.set('expired', { key: 'expired' }, 1);
		await storage.namespace('invites').set('m1', 'other namespace');
		await new Promise((resolve) => setTimeout(resolve, 10));
		const seen = new Map<string, unknown>();
		for await (const [key, value] of storage.iterate('join-history')) {
			expect(seen.has(key)).toBe(false);
			seen.set(key, value);
			// A write during the walk must neither fail it nor repeat entries.
			if (seen.size === 1200) await history.set('m5', { key: 'm5', changed: true });
		}
		expect([...seen.keys()].sort()).toEqual([...keys].sort());
		expect(seen.get('m7')).toEqual({ key: 'm7' });
	});

	it('reads the entries under one key prefix, across read batches, and nothing else', async () => {
		const inside = Array.from({ length: 2100 }, (_, index) => `g1:${index}`);
		// Neighbours on both sides of the range, a longer id sharing the prefix's start, glob and LIKE characters.
		const outside = ['g0:1', 'g1', 'g10:1', 'g2:1', 'g1;1', 'g*:1', 'g?:1', 'g[1]:1', 'g%:1', 'g_:1'];
		await storage.importEntries(
			'giveaway-entries',
			[...inside, ...outside].map((key) => [key, { value: { key } }])
		);
		await storage.namespace('giveaway-entries').set('g1:expired', { key: 'expired' }, 1);
		await storage.namespace('giveaways').set('g1:other-namespace', 1);
		await storage.importEntries('giveaway-entries', [
			['g*:2', { value: 'star' }],
			['g[1]:2', { value: 'bracket' }]
		]);
		await new Promise((resolve) => setTimeout(resolve, 10));
		const read = async (prefix: string) => {
			const found: Array<[string, unknown]> = [];
			for await (const entry of storage.iteratePrefix('giveaway-entries', prefix)) found.push(entry);
			return found;
		};
		const found = await read('g1:');
		expect(found.map(([key]) => key).sort()).toEqual([...inside].sort());
		expect(new Set(found.map(([key]) => key)).size).toBe(inside.length);
		expect(found.find(([key]) => key === 'g1:7')?.[1]).toEqual({ key: 'g1:7' });
		// Pattern characters in a prefix are literal.
		expect((await read('g*:')).map(([key]) => key).sort()).toEqual(['g*:1', 'g*:2']);
		expect((await read('g[1]:')).map(([key]) => key).sort()).toEqual(['g[1]:1', 'g[1]:2']);
		expect(await read('g%:')).toEqual([['g%:1', { key: 'g%:1' }]]);
		expect(await read('nothing:')).toEqual([]);
		expect((await read('')).length).toBe(inside.length + outside.length + 2);
	});

	it('a group read stays right after writes, deletes, updates and a clear made after an earlier read', async () => {
		const read = async (prefix: string) => {
			const keys: string[] = [];
			for await (const [key] of storage.iteratePrefix('giveaway-entries', prefix)) keys.push(key);
			return keys.sort();
		};
		const entries = storage.namespace('giveaway-entries');
		await entries.set('ga:1', 1);
		expect(await read('ga:')).toEqual(['ga:1']);
		await entries.set('ga:2', 2);
		await storage.update('giveaway-entries', 'ga:3', () => 3);
		await entries.delete('ga:1');
		await storage.update('giveaway-entries', 'ga:2', () => undefined);
		await entries.set('gb:1', 1);
		expect(await read('ga:')).toEqual(['ga:3']);
		expect(await read('gb:')).toEqual(['gb:1']);
		await storage.clearNamespace('giveaway-entries');
		expect(await read('ga:')).toEqual([]);
		await entries.set('ga:4', 4);
		expect(await read('ga:')).toEqual(['ga:4']);
	});

	it('clears one namespace without touching another, even with LIKE wildcards in the name', async () => {
		await storage.namespace('guild_1').set('a', 1);
		await storage.namespace('GUILDx1').set('a', 2);
		await storage.namespace('guild_10').set('a', 3);
		await storage.namespace('guild_1').clear();
		expect(await storage.namespace('guild_1').get('a')).toBeUndefined();
		expect(await storage.namespace('GUILDx1').get('a')).toBe(2);
		expect(await storage.namespace('guild_10').get('a')).toBe(3);
	});

	it('refuses namespace names that are not safe file names', () => {
		expect(() => storage.namespace('../etc')).toThrow(/Invalid namespace name/);
		expect(() => storage.namespace('a:b')).toThrow(/Invalid namespace name/);
	});

	it('backs up, restores the backup after changes, and keeps the state before the restore', async () => {
		const invites = storage.namespace('invites');
		await invites.set('u1', { regular: 1 });
		await storage.namespace('settings').set('g', { on: true });
		const backup = await storage.backup('manual');
		expect(backup.adapter).toBe(adapter);
		expect(backup.counts).toMatchObject({ invites: 1, settings: 1 });
		expect(backup.checksum).toMatch(/^[0-9a-f]{64}$/);

		await invites.set('u1', { regular: 99 });
		await invites.set('u2', { regular: 2 });
		await storage.namespace('settings').delete('g');

		const { before, restored } = await storage.restore(backup.id);
		expect(restored.id).toBe(backup.id);
		expect(before.counts).toMatchObject({ invites: 2 });
		expect(await invites.get('u1')).toEqual({ regular: 1 });
		expect(await invites.get('u2')).toBeUndefined();
		expect(await storage.namespace('settings').get('g')).toEqual({ on: true });

		// The restore survives a restart.
		await storage.close();
		const reopened = await fixture.open();
		expect(await reopened.namespace('invites').get('u1')).toEqual({ regular: 1 });
		expect(await reopened.namespace('invites').get('u2')).toBeUndefined();
	});

	it('keeps only the newest BACKUP_KEEP backups', async () => {
		await storage.close();
		storage = await fixture.open({ backupKeep: 3 });
		const made = [];
		for (let index = 0; index < 5; index++) {
			await storage.namespace('invites').set('n', index);
			made.push(await storage.backup(`round ${index}`));
		}
		const listed = await storage.listBackups();
		expect(listed.map((backup) => backup.id)).toEqual(
			made
				.slice(2)
				.reverse()
				.map((backup) => backup.id)
		);
		expect((await readdir(fixture.options.backupDir)).length).toBe(3);
	});

	it('refuses ids that are not backups', async () => {
		await storage.namespace('invites').set('u', 1);
		for (const id of ['../x', '..', 'nope', '/etc/passwd', '20261125T183439123Z-00-startup', '']) {
			await expect(storage.restore(id)).rejects.toThrow(/backup/i);
		}
		expect(await storage.namespace('invites').get('u')).toBe(1);
	});

	it('refuses to restore a backup whose files do not match the manifest, without touching live data', async () => {
		await storage.namespace('invites').set('u', 1);
		const backup = await storage.backup('manual');
		const [name] = Object.keys(backup.files);
		await writeFile(join(backup.path, name!), 'tampered');
		await storage.namespace('invites').set('u', 2);
		await expect(storage.restore(backup.id)).rejects.toThrow(/checksum/);
		expect(await storage.namespace('invites').get('u')).toBe(2);
	});

	it('reports status: adapter, health, counts, last write and last backup', async () => {
		await storage.namespace('invites').set('a', 1);
		await storage.namespace('invites').set('b', 2);
		const backup = await storage.backup('startup');
		const status = await storage.status();
		expect(status).toMatchObject({ adapter, healthy: true, counts: { invites: 2 }, lastBackup: { id: backup.id } });
		expect(backup.counts).toMatchObject({ invites: 2 });
		expect(status.lastWriteAt).not.toBeNull();
		expect(status.sizeBytes).toBeGreaterThan(0);
	});

	it('lists declared namespaces even while they are empty, and backs them up', async () => {
		await storage.close();
		storage = await fixture.open({ namespaces: ['invites', 'notes'] });
		await storage.namespace('settings').set('guild', { held: true });
		expect(await storage.namespaces()).toEqual(expect.arrayContaining(['invites', 'notes', 'settings']));
		expect((await storage.status()).counts).toMatchObject({ invites: 0, notes: 0, settings: 1 });
		const backup = await storage.backup('manual');
		expect(backup.counts).toMatchObject({ invites: 0, notes: 0, settings: 1 });
	});

	it('tells a process when another one replaced the data (a restore, an import), never about its own', async () => {
		await storage.namespace('invites').set('a', 1);
		const backup = await storage.backup('manual');
		// The first call only takes note of the data as it is.
		expect(await storage.dataReplacedElsewhere()).toBe(false);
		await storage.restore(backup.id);
		expect(await storage.dataReplacedElsewhere(), 'its own restore').toBe(false);
		if (adapter === 'file') return; // one process holds a file-adapter directory: nobody else can replace its data
		const other = await fixture.open();
		await other.restore(backup.id);
		expect(await storage.dataReplacedElsewhere(), "another process's restore").toBe(true);
		expect(await storage.dataReplacedElsewhere(), 'told once').toBe(false);
		await other.importEntries('settings', [['guild', { value: { imported: true } }]]);
		expect(await storage.dataReplacedElsewhere(), "another process's import").toBe(true);
		await other.namespace('settings').set('guild', { plain: 'write' });
		expect(await storage.dataReplacedElsewhere(), 'an ordinary write is no replacement').toBe(false);
	});

	it('refuses values JSON cannot hold instead of storing something else', async () => {
		await expect(storage.namespace('invites').set('big', { n: 1n })).rejects.toThrow();
	});

	it('throws once closed instead of pretending there is no data', async () => {
		await storage.close();
		expect(() => storage.namespace('invites')).toThrow(/closed/);
	});
});

describe('file adapter on disk', () => {
	let fixture: StorageFixture;

	beforeEach(async () => {
		fixture = await createStorageFixture('file');
	});

	afterEach(async () => {
		await fixture.dispose();
	});

	it('keeps the seed file names and human-readable JSON', async () => {
		const storage = await fixture.open();
		for (const name of ['invites', 'join-history', 'settings', 'invite-config', 'giveaways']) {
			await storage.namespace(name).set('123', { hello: name });
		}
		await storage.close();
		const reopened = await fixture.open();
		for (const name of ['invites', 'join-history', 'settings', 'invite-config', 'giveaways']) {
			expect(await reopened.namespace(name).get('123')).toEqual({ hello: name });
		}
		await reopened.backup('startup');
		await reopened.close();
		const files = await readdir(fixture.options.dataDir);
		expect(files).toEqual(expect.arrayContaining(['invites.json', 'join-history.json', 'settings.json', 'invite-config.json', 'giveaways.json']));
	});

	it('writes a large namespace in pieces that read back as one JSON object', async () => {
		const storage = await fixture.open();
		await Promise.all(Array.from({ length: 4500 }, (_, index) => storage.namespace('join-history').set(`m${index}`, { at: index })));
		await storage.close();
		const parsed = JSON.parse(await readFile(join(fixture.options.dataDir, 'join-history.json'), 'utf8')) as Record<
			string,
			{ value: { at: number } }
		>;
		expect(Object.keys(parsed)).toHaveLength(4500);
		expect(parsed.m4499?.value).toEqual({ at: 4499 });
	});

	it('reads a snapshot laid out another way (pretty-printed, by hand or by an older version) as the same data', async () => {
		const data = { a: { value: { nested: [1, { deep: 'x' }], text: 'line\nbreak, "quoted"' } }, b: { value: 2 }, 'c,d': { value: null } };
		await writeFile(join(fixture.options.dataDir, 'settings.json'), JSON.stringify(data, null, 2));
		const storage = await fixture.open();
		expect(Object.fromEntries(await storage.entries('settings'))).toEqual({ a: data.a.value, b: 2, 'c,d': null });
		await storage.namespace('settings').set('e', 5);
		await storage.close();
		const reopened = await fixture.open();
		expect(Object.fromEntries(await reopened.entries('settings'))).toEqual({ a: data.a.value, b: 2, 'c,d': null, e: 5 });
	});

	it('hands out copies: changing a value it returned does not change what is stored', async () => {
		const storage = await fixture.open();
		await storage.namespace('settings').set('guild', { roles: ['a'] });
		const read = (await storage.namespace<{ roles: string[] }>('settings').get('guild'))!;
		read.roles.push('changed in memory only');
		expect(await storage.namespace('settings').get('guild')).toEqual({ roles: ['a'] });
		expect(await storage.entries('settings')).toEqual([['guild', { roles: ['a'] }]]);
	});

	it('removes temporary files left by a crashed write', async () => {
		const storage = await fixture.open();
		await storage.namespace('invites').set('a', 1);
		await storage.close();
		await writeFile(join(fixture.options.dataDir, 'invites.json.tmp-123-abcd'), '{"half');
		const reopened = await fixture.open();
		expect(await reopened.namespace('invites').get('a')).toBe(1);
		expect((await readdir(fixture.options.dataDir)).some((name) => name.includes('.tmp-'))).toBe(false);
	});

	it('ignores the unfinished last line of a crashed append but keeps every complete one', async () => {
		const storage = await fixture.open();
		await storage.namespace('invites').set('a', 1);
		await storage.namespace('invites').set('b', 2);
		await storage.close();
		await writeFile(join(fixture.options.dataDir, 'invites.journal'), '{"op":"set","key":"c","val', { flag: 'a' });
		const reopened = await fixture.open();
		expect(await reopened.namespace('invites').get('b')).toBe(2);
		expect(await reopened.namespace('invites').get('c')).toBeUndefined();
		await reopened.namespace('invites').set('d', 4);
		await reopened.close();
		const again = await fixture.open();
		expect(await again.namespace('invites').get('d')).toBe(4);
		expect(fixture.logs.filter((line) => line.startsWith('error'))).toEqual([]);
	});

	/** A clean stop folds the journal into invites.json, so damage to that file is damage to real data. */
	async function storageWithSnapshot(records: number): Promise<BackendStorage> {
		const storage = await fixture.open();
		for (let index = 0; index < records; index++) await storage.namespace('invites').set(`u${index}`, { regular: index });
		await storage.backup('startup');
		return storage;
	}

	for (const [damage, corrupt] of [
		['truncated', (text: string) => text.slice(0, Math.floor(text.length / 2))],
		['emptied', () => ''],
		['zero-filled', (text: string) => '\0'.repeat(text.length)],
		['filled with garbage', (text: string) => 'x#!'.repeat(text.length)]
	] as const) {
		it(`restores a ${damage} snapshot from the newest valid backup and says so`, async () => {
			const storage = await storageWithSnapshot(5);
			await storage.close();
			const path = join(fixture.options.dataDir, 'invites.json');
			await writeFile(path, corrupt(await readFile(path, 'utf8')));
			const reopened = await fixture.open();
			expect(await reopened.namespace('invites').get('u4')).toEqual({ regular: 4 });
			expect(fixture.logs.some((line) => /^error .*invites\.json was damaged.*restored 5 records.*from backup/.test(line))).toBe(true);
			expect((await readdir(fixture.options.dataDir)).some((name) => name.startsWith('invites.json.damaged-'))).toBe(true);
			expect((await reopened.status()).events.some((event) => event.level === 'error')).toBe(true);
		});
	}

	it('keeps a damaged file aside and says so when no backup exists', async () => {
		const storage = await fixture.open();
		await storage.close();
		await writeFile(join(fixture.options.dataDir, 'settings.json'), '{"g": {"value": ');
		const reopened = await fixture.open();
		expect(await reopened.namespace('settings').get('g')).toBeUndefined();
		expect(fixture.logs.some((line) => /^error .*settings\.json was damaged.*no backup.*kept as/.test(line))).toBe(true);
		const kept = (await readdir(fixture.options.dataDir)).find((name) => name.startsWith('settings.json.damaged-'));
		expect(await readFile(join(fixture.options.dataDir, kept!), 'utf8')).toBe('{"g": {"value": ');
	});

	it('keeps the readable part of a journal damaged in the middle', async () => {
		const storage = await fixture.open();
		await storage.namespace('invites').set('a', 1);
		await storage.close();
		await writeFile(join(fixture.options.dataDir, 'invites.journal'), 'garbage\n{"op":"set","key":"b","value":2}\n', { flag: 'a' });
		const reopened = await fixture.open();
		expect(await reopened.namespace('invites').get('a')).toBe(1);
		expect(fixture.logs.some((line) => /^error .*invites\.journal is damaged/.test(line))).toBe(true);
	});
});

describe('sqlite adapter on disk', () => {
	let fixture: StorageFixture;

	beforeEach(async () => {
		fixture = await createStorageFixture('sqlite');
	});

	afterEach(async () => {
		await fixture.dispose();
	});

	for (const [damage, corrupt] of [
		['truncated', (bytes: Buffer) => bytes.subarray(0, Math.floor(bytes.length / 2))],
		['emptied', () => Buffer.alloc(0)],
		['filled with garbage', (bytes: Buffer) => Buffer.alloc(bytes.length, 'garbage!')]
	] as const) {
		it(`restores a ${damage} database from the newest valid backup and says so`, async () => {
			const storage = await fixture.open();
			for (let index = 0; index < 200; index++)
				await storage.namespace('invites').set(`u${index}`, { regular: index, padding: 'x'.repeat(100) });
			await storage.backup('startup');
			await storage.close();
			const path = fixture.options.sqlitePath;
			await writeFile(path, corrupt(await readFile(path)));
			const reopened = await fixture.open();
			expect(await reopened.namespace('invites').get('u199')).toEqual({ regular: 199, padding: 'x'.repeat(100) });
			expect(fixture.logs.some((line) => /^error .*bot\.sqlite was damaged.*restored it from backup/.test(line))).toBe(true);
			expect((await readdir(fixture.options.dataDir)).some((name) => name.startsWith('bot.sqlite.damaged-'))).toBe(true);
		});
	}

	it('keeps a damaged database aside when no backup exists', async () => {
		const storage = await fixture.open();
		await storage.namespace('invites').set('a', 1);
		await storage.close();
		await rename(fixture.options.backupDir, `${fixture.options.backupDir}-gone`).catch(() => undefined);
		await writeFile(fixture.options.sqlitePath, 'not a database at all, just some text that is long enough');
		const reopened = await fixture.open();
		expect(await reopened.namespace('invites').get('a')).toBeUndefined();
		expect(fixture.logs.some((line) => /^error .*no valid backup exists.*kept as/.test(line))).toBe(true);
	});
});

describe('redis adapter without a server', () => {
	it('fails to open at once with a message naming the server, instead of retrying forever', async () => {
		const fixture = await createStorageFixture('file');
		try {
			await expect(fixture.open({ adapter: 'redis', redisUrl: 'redis://:secret@127.0.0.1:1/3' })).rejects.toThrow(
				/^Cannot connect to Redis at redis:\/\/127\.0\.0\.1:1\/3: /
			);
		} finally {
			await fixture.dispose();
		}
	});
});
