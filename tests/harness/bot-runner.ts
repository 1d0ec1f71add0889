import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const READY_LINE = /Supreme Bot ready/;
/** Bot settings a developer's shell may carry; a test states the ones it wants. REDIS_URL passes through (it names the test server). */
const INHERITED_SETTINGS_DROPPED = [
	'COMMAND_GUILD_IDS',
	'SQLITE_PATH',
	'BACKUP_DIR',
	'BACKUP_KEEP',
	'PLUGINS',
	'PLUGIN_FAILURE',
	'OWNER_IDS',
	'HEALTH_PORT',
	'HEALTH_HOST',
	'HEALTH_TOKEN',
	'REDIS_PREFIX',
	'LOG_LEVEL'
];

export interface BotProcessOptions {
	/** REST base the bot uses (DISCORD_API_URL): the emulator's `apiUrl`. */
	apiUrl: string;
	/** DISCORD_TOKEN; any token the emulator does not mark invalid works. */
	token?: string;
	/** STORAGE_ADAPTER: file (default), sqlite or redis. */
	storageAdapter?: string;
	/** DATA_DIR; keep it across restarts to test persistence. */
	dataDir: string;
	/** More environment (e.g. REDIS_URL, COMMAND_GUILD_IDS). */
	env?: Record<string, string>;
	/** The built entry, relative to the repo root; `dist/index.js` as `npm start` runs it. */
	entry?: string;
	/** Time allowed from spawn to the ready line(s). */
	readyTimeoutMs?: number;
	/** Ready lines to wait for: one per shard with the sharded entry (`dist/sharded.js`); default 1. */
	readyCount?: number;
	/** The bot's working directory; an empty temporary one by default (e.g. give one with a node_modules folder). */
	workingDirectory?: string;
	/** Print the bot's output live (also with HARNESS_ECHO=1). */
	echo?: boolean;
	/** Receives the bot's output as it arrives (the sandbox prints it). */
	onOutput?: (text: string) => void;
}

export interface BotExit {
	code: number | null;
	signal: NodeJS.Signals | null;
	/** The process ignored the signal within the stop timeout and was killed with SIGKILL. */
	forced: boolean;
}

const liveChildren = new Set<ChildProcess>();
// A crashed or interrupted test run must not leave bots connected to nothing.
process.once('exit', () => {
	for (const child of liveChildren) child.kill('SIGKILL');
});

/**
 * The real bot as a separate process, started as a user would (`node dist/index.js`), from an empty working
 * directory so a developer's own .env or bot.config.json in the repo never leaks into a test bot.
 * Ready means its output printed "Supreme Bot ready" (logged in, commands registered).
 */
export class BotProcess {
	/** Everything every run printed, stdout and stderr interleaved. */
	public output = '';
	private child: ChildProcess | null = null;
	private runStart = 0;
	private exited: Promise<BotExit> | null = null;
	private lastExit: BotExit | null = null;
	private readonly entry: string;
	private readonly workingDirectory: string;

	public constructor(private readonly options: BotProcessOptions) {
		this.workingDirectory = options.workingDirectory ?? mkdtempSync(join(tmpdir(), 'supreme-bot-cwd-'));
		this.entry = resolve(REPO_ROOT, options.entry ?? 'dist/index.js');
	}

	public get running(): boolean {
		return this.child !== null && this.lastExit === null;
	}

	public get pid(): number | undefined {
		return this.child?.pid;
	}

	/** What the current (or last) run printed. */
	public get runOutput(): string {
		return this.output.slice(this.runStart);
	}

	public get exitStatus(): BotExit | null {
		return this.lastExit;
	}

