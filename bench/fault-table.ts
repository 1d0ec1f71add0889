/**
 * The fault-injection table of docs/PERFORMANCE.md, from the `fault-<fault>-<adapter>.json` results the full
 * reliability suite writes (tests/reliability/_faults.ts). Used by bench/run.ts; `tsx bench/fault-table.ts` prints it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FAULTS: Record<string, string> = {
	'disk-full': 'disk full under writes (a 256 KB tmpfs), then space freed and a restart',
	'write-limit': 'a file size limit under writes (ulimit -f: a short write, then EFBIG), then a restart without it',
	eio: 'EIO on writes, syncs and cut-backs at random points (an LD_PRELOAD shim), then the disk mended and a restart',
	'read-only': 'the file system turned read-only under writes (ext4 errors=remount-ro), then checked, remounted and a restart',
	permission: 'the data directory made unwritable under writes (storage as root without CAP_DAC_OVERRIDE), then writable again; a start meanwhile',
	'kill-during-restore': 'kill -9 at a random moment of a restore, then a restart',
	'sqlite-locked': 'a second connection holding an exclusive SQLite lock while the storage opens',
	'lock-race': "two processes racing for a dead holder's DATA_DIR lock (a round: exactly one wins)",
	'clock-stepped-back': 'the data CLI backing up with the clock stepped back 30 days more each round (faketime)',
	'write-after-close': 'writes through a Keyv instance after storage closed'
};

export function faultTable(resultsDir: string): string[] {
	if (!existsSync(resultsDir)) return [];
	const rows = readdirSync(resultsDir)
		.filter((name) => name.startsWith('fault-') && name.endsWith('.json'))
		.map((name) => JSON.parse(readFileSync(`${resultsDir}/${name}`, 'utf8')) as Record<string, string | number>)
		.sort((a, b) => String(a.fault).localeCompare(String(b.fault)) || String(a.adapter).localeCompare(String(b.adapter)));
	if (rows.length === 0) return [];
	const lines = [
		'Fault injection (tests/reliability): each fault injected for real; after each round every acknowledged write must be present and no refused one visible.',
		'',
		'| fault | adapter | rounds | acknowledged | lost | phantom | recovered |',
		'| --- | --- | --- | --- | --- | --- | --- |'
	];
	for (const row of rows)
		lines.push(
			`| ${FAULTS[String(row.fault)] ?? row.fault} | ${row.adapter} | ${row.rounds} | ${row.acknowledged} | ${row.lost} | ${row.phantom} | ${row.recovered} |`
		);
	lines.push('');
	return lines;
}

if (process.argv[1] === fileURLToPath(import.meta.url))
	process.stdout.write(`${faultTable(fileURLToPath(new URL('../.tmp/reliability', import.meta.url))).join('\n')}\n`);
