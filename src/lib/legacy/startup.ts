import { copyFile, mkdir, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ILogger } from '@sapphire/framework';
import type { ConfigWithoutToken } from '../../config.js';
import { fsyncDirectory, PRIVATE_DIR_MODE, writeFileAtomic } from '../../storage-adapters/durable-fs.js';
import { BackupDirectory } from '../../storage-adapters/backups.js';
import { LEGACY_IMPORT_REASON, type BackendStorage } from '../../storage-adapters/index.js';
import { describeError } from '../secrets.js';
import { importLegacy } from './apply.js';
import { summaryLine } from './convert.js';
import { findLegacyFiles, readLegacyParts } from './sources.js';

/**
 * The import at start: when DATA_DIR holds Supreme-BOT2's files, before storage is opened for writing, the originals are
 * copied into a backup (reason legacy-import) and moved into DATA_DIR/legacy-<time>/; once storage is open they are
 * converted into it. A marker file in DATA_DIR records each step, so a crash anywhere leaves the old files (in place or
 * in the legacy folder) or the finished import, and the next start finishes it: the conversion only sets records, so
 * doing it again gives the same result, never doubled counts. Once done, legacy files that show up again are reported.
 */

export const LEGACY_MARKER_FILE = 'legacy-import.marker';

interface Marker {
	/** moving: backup made, originals being moved; converting: records being written; done; refused (target held data). */
	state: 'moving' | 'converting' | 'done' | 'refused';
	folder: string;
	backupId: string;
	files: string[];
	startedAt: number;
	finishedAt?: number;
	summary?: string;
	reason?: string;
}

