import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage, readLockHolder, type BackendStorage, type StorageOptions, type StoredEntry } from '../../src/storage-adapters/index.js';
import { runDataCli } from '../helpers/data-cli.js';
import { spawnLockChild } from '../helpers/lock-holder.js';
import { flushRedisDatabase, redisAvailable, redisTestUrl } from '../helpers/redis.js';

const REDIS_TARGET = redisTestUrl(9);
const RECORDS = 10_000;

function fileOptions(dataDir: string): StorageOptions {
	return {
		adapter: 'file',
		dataDir,
		sqlitePath: join(dataDir, 'bot.sqlite'),
		redisUrl: REDIS_TARGET,
		backupDir: join(dataDir, 'backups'),
		backupKeep: 20
	};
}

async function everything(storage: BackendStorage): Promise<Record<string, Array<[string, StoredEntry]>>> {
	const result: Record<string, Array<[string, StoredEntry]>> = {};
	for (const namespace of await storage.namespaces()) {
		const entries = await storage.exportEntries(namespace);
		if (entries.length > 0) result[namespace] = entries.sort(([a], [b]) => (a < b ? -1 : 1));
	}
	return result;
}

async function snapshotOf(dataDir: string) {
	const storage = await openStorage(fileOptions(dataDir));
	try {
		return await everything(storage);
	} finally {
		await storage.close();
	}
}

