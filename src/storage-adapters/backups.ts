import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { createReadStream } from 'node:fs';
import { PRIVATE_DIR_MODE, fsyncDirectory, writeFileAtomic } from './durable-fs.js';
import type { AdapterName, BackupInfo, BackupManifest } from './types.js';

export const MANIFEST_FILE = 'manifest.json';

/**
 * The reason of the backup that keeps another bot's original files (Supreme-BOT2's, before the legacy import): never
 * this bot's data, so it is never restored from nor used to repair a damaged file.
 */
export const LEGACY_IMPORT_REASON = 'legacy-import';

export function holdsOurData(backup: Pick<BackupManifest, 'reason'>): boolean {
	return backup.reason !== LEGACY_IMPORT_REASON;
}

/** A backup id is the folder name: a sortable UTC time, a counter against clashes within one millisecond, and the reason. */
const BACKUP_ID = /^\d{8}T\d{9}Z-\d{2}-[a-z0-9][a-z0-9-]{0,39}$/;

/** Backups made on a timer or at every start: pruned before any backup made for a reason. */
const ROUTINE_REASONS = new Set(['startup', 'scheduled']);

export class BackupError extends Error {
	public override readonly name = 'BackupError';
}

function timestampForId(date: Date): string {
	return date.toISOString().replace(/[-:.]/g, '');
}

/** Reasons become part of a folder name, so they are reduced to a safe slug. */
export function reasonSlug(reason: string): string {
	const slug = reason
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-+|-+$/g, '')
		.slice(0, 40);
	return slug || 'manual';
}

async function sha256File(path: string): Promise<string> {
	const hash = createHash('sha256');
	for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
	return hash.digest('hex');
}

