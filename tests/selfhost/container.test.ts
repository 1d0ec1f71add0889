// The shipped container files, checked without a Docker engine: the Dockerfile's steps replayed on the host (each stage
// a temp folder standing for its /app; `npm ci` replaced by a copy of this checkout's node_modules, the one shortcut),
// then the runtime stage started against the emulator as the image would be; and docker-compose.yml parsed and checked.
// This is also the production install test: build with dev dependencies, `npm prune --omit=dev`, run what is left.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BotProcess, DiscordEmulator } from '../harness/index.js';
import { eventually } from '../helpers/eventually.js';
import { freePort } from '../helpers/free-port.js';

const REPO = resolve('.');
const APP = '/app';
const workspace = mkdtempSync(join(tmpdir(), 'supreme-dockerfile-'));

afterAll(() => {
	rmSync(workspace, { recursive: true, force: true });
});

interface Stage {
	name: string;
	root: string;
	workdir: string;
	env: Record<string, string>;
	user: string | null;
	volumes: string[];
	healthcheck: string[] | null;
	cmd: string[] | null;
}

/** Dockerfile instructions, with comments dropped and `\` continuations joined. */
function instructions(text: string): Array<{ keyword: string; args: string }> {
	return text
		.replace(/\\\n/g, ' ')
		.split('\n')
		.map((line) => line.trim())
		.filter((line) => line !== '' && !line.startsWith('#'))
		.map((line) => {
			const [keyword, ...rest] = line.split(/\s+/);
			return { keyword: keyword!.toUpperCase(), args: rest.join(' ') };
		});
}