	/** Spawns the bot and resolves once it is ready; rejects with its output if it exits first or times out. */
	public async start(): Promise<void> {
		if (this.running) throw new Error('the bot is already running');
		if (!existsSync(this.entry)) throw new Error(`${this.entry} does not exist: run \`npm run build\` first (npm test does it as pretest)`);
		const inherited = { ...process.env };
		for (const key of INHERITED_SETTINGS_DROPPED) delete inherited[key];
		const env: NodeJS.ProcessEnv = {
			...inherited,
			DISCORD_TOKEN: this.options.token ?? 'test-token',
			DISCORD_API_URL: this.options.apiUrl,
			STORAGE_ADAPTER: this.options.storageAdapter ?? 'file',
			DATA_DIR: this.options.dataDir,
			NO_COLOR: '1',
			...this.options.env
		};
		delete env.FORCE_COLOR;
		if (this.output) this.output += '\n--- bot restarted ---\n';
		this.runStart = this.output.length;
		this.lastExit = null;
		const child = spawn(process.execPath, [this.entry], { cwd: this.workingDirectory, env, stdio: ['ignore', 'pipe', 'pipe'] });
		this.child = child;
		liveChildren.add(child);
		const echo = this.options.echo ?? process.env.HARNESS_ECHO === '1';
		const collect = (chunk: string) => {
			this.output += chunk;
			if (echo) process.stderr.write(chunk);
			this.options.onOutput?.(chunk);
		};
		// Decoded as streams: a character whose bytes straddle two pipe chunks stays one character.
		child.stdout!.setEncoding('utf8').on('data', collect);
		child.stderr!.setEncoding('utf8').on('data', collect);
		this.exited = new Promise((resolveExit) => {
			child.once('exit', (code, signal) => {
				liveChildren.delete(child);
				this.lastExit = { code, signal, forced: false };
				resolveExit(this.lastExit);
			});
		});
		try {
			await this.waitForLog(READY_LINE, this.options.readyTimeoutMs ?? 30_000, this.options.readyCount ?? 1);
		} catch (error) {
			if (this.running) await this.stop('SIGKILL');
			throw error;
		}
	}

	/** Sends `signal` and waits for the exit; a process still alive after `timeoutMs` gets SIGKILL (`forced`). */
	public async stop(signal: 'SIGTERM' | 'SIGINT' | 'SIGKILL' = 'SIGTERM', timeoutMs = 15_000): Promise<BotExit> {
		if (!this.child || !this.exited) throw new Error('the bot was never started');
		if (!this.running) return this.lastExit!;
		this.child.kill(signal);
		let timer: NodeJS.Timeout | undefined;
		const timedOut = new Promise<'timeout'>((resolveTimeout) => {
			timer = setTimeout(() => resolveTimeout('timeout'), timeoutMs);
		});
		const result = await Promise.race([this.exited, timedOut]);
		clearTimeout(timer);
		if (result !== 'timeout') return result;
		this.child.kill('SIGKILL');
		const exit = await this.exited;
		exit.forced = true;
		return exit;
	}

	/** Stops (SIGTERM by default, or SIGKILL for a crash) and starts again on the same data. */
	public async restart(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<BotExit> {
		const exit = await this.stop(signal);
		await this.start();
		return exit;
	}

	/** Lines of the current run matching `pattern`. */
	public logLines(pattern: RegExp): string[] {
		return this.runOutput.split('\n').filter((candidate) => pattern.test(candidate));
	}

	/**
	 * Waits until the current run printed a line matching `pattern` (`count` such lines: e.g. one per shard) and
	 * resolves with the last of them; rejects if the process exits first.
	 */
	public async waitForLog(pattern: RegExp, timeoutMs = 10_000, count = 1): Promise<string> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const lines = this.logLines(pattern);
			if (lines.length >= count) return lines[count - 1]!;
			if (this.lastExit) {
				throw new Error(
					`the bot exited (code ${this.lastExit.code}, signal ${this.lastExit.signal}) before printing ${pattern}; output:\n${this.runOutput}`
				);
			}
			if (Date.now() >= deadline)
				throw new Error(
					`the bot did not print ${pattern}${count > 1 ? ` ${count} times` : ''} within ${timeoutMs}ms; output:\n${this.runOutput}`
				);
			await new Promise((resolveTick) => setTimeout(resolveTick, 20));
		}
	}
}
