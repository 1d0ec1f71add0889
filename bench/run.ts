/**
 * `npm run bench`: every benchmark in one run on this machine (storage, invite tracking, data tools, startup,
 * giveaways), each as its own process so none warms up another, then docs/PERFORMANCE.md with every table and the
 * figures of the last reliability run (`npm run test:reliability` writes them to .tmp/reliability/).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { faultTable } from './fault-table.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BENCHES = [
	{ file: 'bench/storage.ts', title: 'Storage adapters against the raw drivers and a naive whole-file rewrite' },
	{ file: 'bench/invites.ts', title: 'Invite tracking against the naive per-join invite diff; leaderboard pages' },
	{ file: 'bench/invite-leaderboard.ts', title: 'Invite leaderboard by period, drill-down and export at 100k members, per adapter' },
	{ file: 'bench/data.ts', title: 'Data tools: backup, verify, restore, migrate' },
	{ file: 'bench/startup.ts', title: 'Startup time and memory with 100k tracked members' },
	{ file: 'bench/giveaways.ts', title: 'Giveaway entries: one click with few and with many entrants' }
];

// `--reliability-only`: after a full `npm run test:reliability`, rewrites only the reliability section of the existing
// docs/PERFORMANCE.md (the benchmark tables stay as they were measured).
if (process.argv.includes('--reliability-only')) {
	const path = `${ROOT}/docs/PERFORMANCE.md`;
	const current = readFileSync(path, 'utf8');
	const start = current.indexOf('## Reliability');
	writeFileSync(path, `${start === -1 ? `${current.trimEnd()}\n\n` : current.slice(0, start)}${reliabilitySection()}\n`);
	process.stderr.write('rewrote the reliability section of docs/PERFORMANCE.md\n');
	process.exit(0);
}

const sections: string[] = [];
for (const bench of BENCHES) {
	if (!existsSync(`${ROOT}/${bench.file}`)) {
		sections.push(`## ${bench.title}\n\n(${bench.file} is not in this checkout.)`);
		continue;
	}
	// The previous benchmark's files may still be on their way to disk: flushed first, so their writeback does not slow
	// this one's fsyncs.
	spawnSync('sync');
	process.stderr.write(`running ${bench.file}...\n`);
	const started = Date.now();
	const run = spawnSync(process.execPath, ['--import', 'tsx', bench.file], {
		cwd: ROOT,
		encoding: 'utf8',
		maxBuffer: 64 * 1024 * 1024,
		stdio: ['ignore', 'pipe', 'inherit']
	});
	const seconds = ((Date.now() - started) / 1000).toFixed(0);
	// Each bench prints its own "# title": nested one level down here.
	const body = run.stdout.trim().replace(/^(#+) /gm, '##$1 ');
	sections.push(
		`## ${bench.title}\n\n\`${bench.file}\`, ${seconds} s${run.status === 0 ? '' : ` — **exited with ${run.status ?? run.signal}; the output is partial**`}\n\n${body}`
	);
}

sections.push(reliabilitySection());

const header = `# Performance and reliability

Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GB RAM,
Redis on 127.0.0.1. Each figure is shown beside its peer measured in the same run (the raw driver, a naive whole-file
rewrite, the naive invite diff, the empty start), as a ratio where the tables say so. Figures are from one machine;
re-run \`npm run bench\` to get yours. Speed goals live here, never as timed assertions in tests.`;

mkdirSync(`${ROOT}/docs`, { recursive: true });
writeFileSync(`${ROOT}/docs/PERFORMANCE.md`, `${header}\n\n${sections.join('\n\n')}\n`);
process.stderr.write('wrote docs/PERFORMANCE.md\n');

function reliabilitySection(): string {
	const dir = `${ROOT}/.tmp/reliability`;
	const results = new Map<string, Record<string, unknown>>();
	if (existsSync(dir))
		for (const name of readdirSync(dir).filter((file) => file.endsWith('.json')))
			results.set(name.slice(0, -5), JSON.parse(readFileSync(`${dir}/${name}`, 'utf8')));
	const lines = ['## Reliability (the last `npm run test:reliability` on this machine)', ''];
	const kills = ['file', 'sqlite', 'redis'].map((adapter) => results.get(`kill9-${adapter}`)).filter((result) => result !== undefined);
	if (kills.length > 0) {
		lines.push('kill -9 of the real bot under a join burst at a random moment; a join is acknowledged once `/who-invited` showed it.', '');
		lines.push('| adapter | rounds | joins sent | acknowledged | lost | unreadable data files |', '| --- | --- | --- | --- | --- | --- |');
		for (const result of kills)
			lines.push(
				`| ${result.adapter} | ${result.rounds} | ${result.joinsSent} | ${result.acknowledged} | ${result.lost} | ${result.unreadableFiles} |`
			);
		if (kills.some((result) => result.acknowledged === 0))
			lines.push(
				'',
				'An acknowledged count of 0 means no join was shown by `/who-invited` before its kill, so that row proves nothing about lost joins.'
			);
		lines.push('');
	}
	lines.push(...faultTable(dir));
	for (const adapter of ['file', 'sqlite']) {
		const result = results.get(`corruption-${adapter}`);
		if (result)
			lines.push(
				`Corruption (${adapter}): ${result.cases} damaged-file starts over ${(result.files as string[]).join(', ')}; ${result.recovered} recovered from the newest valid backup (or the journal's readable lines), the others (no backup) reported and kept aside.`
			);
	}
	const outage = results.get('redis-outage');
	if (outage) {
		lines.push(
			'',
			`Redis outage: the server stopped for ${(Number(outage.outageMs) / 1000).toFixed(1)} s; ${outage.answeredWithError} of ${outage.changesDuringOutage} changes answered "storage is unavailable" (ephemeral), ${outage.readsDuringOutage} reads answered from memory, ${outage.gatewayReconnects} gateway reconnects; the join during the outage was ${outage.joinDuringOutage}; the join after it ${outage.joinAfterOutage}.`
		);
	}
	const redisFaults = results.get('redis-faults');
	if (redisFaults) {
		lines.push(
			'',
			'Redis faults on the storage layer under a steady stream of writes (tests/reliability/redis-faults.test.ts); phantom: a refused write visible afterwards.',
			''
		);
		lines.push('| fault | rounds | acknowledged | lost | phantom | recovered |', '| --- | --- | --- | --- | --- | --- |');
		for (const row of redisFaults.rows as Array<Record<string, unknown>>)
			lines.push(`| ${row.fault} | ${row.rounds} | ${row.acknowledged} | ${row.lost} | ${row.phantom} | ${row.recovered} |`);
	}
	if (results.size === 0) lines.push('(No results yet: run `npm run test:reliability` first.)');
	return lines.join('\n');
}
