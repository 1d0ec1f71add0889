import type { BackupInfo } from '../../storage-adapters/index.js';
import type { StorageFacts } from '../data/facts.js';
import { withoutPaths } from '../data/health.js';

/** A backup as the page shows it: no file path (DATA_DIR's layout is the operator's business), no per-file hashes. */
export function backupView(backup: BackupInfo) {
	return {
		id: backup.id,
		createdAt: backup.createdAt,
		reason: backup.reason,
		adapter: backup.adapter,
		counts: backup.counts,
		sizeBytes: backup.sizeBytes,
		checksum: backup.checksum
	};
}

/** What /data-status shows of the storage, without paths in problem or event texts. */
export function storageView(facts: StorageFacts) {
	return {
		adapter: facts.adapter,
		healthy: facts.healthy,
		problem: facts.problem === undefined ? null : withoutPaths(facts.problem),
		counts: facts.counts,
		totalRecords: facts.totalRecords,
		sizeBytes: facts.sizeBytes,
		lastWriteAt: facts.lastWriteAt,
		lastBackup: facts.lastBackup,
		lastBackupAgeSeconds: facts.lastBackupAgeSeconds,
		backups: facts.backups
	};
}
