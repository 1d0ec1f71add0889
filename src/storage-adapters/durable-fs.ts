import { open, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Files we write get no permissions for other users: data and backups may hold member ids and settings. */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** Marks temporary files so a crashed write's leftovers can be recognised and removed at the next start. */
export const TEMP_MARKER = '.tmp-';

/** Makes a rename or a new file in `directory` survive a crash (the directory entry itself is flushed). */
export async function fsyncDirectory(directory: string): Promise<void> {
	const handle = await open(directory, 'r');
	try {
		await handle.sync();
	} finally {
		await handle.close();
	}
}

/** Replaces `path` with `contents` so that a crash at any moment leaves either the old or the new file, never a mix. */
export async function writeFileAtomic(path: string, contents: string | Uint8Array): Promise<void> {
	const directory = dirname(path);
	const temporary = join(directory, `${basename(path)}${TEMP_MARKER}${process.pid}-${randomBytes(4).toString('hex')}`);
	try {
		await writeFile(temporary, contents, { mode: PRIVATE_FILE_MODE, flush: true });
		await rename(temporary, path);
	} catch (error) {
		await rm(temporary, { force: true });
		throw error;
	}
	await fsyncDirectory(directory);
}
