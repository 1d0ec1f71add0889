import type { BackupInfo, Storage } from '../../storage-adapters/index.js';
import { refusal } from '../interaction-reply.js';
import { reloadFeatureData } from './reload.js';
import type { RestoreOutcome } from './views.js';

let restoreRunning = false;

/** A backup the storage lists; anything else is a UserError naming the id. */
export async function findBackup(storage: Storage, id: string): Promise<BackupInfo> {
	const backup = (await storage.listBackups()).find((candidate) => candidate.id === id);
	if (!backup) throw refusal('data:unknownBackup', { id: id.slice(0, 80) });
	if (backup.adapter !== storage.adapter) throw refusal('data:foreignBackup', { id, backupAdapter: backup.adapter, adapter: storage.adapter });
	return backup;
}

/** Backs up the current state, restores `id`, reloads every feature's in-memory state, and reports counts before/after. */
export async function restoreAndReload(storage: Storage, id: string): Promise<RestoreOutcome> {
	// A double click, or two owners at once, must not run two restores into each other.
	if (restoreRunning) throw refusal('data:restoreRunning');
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
