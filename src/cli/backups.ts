import type { ConfigWithoutToken } from '../config.js';
import { collectGuildFacts, collectStorageFacts, describeBytes, describeCounts, storageLines } from '../lib/data/facts.js';
import { formatAgo } from '../lib/i18n/formatters.js';
import { SOURCE_LANGUAGE } from '../lib/i18n/languages.js';
import { languageT } from '../lib/i18n/standalone.js';
import { say } from '../lib/i18n/text.js';
import { InviteTracker } from '../lib/invites/tracker.js';
import { findLegacyFiles } from '../lib/legacy/sources.js';
import { storageLocation } from '../lib/storage.js';
import { BackupDirectory } from '../storage-adapters/backups.js';
import { BackupError, type BackendStorage, type BackupInfo } from '../storage-adapters/index.js';
import { CliError, EXIT, note, progress, sum, withStorage, type CliOptions } from './context.js';

/** The CLI never talks to Discord: the tracker it loads only derives counts from the stored records. */
const OFFLINE_SOURCE = { fetch: () => Promise.resolve({ ok: false as const, reason: 'the data CLI does not connect to Discord' }) };
const SILENT = { info: () => undefined, warn: () => undefined, error: () => undefined };

export async function statusCommand(config: ConfigWithoutToken, options: CliOptions & { json?: boolean }): Promise<number> {
	return withStorage(config, { write: false }, async ({ storage, sharedWith }) => {
		const tracker = await InviteTracker.load(storage, OFFLINE_SOURCE, SILENT);
		const [guilds, facts] = await Promise.all([collectGuildFacts(storage, tracker), collectStorageFacts(storage)]);
		const legacy = await findLegacyFiles(config.dataDir).catch(() => []);
		if (options.json) {
			process.stdout.write(
				`${JSON.stringify({ location: storageLocation(config), runningBot: sharedWith, storage: facts, guilds, supremeBot2Files: legacy.map((file) => file.name) }, null, 2)}\n`
			);
			return facts.healthy ? EXIT.ok : EXIT.unavailable;
		}
		// The facts' sentences are the bot's own (the `data` language namespace), said here in the source language: operators
		// read the same words as /data-status in an English server.
		const t = languageT(SOURCE_LANGUAGE);
		const lines = [`Storage: ${storageLocation(config)}`, ...storageLines(facts, (iso) => iso).map((line) => say(t, line).replace(/\*\*/g, ''))];
		if (legacy.length > 0) {
			lines.push(
				`Supreme-BOT2 files in ${config.dataDir}: ${legacy.map((file) => file.name).join(', ')} (not read as this bot's data; the bot imports them at start, or: npm run data -- import-legacy <folder>)`
			);
		}
		lines.push(`Records per namespace: ${describeCounts(facts.counts) ?? t('data:storage.noRecords')}`);
		const problems = facts.events.filter((event) => event.level !== 'info');
		for (const event of problems) lines.push(`  ${event.at} ${event.level}: ${event.message}`);
		lines.push('', `Guilds with data: ${guilds.length}`);
		for (const guild of guilds) {
			lines.push(
				`- ${guild.guildId}: ${guild.trackedMembers} members tracked, ${guild.totalInvites} invites from ${guild.inviters} inviters, join history ${guild.joinHistory}, giveaways ${guild.activeGiveaways} active of ${guild.giveaways}`,
				`  ${guild.greetings
					.map((line) => say(t, line))
					.join(' · ')
					.replace(/<#(\d+)>/g, '#$1')
					.replace(/<@&(\d+)>/g, '@$1')}`
			);
		}
		process.stdout.write(`${lines.join('\n')}\n`);
		return facts.healthy ? EXIT.ok : EXIT.unavailable;
	});
}

function describeBackup(backup: BackupInfo): string {
	const age = formatAgo(Math.max(0, Math.round((Date.now() - Date.parse(backup.createdAt)) / 1000)), SOURCE_LANGUAGE);
	return `${backup.id}  ${backup.adapter}  ${sum(backup.counts)} records  ${describeBytes(backup.sizeBytes)}  ${age}`;
}

export async function backupCommand(config: ConfigWithoutToken): Promise<number> {
	return withStorage(config, { write: true }, async ({ storage }) => {
		const backup = await storage.backup('cli');
		note(`Backup made at ${backup.path}: ${describeBytes(backup.sizeBytes)}, ${describeCounts(backup.counts) ?? 'no records'}`);
		process.stdout.write(`${backup.id}\n`);
		return EXIT.ok;
	});
}

/** Listing reads only BACKUP_DIR, so it works while the bot runs and while Redis is down. */
export async function backupsCommand(config: ConfigWithoutToken, options: { json?: boolean }): Promise<number> {
	const backups = await new BackupDirectory(config.backupDir, config.backupKeep).list();
	if (options.json) process.stdout.write(`${JSON.stringify(backups, null, 2)}\n`);
	else if (backups.length === 0) note(`No backups in ${config.backupDir}`);
	else process.stdout.write(`${backups.map(describeBackup).join('\n')}\n`);
	return EXIT.ok;
}

/** An id that names no sealed backup is exit 4, before anything else is done. */
async function requireBackup(storage: BackendStorage, config: ConfigWithoutToken, id: string): Promise<void> {
	if (!(await storage.listBackups()).some((backup) => backup.id === id)) {
		throw new CliError(EXIT.notFound, `No backup with id "${id}" in ${config.backupDir} (list them with: backups)`);
	}
}

/** A backup that fails its checks is exit 3: nothing was changed. */
function damaged(error: unknown): never {
	if (error instanceof BackupError) throw new CliError(EXIT.verifyFailed, `${error.message}; nothing was changed`);
	throw error;
}

export async function verifyCommand(config: ConfigWithoutToken, id: string | undefined, options: CliOptions): Promise<number> {
	return withStorage(config, { write: false }, async ({ storage }) => {
		const ids = id === undefined ? (await storage.listBackups()).map((backup) => backup.id) : [id];
		if (ids.length === 0) note(`No backups in ${config.backupDir}`);
		const bar = progress(options, 'Verifying backups', ids.length);
		const lines: string[] = [];
		let failed = 0;
		if (id !== undefined) await requireBackup(storage, config, id);
		for (const backupId of ids) {
			const [check] = await storage.verifyBackups(backupId);
			bar.increment();
			if (!check) continue;
			if (!check.ok) failed++;
			lines.push(check.ok ? `ok       ${check.id}` : `DAMAGED  ${check.id}: ${check.problem}`);
		}
		bar.stop();
		if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
		if (failed > 0) {
			note(`${failed} of ${ids.length} backups failed verification.`);
			return EXIT.verifyFailed;
		}
		return EXIT.ok;
	});
}

export async function restoreCommand(config: ConfigWithoutToken, id: string): Promise<number> {
	return withStorage(config, { write: true }, async ({ storage }) => {
		await requireBackup(storage, config, id);
		const before = (await storage.status()).counts;
		const { before: safety } = await storage.restore(id).catch(damaged);
		const after = (await storage.status()).counts;
		note(`Restored ${id}. The state before it is backup ${safety.id}.`);
		for (const namespace of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
			process.stdout.write(`${namespace}: ${before[namespace] ?? 0} -> ${after[namespace] ?? 0}\n`);
		}
		if (config.storageAdapter !== 'file') {
			// sqlite and redis are shared: a running bot notices the replaced data and reloads it (DataReplacedWatch).
			note('A bot running on this storage reloads the restored data within 10 seconds.');
		}
		return EXIT.ok;
	});
}
