import type { ConfigWithoutToken } from '../config.js';
import { clearServers, serversWithData, writeConversion } from '../lib/legacy/apply.js';
import { convertLegacy, reportLines } from '../lib/legacy/convert.js';
import type { LegacyData } from '../lib/legacy/format.js';
import { findLegacyFiles, readLegacyFolder, readLegacyMysql } from '../lib/legacy/sources.js';
import { describeError } from '../lib/secrets.js';
import { CliError, EXIT, note, withStorage, type CliOptions } from './context.js';

export interface ImportLegacyOptions extends CliOptions {
	settings?: string;
	mysql?: string;
	dryRun?: boolean;
	replace?: boolean;
}

/** Reads the old data; the folder is only read (its files are never moved or changed by the CLI). */
async function readSource(folder: string | undefined, options: ImportLegacyOptions): Promise<LegacyData> {
	if (options.mysql) {
		if (folder) throw new CliError(EXIT.usage, 'Give a folder or --mysql <url>, not both.');
		try {
			return await readLegacyMysql(options.mysql);
		} catch (error) {
			throw new CliError(EXIT.unavailable, `The Supreme-BOT2 database could not be read: ${describeError(error)}`);
		}
	}
	if (!folder) throw new CliError(EXIT.usage, "Name the folder with Supreme-BOT2's data/ (or use --mysql <url>).");
	const found = await findLegacyFiles(folder).catch((error: unknown) => {
		throw new CliError(EXIT.notFound, `${folder} cannot be read: ${describeError(error)}`);
	});
	if (found.length === 0 && !options.settings)
		throw new CliError(
			EXIT.notFound,
			`${folder} holds no Supreme-BOT2 files (invites.json, join-history.json, settings.json, invite-config.json in its layout).`
		);
	return readLegacyFolder(folder, { files: found.map((file) => file.name), settingsFile: options.settings });
}

/** `import-legacy <folder> | --mysql <url>`: converts Supreme-BOT2's data into the configured storage. */
export async function importLegacyCommand(config: ConfigWithoutToken, folder: string | undefined, options: ImportLegacyOptions): Promise<number> {
	const conversion = convertLegacy(await readSource(folder, options));
	const report = reportLines(conversion.report);
	return withStorage(config, { write: !options.dryRun }, async ({ storage }) => {
		const overlapping = await serversWithData(storage, conversion);
		if (options.dryRun) {
			process.stdout.write(`${report.join('\n')}\n`);
			if (overlapping.length > 0)
				note(
					`The storage already holds data for ${overlapping.length} of these servers (${overlapping.slice(0, 5).join(', ')}); the import would need --replace.`
				);
			note('Dry run: nothing was changed.');
			return EXIT.ok;
		}
		if (overlapping.length > 0 && !options.replace) {
			throw new CliError(
				EXIT.usage,
				`The ${storage.adapter} storage already holds data for ${overlapping.length} of these servers (${overlapping.slice(0, 5).join(', ')}${overlapping.length > 5 ? ', …' : ''}); nothing was changed. Run again with --replace to replace it (a backup is made first).`
			);
		}
		if (overlapping.length > 0) {
			const backup = await storage.backup('before-legacy-import');
			note(`Backup of the current data: ${backup.id}`);
			await clearServers(storage, conversion, new Set(overlapping));
		}
		await writeConversion(storage, conversion);
		process.stdout.write(`${report.join('\n')}\n`);
		note(
			`Imported into ${storage.adapter}. A bot running on sqlite or redis reloads the data within 10 seconds; on the file adapter, stop the bot first.`
		);
		return EXIT.ok;
	});
}
