import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { AdapterName, StorageOptions } from '../../src/storage-adapters/index.js';
import { writeResult } from './_shared.js';

/** One row of the fault-injection table: what was acknowledged before the fault, and what survived it. */
export interface FaultTally {
	fault: string;
	adapter: string;
	rounds: number;
	acknowledged: number;
	/** Acknowledged writes missing after the fault and a restart. */
	lost: number;
	/** Writes that were refused (or never acknowledged) but readable afterwards. */
	phantom: number;
	/** Rounds after which the storage took writes again without losing anything. */
	recovered: number;
}

export function newTally(fault: string, adapter: string): FaultTally {
	return { fault, adapter, rounds: 0, acknowledged: 0, lost: 0, phantom: 0, recovered: 0 };
}

/** Prints the row, and from the full suite records it for docs/PERFORMANCE.md (`fault-<fault>-<adapter>.json`). */
export function writeFaultTally(tally: FaultTally): void {
	writeResult(`fault-${tally.fault}-${tally.adapter}`, tally);
}

/**
 * A tmpfs of `size` bytes mounted on a fresh directory: a disk that really fills up. Needs root (CI and these
 * machines run as root); when the mount is refused the test fails saying why, it is never skipped.
 */
export function mountSmallDisk(size: string): { path: string; remount(size: string): void; dispose(): void } {
	const path = mkdtempSync(join(tmpdir(), 'supreme-small-disk-'));
	try {
		execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', path], { stdio: 'pipe' });
	} catch (error) {
		rmSync(path, { recursive: true, force: true });
		const detail = (error as { stderr?: Buffer }).stderr?.toString().trim() || (error as Error).message;
		throw new Error(`The disk-full test needs a small tmpfs and could not mount one (run the tests as root): ${detail}`);
	}
	return {
		path,
		remount: (next) => execFileSync('mount', ['-o', `remount,size=${next}`, path], { stdio: 'pipe' }),
		dispose: () => {
			execFileSync('umount', ['-l', path], { stdio: 'pipe' });
			rmSync(path, { recursive: true, force: true });
		}
	};
}

const RESTORE_NAMESPACES = 6;
const RESTORE_KEYS = 2000;

/** Storage options and the keys per namespace of the restore-interrupted test (shared with its child process). */
export function restoreLayout(adapter: AdapterName, dataDir: string): StorageOptions & { layout: Array<[string, string[]]> } {
	const keys = Array.from({ length: RESTORE_KEYS }, (_, index) => `member-${index}-${'k'.repeat(40)}`);
	return {
		adapter,
		dataDir,
		sqlitePath: join(dataDir, 'bot.sqlite'),
		redisUrl: '',
		backupDir: join(dataDir, 'backups'),
		backupKeep: 20,
		layout: Array.from({ length: RESTORE_NAMESPACES }, (_, index) => [`namespace-${index}`, keys])
	};
}

/** The row the I/O fault child writes under `row-<n>`: its content follows from n, so the test can check every byte. */
export function faultRow(n: number, pad: number): { n: number; pad: string } {
	return { n, pad: 'x'.repeat(pad === 0 ? 0 : pad + ((n * 7919) % pad)) };
}

/**
 * Compiles the EIO shim (fixtures/fail-shim.c) with the system C compiler into `dir`; the test fails saying why when
 * there is no compiler (.ci/run installs gcc).
 */
export function buildFailShim(dir: string): string {
	const output = join(dir, 'fail-shim.so');
	try {
		execFileSync('cc', ['-shared', '-fPIC', '-O1', '-o', output, join(import.meta.dirname, 'fixtures', 'fail-shim.c'), '-ldl'], {
			stdio: 'pipe'
		});
	} catch (error) {
		const detail = (error as { stderr?: Buffer }).stderr?.toString().trim() || (error as Error).message;
		throw new Error(`The EIO test compiles an LD_PRELOAD shim and needs a C compiler (cc; apt-get install gcc): ${detail}`);
	}
	return output;
}

/**
 * A small ext4 file system on a loop device, mounted with errors=remount-ro. `breakIt` makes the kernel remount it
 * read-only under the running process, as it does after a real I/O error (the ext4 `trigger_fs_error` knob): a plain
 * `mount -o remount,ro` is refused while any file on it is open for writing ("mount point is busy"), which a running
 * bot always has. Such a file system stays read-only until it is unmounted and checked (`repair`).
 */