async function readMarker(dataDir: string): Promise<Marker | null | 'unreadable'> {
	try {
		const marker = JSON.parse(await readFile(join(dataDir, LEGACY_MARKER_FILE), 'utf8')) as Marker;
		return typeof marker.state === 'string' && typeof marker.folder === 'string' ? marker : 'unreadable';
	} catch (error) {
		return ['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '') ? null : 'unreadable';
	}
}

const writeMarker = (dataDir: string, marker: Marker) => writeFileAtomic(join(dataDir, LEGACY_MARKER_FILE), `${JSON.stringify(marker, null, 2)}\n`);

const exists = (path: string) =>
	stat(path).then(
		() => true,
		() => false
	);

export class LegacyImportAtStart {
	private constructor(
		private readonly config: ConfigWithoutToken,
		private readonly logger: ILogger,
		private marker: Marker
	) {}

	/** Once storage is open, before anything else writes: converts the moved originals into it. Never throws. */
	public async apply(storage: BackendStorage): Promise<void> {
		const { dataDir } = this.config;
		const folder = join(dataDir, this.marker.folder);
		try {
			// The time of the first attempt: a redo writes the very same records. Read, converted and written a file (and a
			// few thousand records) at a time. Only the first attempt checks the target: a redo finds its own records there.
			const outcome = await importLegacy(storage, () => readLegacyParts(folder, { files: this.marker.files }), this.marker.startedAt, {
				refuseOverlap: this.marker.state === 'moving',
				beforeWriting: async () => {
					if (this.marker.state === 'moving') await this.setMarker({ ...this.marker, state: 'converting' });
				}
			});
			if (!outcome.imported) {
				const { overlapping } = outcome;
				const reason = `the ${storage.adapter} storage already holds data for ${overlapping.length} of its servers (${overlapping.slice(0, 5).join(', ')}${overlapping.length > 5 ? ', …' : ''})`;
				await this.setMarker({ ...this.marker, state: 'refused', reason, finishedAt: Date.now() });
				this.logger.error(
					`Supreme-BOT2 import not made: ${reason}. The originals are kept in ${folder} (and backup ${this.marker.backupId}); import them with: npm run data -- import-legacy ${folder} --replace`
				);
				return;
			}
			const summary = summaryLine(outcome.report);
			await this.setMarker({ ...this.marker, state: 'done', finishedAt: Date.now(), summary });
			this.logger.info(`Supreme-BOT2 import done into ${storage.adapter} (originals in ${folder}, backup ${this.marker.backupId}): ${summary}`);
		} catch (error) {
			this.logger.error(
				`Supreme-BOT2 import did not finish: ${describeError(error)}. The originals are kept in ${folder}; the next start tries again.`
			);
		}
	}

	private async setMarker(marker: Marker): Promise<void> {
		await writeMarker(this.config.dataDir, marker);
		this.marker = marker;
	}

	/**
	 * Before storage opens: finds the old files, backs them up and moves them into the legacy folder (or finishes an
	 * interrupted move). Null when there is nothing to import. Never throws: a problem is logged and the bot starts.
	 */
	public static async prepare(config: ConfigWithoutToken, logger: ILogger): Promise<LegacyImportAtStart | null> {
		try {
			return await LegacyImportAtStart.prepareOrThrow(config, logger);
		} catch (error) {
			logger.error(`Supreme-BOT2 import not made: ${describeError(error)}. The old files are left where they are; nothing of them was lost.`);
			return null;
		}
	}

	private static async prepareOrThrow(config: ConfigWithoutToken, logger: ILogger): Promise<LegacyImportAtStart | null> {
		const { dataDir } = config;
		const marker = await readMarker(dataDir);
		const found = await findLegacyFiles(dataDir);
		if (marker === 'unreadable') {
			// Importing again could double counts: an operator decides.
			if (found.length > 0)
				logger.error(
					`Supreme-BOT2 files in ${dataDir} (${found.map((file) => file.name).join(', ')}) not imported: ${LEGACY_MARKER_FILE} is unreadable, so whether they were imported before is unknown. Import them with: npm run data -- import-legacy <folder>`
				);
			return null;
		}
		if (marker?.state === 'done' || marker?.state === 'refused') {
			if (found.length > 0) {
				const before =
					marker.state === 'done'
						? `an import was made ${new Date(marker.finishedAt ?? marker.startedAt).toISOString()}`
						: `the import of ${marker.folder} was refused (${marker.reason})`;
				logger.warn(
					`Supreme-BOT2 files found in ${dataDir} again (${found.map((file) => file.name).join(', ')}); not imported: ${before}. They are left as they are; import them with: npm run data -- import-legacy ${dataDir} (--replace to replace what they overlap)`
				);
			}
			return null;
		}
		if (marker) {
			// An import interrupted by a crash: finish moving what is still in place, then convert again.
			await LegacyImportAtStart.moveInto(dataDir, marker);
			logger.warn(`Supreme-BOT2 import in ${join(dataDir, marker.folder)} was interrupted; finishing it`);
			return new LegacyImportAtStart(config, logger, marker);
		}
		if (found.length === 0) return null;

		logger.info(
			`Supreme-BOT2 files found in ${dataDir}: ${found.map((file) => `${file.name} (${file.bytes} bytes)`).join(', ')}; importing them`
		);
		const startedAt = Date.now();
		const backups = new BackupDirectory(config.backupDir, config.backupKeep);
		const folder = await backups.create(LEGACY_IMPORT_REASON);
		for (const file of found) await copyFile(join(dataDir, file.name), join(folder.path, file.name));
		await fsyncDirectory(folder.path);
		const backup = await backups.seal(folder, {
			adapter: config.storageAdapter,
			reason: LEGACY_IMPORT_REASON,
			counts: { 'supreme-bot2-files': found.length }
		});
		const created: Marker = {
			state: 'moving',
			folder: `legacy-${new Date(startedAt).toISOString().replace(/[-:.]/g, '')}`,
			backupId: backup.id,
			files: found.map((file) => file.name),
			startedAt
		};
		await writeMarker(dataDir, created);
		await LegacyImportAtStart.moveInto(dataDir, created);
		logger.info(`Supreme-BOT2 originals backed up (backup ${backup.id}) and moved into ${join(dataDir, created.folder)}`);
		return new LegacyImportAtStart(config, logger, created);
	}

	private static async moveInto(dataDir: string, marker: Marker): Promise<void> {
		const folder = join(dataDir, marker.folder);
		await mkdir(folder, { recursive: true, mode: PRIVATE_DIR_MODE });
		for (const name of marker.files) {
			if ((await exists(join(dataDir, name))) && !(await exists(join(folder, name)))) await rename(join(dataDir, name), join(folder, name));
		}
		await fsyncDirectory(folder);
		await fsyncDirectory(dataDir);
	}
}
