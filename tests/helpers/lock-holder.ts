import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./hold-lock.ts', import.meta.url));

export interface LockChild {
	child: ChildProcess;
	pid: number;
	/** Everything it printed so far. */
	output(): string;
	/** Resolves with its output once it printed a line matching `pattern`. */
	waitFor(pattern: RegExp): Promise<string>;
	kill(signal?: NodeJS.Signals): Promise<void>;
}

/** A separate process on the data directory's lock (see hold-lock.ts): a real holder, or a racer. */
export function spawnLockChild(mode: 'hold' | 'race', directory: string): LockChild {
	const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, mode, directory], { stdio: ['pipe', 'pipe', 'pipe'] });
	let stdout = '';
	let stderr = '';
	child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
	child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	return {
		child,
		pid: child.pid!,
		output: () => stdout,
		waitFor: (pattern) =>
			new Promise((resolve, reject) => {
				const check = () => {
					if (pattern.test(stdout)) resolve(stdout);
					else if (child.exitCode === null) setTimeout(check, 20);
					else reject(new Error(`lock child exited (${child.exitCode}) before ${pattern}: ${stdout}${stderr}`));
				};
				check();
			}),
		kill: async (signal = 'SIGKILL') => {
			if (child.exitCode === null && child.signalCode === null) child.kill(signal);
			await exited;
		}
	};
}