export function mountLoopExt4(sizeMb: number): { path: string; breakIt(): void; repair(): void; dispose(): void } {
	const scratch = mkdtempSync(join(tmpdir(), 'supreme-ext4-'));
	const image = join(scratch, 'disk.img');
	const path = join(scratch, 'mnt');
	const run = (command: string, args: string[]) => {
		try {
			return execFileSync(command, args, { stdio: 'pipe' }).toString().trim();
		} catch (error) {
			const detail = (error as { stderr?: Buffer }).stderr?.toString().trim() || (error as Error).message;
			throw new Error(`${command} ${args.join(' ')} failed (the read-only test needs root, loop devices and ext4): ${detail}`);
		}
	};
	execFileSync('truncate', ['-s', `${sizeMb}M`, image]);
	run('mkfs.ext4', ['-q', '-F', image]);
	execFileSync('mkdir', ['-p', path]);
	const mount = () => run('mount', ['-o', 'loop,errors=remount-ro', image, path]);
	mount();
	const device = () => run('findmnt', ['-n', '-o', 'SOURCE', path]).replace('/dev/', '');
	return {
		path,
		breakIt: () => writeFileSync(`/sys/fs/ext4/${device()}/trigger_fs_error`, 'supreme fault test: read-only from here\n'),
		repair: () => {
			run('umount', [path]);
			// Exit status 1: errors were corrected.
			try {
				execFileSync('e2fsck', ['-fy', image], { stdio: 'pipe' });
			} catch (error) {
				if ((error as { status?: number }).status !== 1) throw error;
			}
			mount();
		},
		dispose: () => {
			execFileSync('umount', ['-l', path], { stdio: 'pipe' });
			rmSync(scratch, { recursive: true, force: true });
		}
	};
}

/** The I/O fault child (fixtures/io-fault-child.ts) and everything it answered. */
export class StorageChild {
	public readonly acked = new Set<number>();
	public readonly refused = new Map<number, string>();
	public readonly statuses: Array<{ healthy: boolean; problem: string | null }> = [];
	public readonly lines: Array<Record<string, unknown>> = [];
	public readonly exited: Promise<number | null>;
	private readonly process: ChildProcess;
	private stderr = '';

	public constructor(
		adapter: string,
		dataDir: string,
		options: { pad?: number; env?: NodeJS.ProcessEnv; withoutPermissionOverride?: boolean; fileSizeLimitKb?: number } = {}
	) {
		const script = join(import.meta.dirname, 'fixtures', 'io-fault-child.ts');
		const args = ['--import', 'tsx', script, adapter, dataDir, String(options.pad ?? 600)];
		// `ulimit -f` (in KB blocks) through a shell: a file write past it stops short, then fails with EFBIG (Node ignores
		// SIGXFSZ), for the rest of the process's life.
		let [command, commandArgs] =
			options.fileSizeLimitKb === undefined
				? [process.execPath, args]
				: ['bash', ['-c', `ulimit -f ${options.fileSizeLimitKb} && exec "$0" "$@"`, process.execPath, ...args]];
		// Root ignores file modes through CAP_DAC_OVERRIDE; without it (setpriv, util-linux) root meets them like anyone,
		// and can still read the project wherever it is cloned (another uid could not read a 0700 checkout).
		if (options.withoutPermissionOverride)
			[command, commandArgs] = ['setpriv', ['--bounding-set=-dac_override,-dac_read_search', '--', command, ...commandArgs]];
		this.process = spawn(command, commandArgs, {
			stdio: ['pipe', 'pipe', 'pipe'],
			// libuv may do file I/O through io_uring, which an LD_PRELOAD shim cannot see.
			env: { ...process.env, UV_USE_IO_URING: '0', ...options.env }
		});
		this.process.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
		createInterface({ input: this.process.stdout! }).on('line', (text) => {
			let line: Record<string, unknown>;
			try {
				line = JSON.parse(text) as Record<string, unknown>;
			} catch {
				return;
			}
			this.lines.push(line);
			if (typeof line.ack === 'number') this.acked.add(line.ack);
			if (typeof line.refused === 'number') this.refused.set(line.refused, String(line.message));
			if (line.status) this.statuses.push(line.status as { healthy: boolean; problem: string | null });
		});
		this.exited = new Promise((resolve) => this.process.on('exit', (code) => resolve(code)));
	}

	public send(command: 'status' | 'pause' | 'resume' | 'recover' | 'close'): void {
		this.process.stdin!.write(`${command}\n`);
	}

	public has(key: string): boolean {
		return this.lines.some((line) => key in line);
	}

	/** Waits for `check`, failing with what the child said when it exits first or time runs out. */
	public async waitFor(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		let exited = false;
		void this.exited.then(() => (exited = true));
		while (!check()) {
			if (exited || Date.now() > deadline)
				throw new Error(
					`the storage child ${exited ? 'exited' : 'timed out'} waiting for ${what}; said: ${JSON.stringify(this.lines.filter((line) => !('ack' in line)).slice(-5))} ${this.stderr.slice(-2000)}`
				);
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
	}

	/** Asks for the status and waits for the answer. */
	public async status(): Promise<{ healthy: boolean; problem: string | null }> {
		const before = this.statuses.length;
		this.send('status');
		await this.waitFor(() => this.statuses.length > before, 'a status answer');
		return this.statuses[this.statuses.length - 1]!;
	}

	public kill(): void {
		this.process.kill('SIGKILL');
	}
}
