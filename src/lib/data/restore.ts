import { UserError } from '@sapphire/framework';
import type { BackupInfo, Storage } from '../../storage-adapters/index.js';
import { reloadFeatureData } from './reload.js';
import type { RestoreOutcome } from './views.js';

let restoreRunning = false;

/** A backup the storage lists; anything else is a UserError naming the id. */
export async function findBackup(storage: Storage, id: string): Promise<BackupInfo> {
	const backup = (await storage.listBackups()).find((candidate) => candidate.id === id);
	if (!backup)
		throw new UserError({
			identifier: 'UnknownBackup',
			message: `There is no backup \`${id.slice(0, 80)}\`. Run /restore-data without an id to see the list.`
		});
	if (backup.adapter !== storage.adapter) {
		throw new UserError({
			identifier: 'ForeignBackup',
			message: `Backup \`${id}\` was made by the ${backup.adapter} adapter; this bot uses ${storage.adapter}. Move data between backends with the data CLI's migrate.`
		});
	}
	return backup;
}

/** Backs up the current state, restores `id`, reloads every feature's in-memory state, and reports counts before/after. */
export async function restoreAndReload(storage: Storage, id: string): Promise<RestoreOutcome> {
	// A double click, or two owners at once, must not run two restores into each other.
	if (restoreRunning) throw new UserError({ identifier: 'RestoreRunning', message: 'A restore is already running; wait for it to finish.' });
	restoreRunning = true;
	try {
		await findBackup(storage, id);
		const before = (await storage.status()).counts;
		const { before: safetyBackup, restored } = await storage.restore(id);
		const reloads = await reloadFeatureData();
		const after = (await storage.status()).counts;
		return { restored, safetyBackup, before, after, reloads };
	} finally {
		restoreRunning = false;
	}
}
