import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import { total } from '../../src/lib/invites/records.js';
import { InviteTracker } from '../../src/lib/invites/tracker.js';
import { openStorage, type StorageOptions } from '../../src/storage-adapters/index.js';
import { DEFAULT_IDS, OLD_TOTALS, writeLegacyFixture } from '../fixtures/supreme-bot2.js';
import { runDataCli } from '../helpers/data-cli.js';

const ids = DEFAULT_IDS;
const MARIADB = process.env.LEGACY_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

/** Every file under `dir` with its bytes' hash and mode: equal before and after means nothing changed. */
function folderState(dir: string): Record<string, string> {
	const state: Record<string, string> = {};
	const walk = (path: string) => {
		for (const name of readdirSync(path)) {
			const full = join(path, name);
			const info = statSync(full);
			if (info.isDirectory()) {
				state[`${relative(dir, full)}/`] = `dir ${info.mode}`;
				walk(full);
			} else state[relative(dir, full)] = `${createHash('sha256').update(readFileSync(full)).digest('hex')} ${info.mode} ${info.size}`;
		}
	};
	walk(dir);
	return state;
}

const fileEnv = (dataDir: string) => ({ STORAGE_ADAPTER: 'file', DATA_DIR: dataDir });
const options = (dataDir: string, adapter: 'file' | 'sqlite' = 'file'): StorageOptions => ({
	adapter,
	dataDir,
	sqlitePath: join(dataDir, 'bot.sqlite'),
	redisUrl: 'redis://127.0.0.1:1',
	backupDir: join(dataDir, 'backups'),
	backupKeep: 20
});
const OFFLINE = { fetch: () => Promise.resolve({ ok: false as const, reason: 'offline' }) };
const SILENT = { info: () => undefined, warn: () => undefined, error: () => undefined };

async function totalsIn(storageOptions: StorageOptions): Promise<number[]> {
	const storage = await openStorage(storageOptions);
	try {
		const tracker = await InviteTracker.load(storage, OFFLINE, SILENT);
		return ids.inviters.map((inviter) => total(tracker.counts(ids.guildId, inviter)));
	} finally {
		await storage.close();
	}
}