/** .dockerignore patterns as a test on paths relative to the build context (the forms our file uses). */
function ignored(patterns: string[]): (path: string) => boolean {
	const tests = patterns.map((pattern) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}(/|$)`));
	return (path) => tests.some((test) => test.test(path));
}

function copyInto(from: string, to: string, skip: (path: string) => boolean, base = from): void {
	for (const entry of readdirSync(from, { withFileTypes: true })) {
		const path = join(from, entry.name);
		if (skip(relative(base, path))) continue;
		if (entry.isDirectory()) {
			mkdirSync(join(to, entry.name), { recursive: true });
			copyInto(path, join(to, entry.name), skip, base);
		} else cpSync(path, join(to, entry.name));
	}
}

/** Runs the Dockerfile's stages in folders; returns the stages by name. */
function replayDockerfile(): Map<string, Stage> {
	const dockerignore = readFileSync(join(REPO, '.dockerignore'), 'utf8')
		.split('\n')
		.map((line) => line.trim())
		.filter((line) => line !== '' && !line.startsWith('#'));
	const skip = ignored(dockerignore);
	const stages = new Map<string, Stage>();
	let stage: Stage | null = null;
	const inStage = (path: string, current: Stage) =>
		join(current.root, path.startsWith('/') ? relative(APP, path) : relative(APP, join(current.workdir, path)));
	for (const { keyword, args } of instructions(readFileSync(join(REPO, 'Dockerfile'), 'utf8'))) {
		if (keyword === 'FROM') {
			const name = /\bAS\s+(\S+)/i.exec(args)?.[1] ?? String(stages.size);
			expect(args, 'every stage starts from the Node 20 image').toMatch(/^node:20/);
			stage = { name, root: join(workspace, name), workdir: APP, env: {}, user: null, volumes: [], healthcheck: null, cmd: null };
			mkdirSync(stage.root, { recursive: true });
			stages.set(name, stage);
			continue;
		}
		if (!stage) throw new Error(`${keyword} before FROM`);
		switch (keyword) {
			case 'WORKDIR':
				stage.workdir = args;
				expect(args.startsWith(APP)).toBe(true);
				mkdirSync(inStage(args, stage), { recursive: true });
				break;
			case 'ENV':
				for (const match of args.matchAll(/(\w+)=(\S+)/g)) stage.env[match[1]!] = match[2]!;
				break;
			case 'COPY': {
				const parts = args.split(/\s+/);
				const from = parts.find((part) => part.startsWith('--from='))?.slice('--from='.length);
				const sources = parts.filter((part) => !part.startsWith('--'));
				const written = sources.pop()!;
				const destination = inStage(written, stage);
				const intoDirectory = sources.length > 1 || written.endsWith('/') || written === '.';
				for (const source of sources) {
					const origin = from ? inStage(source, stages.get(from)!) : join(REPO, source);
					if (!from && source !== '.' && skip(source)) throw new Error(`COPY ${source}: excluded by .dockerignore`);
					const target = intoDirectory && source !== '.' ? join(destination, basename(source)) : destination;
					if (from) cpSync(origin, target, { recursive: true });
					else if (statSync(origin).isDirectory()) {
						mkdirSync(target, { recursive: true });
						copyInto(origin, target, skip, REPO);
					} else cpSync(origin, target);
				}
				break;
			}
			case 'RUN': {
				// `npm ci` downloads the locked dependencies: here they are copied from this checkout instead.
				const command = args.replace(/npm ci\b[^&]*/, 'cp -a "$REPO_NODE_MODULES" ./node_modules ');
				// chown to the image's `node` user needs root and that user: a no-op here. /app is the stage's folder.
				const runnable = command.replace(/chown\s+\S+\s+\S+/, 'true').replace(/(^|\s)\/app(?=\/|\s|$)/g, `$1${stage.root}`);
				const run = spawnSync('sh', ['-c', runnable], {
					cwd: inStage(stage.workdir, stage),
					encoding: 'utf8',
					env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', REPO_NODE_MODULES: join(REPO, 'node_modules'), ...stage.env }
				});
				expect(run.status, `RUN ${args}:\n${run.stdout}\n${run.stderr}`).toBe(0);
				break;
			}
			case 'USER':
				stage.user = args;
				break;
			case 'VOLUME':
				stage.volumes.push(...(JSON.parse(args) as string[]));
				break;
			case 'HEALTHCHECK':
				stage.healthcheck = JSON.parse(args.slice(args.indexOf('CMD') + 3).trim()) as string[];
				break;
			case 'CMD':
				stage.cmd = JSON.parse(args) as string[];
				break;
			case 'STOPSIGNAL':
				expect(args).toBe('SIGTERM');
				break;
			default:
				throw new Error(`the replay does not know ${keyword}`);
		}
	}
	return stages;
}

describe('Dockerfile, replayed on the host', () => {
	it('builds with dev dependencies, keeps only production ones, and the runtime starts, is healthy and stops on SIGTERM', async () => {
		const stages = replayDockerfile();
		const runtime = [...stages.values()].at(-1)!;
		expect(runtime.name).toBe('runtime');
		expect(runtime.user).toBe('node');
		expect(runtime.volumes).toEqual([runtime.env.DATA_DIR]);
		expect(runtime.cmd).toEqual(['node', 'dist/index.js']);
		const modules = join(runtime.root, 'node_modules');
		expect(existsSync(join(modules, 'discord.js'))).toBe(true);
		// Production dependencies only: no TypeScript, no test tools.
		for (const devOnly of ['typescript', 'vitest', 'tsx', 'yaml']) expect(existsSync(join(modules, devOnly)), devOnly).toBe(false);
		expect(existsSync(join(runtime.root, 'src'))).toBe(false);

		const emulator = await DiscordEmulator.start();
		emulator.createGuild({ name: 'Container' });
		const dataDir = join(runtime.root, 'data');
		const healthPort = await freePort();
		const bot = new BotProcess({
			apiUrl: emulator.apiUrl,
			dataDir,
			entry: join(runtime.root, runtime.cmd![1]!),
			workingDirectory: runtime.root,
			env: { ...runtime.env, DATA_DIR: dataDir, HEALTH_PORT: String(healthPort) }
		});
		try {
			await bot.start();
			const [command, ...args] = runtime.healthcheck!;
			const healthcheck = () =>
				new Promise<number | null>((resolveCheck) => {
					const child = spawn(command === 'node' ? process.execPath : command!, args, {
						env: { PATH: process.env.PATH ?? '', HEALTH_PORT: String(healthPort) },
						stdio: 'ignore'
					});
					child.once('exit', (code) => resolveCheck(code));
				});
			await eventually(async () => (await healthcheck()) === 0, 'the HEALTHCHECK command to pass', 30_000);
			expect(readdirSync(dataDir).length).toBeGreaterThan(0);
			const exit = await bot.stop('SIGTERM');
			expect(exit).toEqual({ code: 0, signal: null, forced: false });
			expect(bot.runOutput).toContain('Shutdown complete');
		} finally {
			if (bot.running) await bot.stop('SIGKILL');
			await emulator.stop();
		}
	}, 600_000);
});

describe('docker-compose.yml', () => {
	const compose = parse(readFileSync(join(REPO, 'docker-compose.yml'), 'utf8'));

	it('runs the bot from the Dockerfile with .env, data on a volume at DATA_DIR, a health check and a stop grace period', () => {
		const bot = compose.services['supreme-bot'];
		expect(bot.build).toBe('.');
		expect(bot.env_file).toBe('.env');
		const dataDir = bot.environment.DATA_DIR;
		expect(dataDir).toBe('/app/data');
		const [volume, mountPoint] = (bot.volumes as string[])[0]!.split(':');
		expect(mountPoint).toBe(dataDir);
		expect(Object.keys(compose.volumes)).toContain(volume);
		expect(bot.healthcheck.test.join(' ')).toContain(`127.0.0.1:${bot.environment.HEALTH_PORT}/healthz`);
		expect(bot.restart).toBe('unless-stopped');
		expect(Number.parseInt(bot.stop_grace_period, 10)).toBeGreaterThanOrEqual(30);
	});

	it('has Redis in its own profile, with AOF on and its data on a volume', () => {
		const { redis } = compose.services;
		expect(redis.profiles).toEqual(['redis']);
		expect(redis.command.join(' ')).toMatch(/--appendonly yes/);
		expect(redis.command.join(' ')).toMatch(/--appendfsync always/);
		const [volume, mountPoint] = (redis.volumes as string[])[0]!.split(':');
		expect(mountPoint).toBe('/data');
		expect(Object.keys(compose.volumes)).toContain(volume);
	});
});
