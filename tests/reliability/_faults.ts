import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