describe('data CLI', () => {
	const dirs: string[] = [];
	let source: string;
	let original: Awaited<ReturnType<typeof snapshotOf>>;

	async function tempDir(name: string): Promise<string> {
		const dir = await mkdtemp(join(tmpdir(), `supreme-cli-${name}-`));
		dirs.push(dir);
		return dir;
	}

	beforeAll(async () => {
		source = await tempDir('source');
		const storage = await openStorage(fileOptions(source));
		const expires = Date.now() + 24 * 3600_000;
		const rows: Array<[string, StoredEntry]> = [];
		for (let index = 0; index < RECORDS; index++)
			rows.push([`g1:${index}`, { value: { present: index % 3 !== 0, joins: [{ at: index, code: `c${index}` }], name: `ünï ${index} "q"` } }]);
		await storage.importEntries('join-history', rows);
		await storage.importEntries('invites', [['g1:42', { value: { bonus: 3, resetAt: 0, updatedAt: 1 } }]]);
		await storage.importEntries('settings', [
			['g1', { value: { welcome: { channelId: '5', template: 'hi', banner: null, embed: false, dm: true } } }]
		]);
		await storage.importEntries('plugin-notes', [
			['short', { value: 'lives a day', expires }],
			['n', { value: null }]
		]);
		await storage.close();
		original = await snapshotOf(source);
		if (redisAvailable) await flushRedisDatabase(REDIS_TARGET);
	});

	afterAll(async () => {
		for (const dir of dirs) await rm(dir, { recursive: true, force: true });
		if (redisAvailable) await flushRedisDatabase(REDIS_TARGET);
	});

	it.skipIf(!redisAvailable)(
		'migrates file -> sqlite -> redis -> file with every record, value and expiry identical',
		{ timeout: 120_000 },
		async () => {
			const toSqlite = await runDataCli(['migrate', '--to', 'sqlite'], { DATA_DIR: source });
			expect(toSqlite, toSqlite.stderr).toMatchObject({ code: 0 });
			expect(toSqlite.stdout).toContain('STORAGE_ADAPTER=sqlite');
			expect(toSqlite.stdout).toContain(`SQLITE_PATH=${join(source, 'bot.sqlite')}`);
			expect(toSqlite.stderr).toMatch(new RegExp(`Copied and verified ${RECORDS + 4} records`));

			const toRedis = await runDataCli(['migrate', '--to', 'redis', '--to-url', REDIS_TARGET], { DATA_DIR: source, STORAGE_ADAPTER: 'sqlite' });
			expect(toRedis, toRedis.stderr).toMatchObject({ code: 0 });
			expect(toRedis.stdout).toContain('STORAGE_ADAPTER=redis');

			const back = await tempDir('back');
			const toFile = await runDataCli(['migrate', '--to', 'file', '--to-dir', back], {
				DATA_DIR: source,
				STORAGE_ADAPTER: 'redis',
				REDIS_URL: REDIS_TARGET
			});
			expect(toFile, toFile.stderr).toMatchObject({ code: 0 });
			expect(toFile.stdout).toContain(`DATA_DIR=${back}`);

			const copied = await snapshotOf(back);
			expect(copied['join-history']).toHaveLength(RECORDS);
			expect(copied).toEqual(original);
			// The source was never changed.
			expect(await snapshotOf(source)).toEqual(original);

			// A target that holds data is refused, and nothing is copied into it.
			const again = await runDataCli(['migrate', '--to', 'file', '--to-dir', back], { DATA_DIR: source });
			expect(again.code).toBe(2);
			expect(again.stderr).toMatch(/already holds \d+ records; nothing was copied/);
		}
	);

	it('exports and imports a portable dump', async () => {
		const dump = join(await tempDir('dump'), 'dump.json');
		const exported = await runDataCli(['export', '--format', 'json', '--out', dump], { DATA_DIR: source });
		expect(exported, exported.stderr).toMatchObject({ code: 0 });
		expect(JSON.parse(await readFile(dump, 'utf8'))).toMatchObject({ format: 'supreme-bot-data', version: 1, adapter: 'file' });

		const host = await tempDir('host');
		const imported = await runDataCli(['import', dump], { DATA_DIR: host, STORAGE_ADAPTER: 'sqlite' });
		expect(imported, imported.stderr).toMatchObject({ code: 0 });
		const check = await runDataCli(['export'], { DATA_DIR: host, STORAGE_ADAPTER: 'sqlite' });
		const reexported = JSON.parse(check.stdout).namespaces as Record<string, unknown[]>;
		const dumped = JSON.parse(await readFile(dump, 'utf8')).namespaces as Record<string, unknown[]>;
		// Compared entry by entry, so a difference names its namespace and key instead of a collapsed diff.
		for (const namespace of new Set([...Object.keys(reexported), ...Object.keys(dumped)])) {
			expect(JSON.stringify(reexported[namespace]?.length), namespace).toBe(JSON.stringify(dumped[namespace]?.length));
			(dumped[namespace] ?? []).forEach((entry, index) => expect(reexported[namespace]?.[index], `${namespace}[${index}]`).toEqual(entry));
		}

		expect((await runDataCli(['import', dump], { DATA_DIR: host, STORAGE_ADAPTER: 'sqlite' })).code).toBe(2);
		const replaced = await runDataCli(['import', dump, '--replace'], { DATA_DIR: host, STORAGE_ADAPTER: 'sqlite' });
		expect(replaced, replaced.stderr).toMatchObject({ code: 0 });
		expect(replaced.stderr).toMatch(/Backed up the current data first: \S+-before-import/);
		expect((await runDataCli(['import', join(host, 'missing.json')], { DATA_DIR: host })).code).toBe(4);
	});

	it('verify finds a damaged backup, restore refuses it and unknown ids, and nothing changes', async () => {
		const dir = await tempDir('verify');
		const storage = await openStorage(fileOptions(dir));
		await storage.namespace('invites').set('g:1', { bonus: 1 });
		await storage.close();
		const good = (await runDataCli(['backup'], { DATA_DIR: dir })).stdout.trim();
		const made = await runDataCli(['backup'], { DATA_DIR: dir });
		expect(made.code).toBe(0);
		const bad = made.stdout.trim();
		expect((await runDataCli(['verify'], { DATA_DIR: dir })).code).toBe(0);

		const file = join(dir, 'backups', bad, 'invites.json');
		await writeFile(file, (await readFile(file, 'utf8')).replace('"bonus":1', '"bonus":9'));
		const all = await runDataCli(['verify'], { DATA_DIR: dir });
		expect(all.code).toBe(3);
		expect(all.stdout).toContain(`DAMAGED  ${bad}: Backup ${bad}: invites.json does not match its checksum`);
		expect(all.stdout).toContain(`ok       ${good}`);
		expect((await runDataCli(['verify', bad], { DATA_DIR: dir })).code).toBe(3);
		expect((await runDataCli(['verify', good], { DATA_DIR: dir })).code).toBe(0);

		const refused = await runDataCli(['restore', bad], { DATA_DIR: dir });
		expect(refused.code).toBe(3);
		expect(refused.stderr).toMatch(/does not match its checksum; nothing was changed/);
		const unknown = await runDataCli(['restore', '20990101T000000000Z-00-nothing'], { DATA_DIR: dir });
		expect(unknown.code).toBe(4);
		expect(unknown.stderr).toMatch(/No backup with id "20990101T000000000Z-00-nothing"/);
		expect((await runDataCli(['restore', '../../etc'], { DATA_DIR: dir })).code).toBe(4);

		const restored = await runDataCli(['restore', good], { DATA_DIR: dir });
		expect(restored, restored.stderr).toMatchObject({ code: 0 });
		expect(restored.stdout).toContain('invites: 1 -> 1');
		expect((await snapshotOf(dir)).invites).toEqual([['g:1', { value: { bonus: 1 } }]]);
	});

	it('refuses to write a data directory a running process holds, names it, and allows read-only commands', async () => {
		const dir = await tempDir('locked');
		// A separate process holding the lock stands for a running bot.
		const holder = spawnLockChild('hold', dir);
		try {
			await holder.waitFor(/held/);
			for (const args of [
				['backup'],
				['restore', '20990101T000000000Z-00-x'],
				['migrate', '--to', 'sqlite'],
				['import', join(dir, 'x.json')]
			]) {
				const result = await runDataCli(args, { DATA_DIR: dir });
				expect(result.code, args.join(' ')).toBe(args[0] === 'import' ? 4 : 5);
			}
			const refused = await runDataCli(['backup'], { DATA_DIR: dir });
			expect(refused.stderr).toContain(`is in use by process ${holder.pid} (\`node `);
			expect(refused.stderr).toMatch(/Stop the bot first/);

			const status = await runDataCli(['status', '--json'], { DATA_DIR: dir });
			expect(status, status.stderr).toMatchObject({ code: 0 });
			expect(status.stderr).toMatch(/read-only view/);
			expect(JSON.parse(status.stdout)).toMatchObject({
				storage: { adapter: 'file', healthy: true },
				runningBot: expect.stringContaining(String(holder.pid))
			});
			expect((await runDataCli(['verify'], { DATA_DIR: dir })).code).toBe(0);
			// The read-only commands left the holder's lock in place.
			expect((await readLockHolder(dir))?.pid).toBe(holder.pid);
		} finally {
			await holder.kill('SIGKILL');
		}
	});

	it('status lists every guild and exits 2 on bad configuration', async () => {
		const status = await runDataCli(['status'], { DATA_DIR: source });
		expect(status, status.stderr).toMatchObject({ code: 0 });
		expect(status.stdout).toContain(`- g1: 0 members tracked, 3 invites from 1 inviters, join history ${RECORDS}`);
		expect(status.stdout).toContain('Welcome: #5 (also DM)');
		const bad = await runDataCli(['status'], { DATA_DIR: source, STORAGE_ADAPTER: 'mongo' });
		expect(bad.code).toBe(2);
		expect(bad.stderr).toMatch(/STORAGE_ADAPTER/);
	});
});
