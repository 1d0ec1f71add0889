import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ILogger } from '@sapphire/framework';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigWithoutToken } from '../../../src/config.js';
import { total } from '../../../src/lib/invites/records.js';
import { InviteTracker } from '../../../src/lib/invites/tracker.js';
import { LEGACY_MARKER_FILE, LegacyImportAtStart } from '../../../src/lib/legacy/startup.js';
import { DEFAULT_IDS, OLD_TOTALS, legacyFiles, writeLegacyFixture } from '../../fixtures/supreme-bot2.js';
import { createStorageFixture, type StorageFixture } from '../../helpers/storage.js';

const OFFLINE = { fetch: () => Promise.resolve({ ok: false as const, reason: 'offline' }) };
const SILENT = { info: () => undefined, warn: () => undefined, error: () => undefined };
const ids = DEFAULT_IDS;

/** The import at start, step by step, with the states a crash can leave (the e2e test kills the real bot too). */
describe('Supreme-BOT2 import at start', () => {
	const fixtures: StorageFixture[] = [];
	afterEach(async () => {
		for (const fixture of fixtures.splice(0)) await fixture.dispose();
	});

	async function setUp(adapter: 'file' | 'sqlite' = 'file') {
		const fixture = await createStorageFixture(adapter);
		fixtures.push(fixture);
		writeLegacyFixture(fixture.options.dataDir);
		const lines: string[] = [];
		const logger = {
			info: (line: string) => lines.push(`info ${line}`),
			warn: (line: string) => lines.push(`warn ${line}`),
			error: (line: string) => lines.push(`error ${line}`)
		} as unknown as ILogger;
		const config = {
			dataDir: fixture.options.dataDir,
			backupDir: fixture.options.backupDir,
			backupKeep: 20,
			storageAdapter: adapter
		} as ConfigWithoutToken;
		const start = async () => {
			const prepared = await LegacyImportAtStart.prepare(config, logger);
			const storage = await fixture.open();
			await prepared?.apply(storage);
			const tracker = await InviteTracker.load(storage, OFFLINE, SILENT);
			const totals = ids.inviters.map((inviter) => total(tracker.counts(ids.guildId, inviter)));
			await storage.close();
			return totals;
		};
		const marker = () => JSON.parse(readFileSync(join(fixture.options.dataDir, LEGACY_MARKER_FILE), 'utf8')) as { state: string; folder: string };
		return { dir: fixture.options.dataDir, lines, start, marker };
	}

	it('imports once: a second start imports nothing, legacy files that appear again are reported and left alone', async () => {
		const { dir, lines, start, marker } = await setUp();
		expect(await start()).toEqual([...OLD_TOTALS]);
		expect(marker().state).toBe('done');
		expect(lines.filter((line) => line.includes('import done'))).toHaveLength(1);
		writeFileSync(join(dir, 'invites.json.backup'), legacyFiles()['invites.json']!);
		expect(await start()).toEqual([...OLD_TOTALS]);
		expect(lines.filter((line) => line.includes('import done'))).toHaveLength(1);
		expect(lines.some((line) => /^warn Supreme-BOT2 files found in .* again \(invites\.json\.backup\); not imported/.test(line))).toBe(true);
		expect(readFileSync(join(dir, 'invites.json.backup'), 'utf8')).toBe(legacyFiles()['invites.json']);
	});

	it('a crash while the originals were being moved: the next start moves the rest and imports everything', async () => {
		const { dir, start, marker } = await setUp();
		const files = Object.keys(legacyFiles());
		const folder = 'legacy-20260101T000000000Z';
		mkdirSync(join(dir, folder));
		for (const name of files.slice(0, 3)) renameSync(join(dir, name), join(dir, folder, name));
		writeFileSync(join(dir, LEGACY_MARKER_FILE), JSON.stringify({ state: 'moving', folder, backupId: 'x', files, startedAt: Date.now() - 1000 }));
		expect(await start()).toEqual([...OLD_TOTALS]);
		expect(marker().state).toBe('done');
		expect(readdirSync(join(dir, folder)).sort()).toEqual([...files].sort());
	});

	it('a crash while records were being written: the next start writes them again, counts are not doubled', async () => {
		const { dir, start, marker } = await setUp();
		expect(await start()).toEqual([...OLD_TOTALS]);
		// As if the process died before the marker said done: the records (some or all) are there already.
		writeFileSync(join(dir, LEGACY_MARKER_FILE), JSON.stringify({ ...marker(), state: 'converting' }));
		expect(await start()).toEqual([...OLD_TOTALS]);
		expect(marker().state).toBe('done');
	});

	it('refuses to import over data the storage already holds for a server, keeping the originals in the legacy folder', async () => {
		// sqlite: the storage is not in the legacy file names, so it can hold data before the import.
		const { dir, lines, start, marker } = await setUp('sqlite');
		const fixture = fixtures[0]!;
		const storage = await fixture.open();
		await storage.namespace('settings').set(ids.guildId, { autoroles: [] });
		await storage.close();
		await start();
		expect(marker().state).toBe('refused');
		expect(
			lines.some((line) =>
				/^error Supreme-BOT2 import not made: the sqlite storage already holds data for 1 of its servers.*--replace/.test(line)
			)
		).toBe(true);
		expect(readFileSync(join(dir, marker().folder, 'invites.json'), 'utf8')).toBe(legacyFiles()['invites.json']);
	});

	it('bad legacy input at start: a truncated file is named, the rest imported, nothing of the original lost', async () => {
		const { dir, lines, start, marker } = await setUp();
		writeFileSync(join(dir, 'settings.json'), '{"111111111111111111": {"autoRoleId": "6000');
		expect(await start()).toEqual([...OLD_TOTALS]);
		expect(lines.find((line) => line.includes('import done'))).toMatch(/skipped settings\.json: is not valid JSON/);
		expect(readFileSync(join(dir, marker().folder, 'settings.json'), 'utf8')).toBe('{"111111111111111111": {"autoRoleId": "6000');
		expect(existsSync(join(dir, 'settings.json'))).toBe(false);
	});
});
