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

/**
 * Replaces `path` with `contents` so that a crash at any moment leaves either the old or the new file, never a mix.
 * Contents given as chunks are written one by one, so a large file never has to exist as one string in memory.
 * Resolves with the number of bytes written.
 */
export async function writeFileAtomic(path: string, contents: string | Uint8Array | Iterable<string> | AsyncIterable<string>): Promise<number> {
	const directory = dirname(path);
	const temporary = join(directory, `${basename(path)}${TEMP_MARKER}${process.pid}-${randomBytes(4).toString('hex')}`);
	let bytes = 0;
	try {
		if (typeof contents === 'string' || contents instanceof Uint8Array) {
			await writeFile(temporary, contents, { mode: PRIVATE_FILE_MODE, flush: true });
			bytes = typeof contents === 'string' ? Buffer.byteLength(contents) : contents.byteLength;
		} else {
			const handle = await open(temporary, 'w', PRIVATE_FILE_MODE);
			try {
				for await (const chunk of contents) bytes += (await handle.write(chunk)).bytesWritten;
				await handle.sync();
			} finally {
				await handle.close();
			}
		}
		await rename(temporary, path);
	} catch (error) {
		await rm(temporary, { force: true });
		throw error;
	}
	await fsyncDirectory(directory);
	return bytes;
}
