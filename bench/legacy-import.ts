/**
 * Supreme-BOT2 import benchmark: the import at start (find, back up, move, read, convert, write) of the large legacy
 * fixture (10,000 servers of counters, 100,000 join records) on file and sqlite. Each run is a child process of its own
 * (bench/legacy-import-child.mjs) running the built code (dist/, what `npm start` runs; under tsx the process would
 * start about 40 MB larger), so its peak memory (RSS,
 * sampled every 5 ms) is its own; "before" is the child's RSS once the code is loaded, before the import starts.
 * Each adapter runs BENCH_LEGACY_RUNS times (default 3, interleaved) and the table gives the medians, with the load
 * average of the machine, which is shared. Goal: under 10 s and 300 MB.
 * Run with `npm run bench:legacy` (builds first); prints a Markdown table.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeLargeLegacyFixture } from '../tests/fixtures/supreme-bot2.js';

const ADAPTERS = ['file', 'sqlite'] as const;
const SERVERS = Number(process.env.BENCH_LEGACY_SERVERS ?? 10_000);
const HISTORY = Number(process.env.BENCH_LEGACY_HISTORY ?? 100_000);
const RUNS = Number(process.env.BENCH_LEGACY_RUNS ?? 3);
const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const CHILD = fileURLToPath(new URL('legacy-import-child.mjs', import.meta.url));

interface Result {
	seconds: number;
	peakMb: number;
	beforeMb: number;
	summary: string;
}

function run(adapter: 'file' | 'sqlite'): Result {
	const dir = mkdtempSync(join(tmpdir(), `supreme-bench-legacy-${adapter}-`));
	try {
		writeLargeLegacyFixture(dir, { servers: SERVERS, historyEntries: HISTORY });
		const result = spawnSync(process.execPath, [CHILD, adapter, dir, DIST], {
			encoding: 'utf8',
			maxBuffer: 1 << 24
		});
		if (result.status !== 0) throw new Error(`${adapter}: ${result.stderr}`);
		return JSON.parse(result.stdout) as Result;
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

{
	const results = new Map<string, Result[]>(ADAPTERS.map((adapter) => [adapter, []]));
	const loads: number[] = [];
	for (let round = 0; round < RUNS; round++) {
		for (const adapter of ADAPTERS) {
			loads.push(loadavg()[0]!);
			const result = run(adapter);
			results.get(adapter)!.push(result);
			console.error(`${adapter} run ${round + 1}: ${result.seconds.toFixed(2)} s, ${result.peakMb.toFixed(0)} MB (${result.summary}…)`);
		}
	}
	const rows = [
		`| adapter | servers | join records | runs | import time (median; range) | peak RSS (median; range) | RSS before the import | goal |`,
		'|---|---|---|---|---|---|---|---|'
	];
	for (const adapter of ADAPTERS) {
		const list = results.get(adapter)!;
		const seconds = list.map((result) => result.seconds);
		const peaks = list.map((result) => result.peakMb);
		const met = median(seconds) < 10 && median(peaks) < 300 ? 'met' : 'missed';
		rows.push(
			`| ${adapter} | ${SERVERS} | ${HISTORY} | ${RUNS} | ${median(seconds).toFixed(2)} s (${Math.min(...seconds).toFixed(2)}–${Math.max(...seconds).toFixed(2)}) | ${median(peaks).toFixed(0)} MB (${Math.min(...peaks).toFixed(0)}–${Math.max(...peaks).toFixed(0)}) | ${median(list.map((result) => result.beforeMb)).toFixed(0)} MB | ${met} (< 10 s, < 300 MB) |`
		);
	}
	console.log(rows.join('\n'));
	console.log(
		`\nLoad average (1 min) during the runs: ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} on ${ADAPTERS.length * RUNS} runs.`
	);
}