describe('data CLI on Supreme-BOT2 data', () => {
	const dirs: string[] = [];
	const temp = (name: string) => {
		const dir = mkdtempSync(join(tmpdir(), `supreme-legacy-${name}-`));
		dirs.push(dir);
		return dir;
	};
	afterAll(() => {
		for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
	});

	it('status, backups, verify and export change nothing in a legacy DATA_DIR and read none of it as records', { timeout: 120_000 }, async () => {
		const legacy = writeLegacyFixture(temp('readonly'));
		const before = folderState(legacy);
		const status = await runDataCli(['status'], fileEnv(legacy));
		expect(status.code, status.stderr).toBe(0);
		expect(status.stdout).toMatch(/invites\.json is not a file of this bot/);
		expect(status.stdout).toMatch(
			/Supreme-BOT2 files in .*: counter\.json, fakes\.json, history\.json, invite-config\.json, invites\.json, invites\.json\.backup, join-history\.json, joins\.json, lefts\.json, regulars\.json, settings\.json/
		);
		expect(status.stdout).toMatch(/Guilds with data: 0/);
		const json = await runDataCli(['status', '--json'], fileEnv(legacy));
		expect(json.code).toBe(0);
		expect((JSON.parse(json.stdout) as { supremeBot2Files: string[] }).supremeBot2Files).toContain('invites.json');
		expect((await runDataCli(['backups'], fileEnv(legacy))).code).toBe(0);
		expect((await runDataCli(['verify'], fileEnv(legacy))).code).toBe(0);
		const exported = await runDataCli(['export'], fileEnv(legacy));
		expect(exported.code, exported.stderr).toBe(0);
		const dump = JSON.parse(exported.stdout) as { namespaces: Record<string, unknown[]> };
		expect(Object.values(dump.namespaces).every((entries) => entries.length === 0)).toBe(true);
		expect(folderState(legacy)).toEqual(before);
	});

	it(
		'import-legacy: a dry run prints the report and changes nothing; the import converts; a second is refused unless --replace',
		{ timeout: 120_000 },
		async () => {
			const legacy = writeLegacyFixture(temp('source'));
			const target = temp('target');
			const legacyBefore = folderState(legacy);
			const dry = await runDataCli(['import-legacy', legacy, '--dry-run'], fileEnv(target));
			expect(dry.code, dry.stderr).toBe(0);
			expect(dry.stdout).toMatch(/Servers: 2\nInviters with counts: 4\nJoin records: 3/);
			expect(dry.stdout).toMatch(/skipped: invites\.json: test-guild-123: not a server id/);
			expect(dry.stderr).toMatch(/Dry run: nothing was changed/);
			expect(readdirSync(target)).toEqual([]);

			const run = await runDataCli(['import-legacy', legacy], fileEnv(target));
			expect(run.code, run.stderr).toBe(0);
			expect(run.stdout).toBe(dry.stdout);
			expect(await totalsIn(options(target))).toEqual([...OLD_TOTALS]);

			const again = await runDataCli(['import-legacy', legacy], fileEnv(target));
			expect(again.code).toBe(2);
			expect(again.stderr).toMatch(/already holds data for 2 of these servers .*nothing was changed.*--replace/);
			const replaced = await runDataCli(['import-legacy', legacy, '--replace'], fileEnv(target));
			expect(replaced.code, replaced.stderr).toBe(0);
			expect(replaced.stderr).toMatch(/Backup of the current data: \S+-before-legacy-import/);
			// Replaced, not added: the totals are the old ones still.
			expect(await totalsIn(options(target))).toEqual([...OLD_TOTALS]);
			expect(folderState(legacy)).toEqual(legacyBefore);
		}
	);

	it(
		'import-legacy --mysql reads the table layout (VANITY/UNKNOWN inviters, has_left, JSON string settings) into sqlite',
		{ timeout: 120_000 },
		async () => {
			const database = `supreme_legacy_test_${process.pid}_${Date.now() % 100000}`;
			const admin = await mysql.createConnection({ uri: MARIADB, multipleStatements: true });
			try {
				await admin.query(`CREATE DATABASE \`${database}\``);
				await admin.query(`USE \`${database}\`;
				CREATE TABLE invites (guild_id VARCHAR(32), inviter_id VARCHAR(32), regular INT, fake INT, bonus INT, \`left\` INT);
				CREATE TABLE join_history (guild_id VARCHAR(32), member_id VARCHAR(32), inviter_id VARCHAR(32), is_fake TINYINT(1), joined_at BIGINT, has_left TINYINT(1));
				CREATE TABLE settings (guild_id VARCHAR(32), \`key\` VARCHAR(100), value TEXT);`);
				await admin.query(`INSERT INTO invites VALUES ?`, [
					[
						[ids.guildId, ids.inviters[0], 20, 0, 0, 1],
						[ids.guildId, ids.inviters[1], 10, 2, 3, 4],
						[ids.guildId, ids.inviters[2], 1, 5, 0, 0],
						[ids.guildId, 'VANITY', 7, 0, 0, 0],
						['test-guild-123', ids.inviters[0], 1, 0, 0, 0]
					]
				]);
				await admin.query(`INSERT INTO join_history VALUES ?`, [
					[
						[ids.guildId, ids.members[0], ids.inviters[0], 0, 1_700_000_000_000, 0],
						[ids.guildId, ids.members[1], 'VANITY', 0, 1_700_000_100_000, 0],
						[ids.guildId, ids.members[2], 'UNKNOWN', 0, 1_700_000_200_000, 1]
					]
				]);
				await admin.query(`INSERT INTO settings VALUES ?`, [
					[
						[ids.guildId, 'autoRoleId', JSON.stringify(ids.autoRoleId)],
						[
							ids.guildId,
							'welcome_config',
							JSON.stringify({ channelId: ids.welcomeChannelId, title: 'Hi', description: 'Welcome', bannerUrl: '' })
						],
						[ids.guildId, 'tickets_open', '{not json']
					]
				]);
				const target = temp('mysql');
				const env = { STORAGE_ADAPTER: 'sqlite', DATA_DIR: target };
				const run = await runDataCli(['import-legacy', '--mysql', `${MARIADB}/${database}`], env);
				expect(run.code, run.stderr).toBe(0);
				expect(run.stdout).toMatch(/Inviters with counts: 3\nJoin records: 3/);
				expect(run.stdout).toMatch(/VANITY and UNKNOWN have no counts/);
				expect(run.stdout).toMatch(/tickets_open\): its value is not the JSON string/);
				expect(await totalsIn(options(target, 'sqlite'))).toEqual([...OLD_TOTALS]);
				const storage = await openStorage(options(target, 'sqlite'));
				try {
					const tracker = await InviteTracker.load(storage, OFFLINE, SILENT);
					expect((await tracker.history(ids.guildId, ids.members[1]))?.joins[0]).toMatchObject({
						how: 'vanity',
						inviterId: null,
						imported: true
					});
					expect((await tracker.history(ids.guildId, ids.members[2]))?.present).toBe(false);
				} finally {
					await storage.close();
				}
			} finally {
				await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
				await admin.end();
			}
		}
	);
});
