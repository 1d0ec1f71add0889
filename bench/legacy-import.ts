/**
 * Supreme-BOT2 import benchmark: the import at start (find, back up, move, parse, convert, write) of the large legacy
 * fixture (10,000 servers of counters, 100,000 join records) on file and sqlite. Each adapter runs in a child process of
 * its own, so its peak memory (RSS, sampled every 10 ms) is its own. Goal: under 10 s and 300 MB.
 * Run with `npm run bench:legacy`; prints a Markdown table.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ILogger } from '@sapphire/framework';
import type { ConfigWithoutToken } from '../src/config.js';
import { LegacyImportAtStart } from '../src/lib/legacy/startup.js';
import { openStorage } from '../src/storage-adapters/index.js';
import { writeLargeLegacyFixture } from '../tests/fixtures/supreme-bot2.js';

const ADAPTERS = ['file', 'sqlite'] as const;
const SERVERS = Number(process.env.BENCH_LEGACY_SERVERS ?? 10_000);
const HISTORY = Number(process.env.BENCH_LEGACY_HISTORY ?? 100_000);

async function child(adapter: 'file' | 'sqlite', dataDir: string): Promise<void> {
	let peak = process.memoryUsage().rss;
	const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
	const lines: string[] = [];
	const logger = {
		info: (line: string) => lines.push(line),
		warn: (line: string) => lines.push(line),
		error: (line: string) => lines.push(line)
	} as unknown as ILogger;
	const config = {
		dataDir,
		backupDir: join(dataDir, 'backups'),
		backupKeep: 20,
		storageAdapter: adapter,
		sqlitePath: join(dataDir, 'bot.sqlite')
	} as ConfigWithoutToken;
	const started = performance.now();
	const prepared = await LegacyImportAtStart.prepare(config, logger);
	const storage = await openStorage({
		adapter,
		dataDir,
		sqlitePath: config.sqlitePath,
		redisUrl: 'redis://127.0.0.1:1',
		backupDir: config.backupDir,
		backupKeep: 20
	});
	await prepared?.apply(storage);
	await storage.close();
	const seconds = (performance.now() - started) / 1000;
	clearInterval(sampler);
	const done = lines.find((line) => line.includes('import done'));
	if (!done) throw new Error(`the import did not finish: ${lines.join('\n')}`);
	process.stdout.write(
		JSON.stringify({ seconds, peakMb: peak / 1024 / 1024, summary: done.slice(done.indexOf('): ') + 3, done.indexOf('): ') + 80) })
	);
}

if (process.argv[2] === '--child') {
	await child(process.argv[3] as 'file' | 'sqlite', process.argv[4]!);
} else {
	const rows = ['| adapter | servers | join records | import time | peak memory (RSS) | goal |', '|---|---|---|---|---|---|'];
	for (const adapter of ADAPTERS) {
		const dir = mkdtempSync(join(tmpdir(), `supreme-bench-legacy-${adapter}-`));
		try {
			writeLargeLegacyFixture(dir, { servers: SERVERS, historyEntries: HISTORY });
			const result = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', adapter, dir], {
				encoding: 'utf8',
				maxBuffer: 1 << 24
			});
			if (result.status !== 0) throw new Error(`${adapter}: ${result.stderr}`);
			const { seconds, peakMb, summary } = JSON.parse(result.stdout) as { seconds: number; peakMb: number; summary: string };
			const met = seconds < 10 && peakMb < 300 ? 'met' : 'missed';
			rows.push(`| ${adapter} | ${SERVERS} | ${HISTORY} | ${seconds.toFixed(2)} s | ${peakMb.toFixed(0)} MB | ${met} (< 10 s, < 300 MB) |`);
			console.error(`${adapter}: ${summary}…`);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	}
	console.log(rows.join('\n'));
}
