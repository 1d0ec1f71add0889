/**
 * Start-command benchmark: what a restart under a process manager costs with each way of starting the bot, against the
 * local emulator on an empty data set. `node dist/index.js` is the floor; `npm start` adds npm and the build check
 * (scripts/run.mjs: the --if-stale check of scripts/build.mjs, then dist/index.js in the same process); the last row is
 * `npm start` after a source changed (a real rebuild).
 * Measured: time from spawn to the bot's first log line and to "Supreme Bot ready", and the peak RSS of the whole
 * process tree (npm, sh, the build check, tsc, the bot: the sum of all of them, sampled every 10 ms). Each row is the
 * median of BENCH_RUNS starts (default 3). Goal: `npm start` under 1 s over `node dist/index.js`, under 200 MB.
 * Run with `npm run bench:start-command`; prints a Markdown table.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DiscordEmulator } from '../tests/harness/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const LOG_LINE = / - (TRACE|DEBUG|INFO|WARN|ERROR|FATAL) +- /;

interface Form {
	name: string;
	command: string[];
	/** Run before each start (e.g. make a source newer than dist/). */
	before?: () => void;
}

interface Run {
	firstLogLine: number;
	ready: number;
	peakTreeMb: number;
	cleanStop: boolean;
}

/** The pid and every descendant, through /proc/<pid>/task/<tid>/children. */
function processTree(pid: number): number[] {
	const pids = [pid];
	// for-of visits the children pushed while it runs.
	for (const parent of pids) {
		try {
			for (const task of readdirTasks(parent)) {
				const children = readFileSync(`/proc/${parent}/task/${task}/children`, 'utf8').trim();
				if (children) pids.push(...children.split(' ').map(Number));
			}
		} catch {
			// The process exited between two reads.
		}
	}
	return pids;
}

/** A child may be spawned from any thread of its parent. */
function readdirTasks(pid: number): string[] {
	return readdirSync(`/proc/${pid}/task`);
}

function rssMb(pid: number): number {
	try {
		const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
		return match ? Number(match[1]) / 1024 : 0;
	} catch {
		return 0;
	}
}

async function measure(form: Form): Promise<Run> {
	const emulator = await DiscordEmulator.start();
	emulator.createGuild({ name: 'Bench' });
	const dataDir = mkdtempSync(join(tmpdir(), 'bench-start-command-'));
	form.before?.();
	const started = performance.now();
	const child = spawn(form.command[0]!, form.command.slice(1), {
		cwd: ROOT,
		env: {
			PATH: process.env.PATH ?? '',
			HOME: process.env.HOME ?? '',
			DISCORD_TOKEN: 'bench-token',
			DISCORD_API_URL: emulator.apiUrl,
			DATA_DIR: dataDir,
			NO_COLOR: '1'
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let output = '';
	let firstLogLine = Number.NaN;
	let ready = Number.NaN;
	let peakTreeMb = 0;
	const sampler = setInterval(() => {
		const total = processTree(child.pid!).reduce((sum, pid) => sum + rssMb(pid), 0);
		peakTreeMb = Math.max(peakTreeMb, total);
	}, 10);
	const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
	const onData = (chunk: string) => {
		output += chunk;
		if (Number.isNaN(firstLogLine) && LOG_LINE.test(output)) firstLogLine = performance.now() - started;
		if (Number.isNaN(ready) && output.includes('Supreme Bot ready')) ready = performance.now() - started;
	};
	child.stdout.setEncoding('utf8').on('data', onData);
	child.stderr.setEncoding('utf8').on('data', onData);
	try {
		for (const deadline = Date.now() + 180_000; Number.isNaN(ready);) {
			if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${form.name}: the bot did not get ready; output:\n${output}`);
			await new Promise((resolveTick) => setTimeout(resolveTick, 10));
		}
	} finally {
		clearInterval(sampler);
	}
	// A process manager stops the command it started: SIGTERM to npm must reach the bot and let it flush.
	child.kill('SIGTERM');
	const code = await exited;
	await new Promise((resolveTick) => setTimeout(resolveTick, 200));
	await emulator.stop();
	rmSync(dataDir, { recursive: true, force: true });
	return { firstLogLine: firstLogLine / 1000, ready: ready / 1000, peakTreeMb, cleanStop: code === 0 && output.includes('Shutdown complete') };
}

async function median(form: Form): Promise<Run> {
	const runs: Run[] = [];
	for (let index = 0; index < RUNS; index++) runs.push(await measure(form));
	const middle = (key: 'firstLogLine' | 'ready' | 'peakTreeMb') => runs.map((run) => run[key]).sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
	return {
		firstLogLine: middle('firstLogLine'),
		ready: middle('ready'),
		peakTreeMb: middle('peakTreeMb'),
		cleanStop: runs.every((run) => run.cleanStop)
	};
}

const touchSource = () => {
	const now = new Date();
	utimesSync(join(ROOT, 'src/index.ts'), now, now);
};
const forms: Form[] = [
	{ name: '`node dist/index.js`', command: [process.execPath, 'dist/index.js'] },
	{ name: '`npm start` (built)', command: ['npm', 'start'] },
	{ name: '`npm start` after a source changed (rebuilds)', command: ['npm', 'start'], before: touchSource }
];

// The floor row runs dist/ as it is: built first.
spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: ROOT, stdio: 'inherit' });
const row = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
const s = (value: number) => `${value.toFixed(2)} s`;
console.log(`# Start commands: time and memory of a restart (node ${process.version}, local emulator, empty data)\n`);
console.log(
	`Goal: \`npm start\` under 1 s over \`node dist/index.js\` to the first log line, and under 200 MB for the whole process tree. Each row: the median of ${RUNS} starts.\n`
);
console.log(row(['command', 'to first log line', 'over node', 'to "Supreme Bot ready"', 'peak RSS, whole tree', 'SIGTERM stops it cleanly']));
console.log(row(['---', '---', '---', '---', '---', '---']));
let floor = Number.NaN;
for (const form of forms) {
	const result = await median(form);
	if (Number.isNaN(floor)) floor = result.firstLogLine;
	console.log(
		row([
			form.name,
			s(result.firstLogLine),
			form.command[0] === 'npm' ? `+${s(result.firstLogLine - floor)}` : '—',
			s(result.ready),
			`${result.peakTreeMb.toFixed(0)} MB`,
			result.cleanStop ? 'yes' : 'no'
		])
	);
}