function combinedChecksum(files: Record<string, string>): string {
	const lines = Object.keys(files)
		.sort()
		.map((name) => `${name}:${files[name]}`);
	return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/** Timestamped backup folders under one directory, each sealed by a manifest written last. */
export class BackupDirectory {
	/** Backups in use (the target of a restore under way): retention never removes them. */
	private readonly pinned = new Map<string, number>();

	public constructor(
		public readonly root: string,
		private readonly keep: number
	) {}

	/** Creates an empty folder for a new backup; the adapter fills it, then `seal` makes it a backup. */
	public async create(reason: string): Promise<{ id: string; path: string }> {
		await mkdir(this.root, { recursive: true, mode: PRIVATE_DIR_MODE });
		// The time in the id is for people; order comes from the manifest's sequence, so a clock stepped back only
		// gives an id that sorts lower, never a refusal or a clash.
		const stamp = timestampForId(new Date());
		for (let counter = 0; counter < 100; counter++) {
			const id = `${stamp}-${String(counter).padStart(2, '0')}-${reasonSlug(reason)}`;
			const path = join(this.root, id);
			try {
				await mkdir(path, { mode: PRIVATE_DIR_MODE });
			} catch (error) {
				if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
				throw error;
			}
			return { id, path };
		}
		throw new BackupError(`Could not create a backup folder in ${this.root}`);
	}

	/**
	 * Hashes every file the adapter wrote and writes the manifest; until then the folder is not a backup. With
	 * `unlessUnchanged` (startup backups), a folder whose files are exactly the newest backup's is removed again and
	 * that backup is returned, marked `unchanged`: a bot that restarts in a loop does not push real backups out.
	 */
	public async seal(
		folder: { id: string; path: string },
		details: { adapter: AdapterName; reason: string; counts: Record<string, number> },
		{ unlessUnchanged = false } = {}
	): Promise<BackupInfo> {
		const files: Record<string, string> = {};
		for (const name of (await readdir(folder.path)).sort()) {
			if (name === MANIFEST_FILE) continue;
			files[name] = await sha256File(join(folder.path, name));
		}
		const existing = await this.list();
		const newest = existing[0];
		if (unlessUnchanged && newest && newest.adapter === details.adapter && newest.checksum === combinedChecksum(files)) {
			await rm(folder.path, { recursive: true, force: true });
			return { ...newest, unchanged: true };
		}
		const manifest: BackupManifest = {
			id: folder.id,
			adapter: details.adapter,
			reason: details.reason,
			sequence: Math.max(0, ...existing.map((backup) => backup.sequence ?? 0)) + 1,
			createdAt: new Date().toISOString(),
			counts: details.counts,
			files,
			checksum: combinedChecksum(files)
		};
		await writeFileAtomic(join(folder.path, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
		await fsyncDirectory(this.root);
		await this.prune();
		return this.describe(folder.path, manifest);
	}

	/**
	 * Removes backup folders that were never sealed (a backup interrupted by a crash or a full disk), logging each. On
	 * storage several processes share, a folder could be another process's backup under way: only old ones go then.
	 */
	public async removeUnsealed(log: (message: string) => void, { olderThanMs = 0 } = {}): Promise<void> {
		let names: string[];
		try {
			names = await readdir(this.root);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
			throw error;
		}
		for (const name of names.filter((candidate) => BACKUP_ID.test(candidate))) {
			const path = join(this.root, name);
			const manifest = await this.readManifest(path).catch(() => null);
			if (manifest?.id === name) continue;
			const info = await stat(path).catch(() => null);
			if (!info?.isDirectory() || Date.now() - info.mtimeMs < olderThanMs) continue;
			await rm(path, { recursive: true, force: true });
			log(`Removed backup folder ${name}: it was never finished (no manifest), so it is not a backup`);
		}
	}

	/** Sealed backups, newest first. Folders without a readable manifest (an interrupted backup) are not listed. */
	public async list(): Promise<BackupInfo[]> {
		let names: string[];
		try {
			names = await readdir(this.root);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
			throw error;
		}
		const backups: BackupInfo[] = [];
		for (const name of names.filter((candidate) => BACKUP_ID.test(candidate))) {
			const manifest = await this.readManifest(join(this.root, name)).catch(() => null);
			if (manifest?.id === name) backups.push(await this.describe(join(this.root, name), manifest));
		}
		// Newest first by sequence; backups from before sequences existed are older than all others, ordered by id.
		return backups.sort((a, b) => (b.sequence ?? 0) - (a.sequence ?? 0) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
	}

	/** Looks up a backup by id; anything that is not the name of a sealed backup in this directory is refused. */
	public async get(id: string): Promise<BackupInfo> {
		if (typeof id !== 'string' || !BACKUP_ID.test(id)) {
			throw new BackupError(`"${String(id)}" is not a backup id (ids look like 20261125T183439123Z-00-startup)`);
		}
		const path = resolve(this.root, id);
		if (!path.startsWith(resolve(this.root) + sep)) throw new BackupError(`"${id}" is not a backup id`);
		const manifest = await this.readManifest(path).catch(() => null);
		if (!manifest || manifest.id !== id) throw new BackupError(`No backup with id ${id} in ${this.root}`);
		return this.describe(path, manifest);
	}

	/** Recomputes every file's hash against the manifest; throws naming the first file that differs or is missing. */
	public async verify(backup: BackupInfo): Promise<void> {
		const present = (await readdir(backup.path)).filter((name) => name !== MANIFEST_FILE);
		for (const name of present) {
			if (!(name in backup.files)) throw new BackupError(`Backup ${backup.id}: unexpected file ${name}`);
		}
		for (const [name, expected] of Object.entries(backup.files)) {
			const actual = await sha256File(join(backup.path, name)).catch(() => null);
			if (actual === null) throw new BackupError(`Backup ${backup.id}: ${name} is missing`);
			if (actual !== expected) throw new BackupError(`Backup ${backup.id}: ${name} does not match its checksum`);
		}
		if (combinedChecksum(backup.files) !== backup.checksum) {
			throw new BackupError(`Backup ${backup.id}: the manifest checksum does not match its file list`);
		}
	}

	/** Runs `work` with backup `id` kept from retention: a restore's own safety backup must not prune its target. */
	public async whilePinned<T>(id: string, work: () => Promise<T>): Promise<T> {
		this.pinned.set(id, (this.pinned.get(id) ?? 0) + 1);
		try {
			return await work();
		} finally {
			const count = this.pinned.get(id)! - 1;
			if (count === 0) this.pinned.delete(id);
			else this.pinned.set(id, count);
		}
	}

	/**
	 * Keeps `keep` backups. Routine ones (startup, scheduled) are pruned first, oldest first; one made for a reason
	 * (manual, before a reset, a restore or an import) goes only once no routine backup is left to prune. The newest
	 * backup and pinned ones are never pruned.
	 */
	private async prune(): Promise<void> {
		const backups = await this.list();
		let excess = backups.length - this.keep;
		const candidates = backups
			.slice(1)
			.filter((backup) => !this.pinned.has(backup.id))
			.reverse();
		const order = [
			...candidates.filter((backup) => ROUTINE_REASONS.has(backup.reason)),
			...candidates.filter((backup) => !ROUTINE_REASONS.has(backup.reason))
		];
		for (const old of order) {
			if (excess-- <= 0) break;
			await rm(old.path, { recursive: true, force: true });
		}
	}

	private async readManifest(folder: string): Promise<BackupManifest> {
		return JSON.parse(await readFile(join(folder, MANIFEST_FILE), 'utf8')) as BackupManifest;
	}

	private async describe(path: string, manifest: BackupManifest): Promise<BackupInfo> {
		let sizeBytes = 0;
		for (const name of await readdir(path)) sizeBytes += (await stat(join(path, name))).size;
		return { ...manifest, path, sizeBytes };
	}
}
