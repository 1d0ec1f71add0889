#!/usr/bin/env node
// The data CLI: `npm run data -- <command>` or the `supreme-data` bin. Reads the bot's configuration (env, .env,
// bot.config.json) without needing DISCORD_TOKEN. Exit codes: see EXIT in context.ts and README.md.
import { Command, CommanderError, Option } from 'commander';
import { describeError } from '../lib/secrets.js';
import { backupCommand, backupsCommand, restoreCommand, statusCommand, verifyCommand } from './backups.js';
import { CliError, EXIT, readCliConfig, type CliOptions } from './context.js';
import { inviteCsvCommand, type InviteCsvOptions } from './invite-export.js';
import { importLegacyCommand, type ImportLegacyOptions } from './legacy.js';
import { exportCommand, importCommand, migrateCommand } from './transfer.js';

const program = new Command('supreme-data')
	.description('Inspect, back up, restore, verify, migrate, export and import the data of Supreme Bot')
	.option('-q, --quiet', 'no progress bars (they are also off when stderr is not a terminal)')
	.showHelpAfterError()
	.exitOverride();

function run<A extends unknown[]>(action: (...args: A) => Promise<number>) {
	return async (...args: A) => {
		process.exitCode = await action(...args);
	};
}

const global = (): CliOptions => program.opts<CliOptions>();

program
	.command('status')
	.description("storage facts and every guild's data (read-only; may run beside the bot)")
	.option('--json', 'print JSON')
	.action(run((options: { json?: boolean }) => statusCommand(readCliConfig(), { ...global(), ...options })));

program
	.command('backup')
	.description('make a backup now; prints its id')
	.action(run(() => backupCommand(readCliConfig())));

program
	.command('backups')
	.description('list backups, newest first (read-only)')
	.option('--json', 'print JSON')
	.action(run((options: { json?: boolean }) => backupsCommand(readCliConfig(), options)));

program
	.command('restore')
	.description('restore a backup (the current state is backed up first)')
	.argument('<id>', 'backup id, as listed by `backups`')
	.action(run((id: string) => restoreCommand(readCliConfig(), id)));

program
	.command('verify')
	.description('check checksums and parse every file of one backup or all (read-only)')
	.argument('[id]', 'backup id; all backups when left out')
	.action(run((id: string | undefined) => verifyCommand(readCliConfig(), id, global())));

program
	.command('migrate')
	.description('copy every namespace to another backend and verify the copy; the source is never changed')
	.addOption(new Option('--to <adapter>', 'target backend').choices(['file', 'sqlite', 'redis']).makeOptionMandatory())
	.option('--to-dir <dir>', 'file target: its data directory (default DATA_DIR)')
	.option('--to-path <file>', 'sqlite target: the database file (default SQLITE_PATH)')
	.option('--to-url <url>', 'redis target: the server URL (default REDIS_URL)')
	.action(
		run((options: { to: string; toDir?: string; toPath?: string; toUrl?: string }) =>
			migrateCommand(readCliConfig(), { ...global(), ...options })
		)
	);

program
	.command('export')
	.description("write every namespace to a portable JSON dump, or one server's invite leaderboard as CSV (read-only)")
	.addOption(
		new Option('--format <format>', 'json: a dump of everything; csv: the invite leaderboard of --guild').choices(['json', 'csv']).default('json')
	)
	.option('--out <file>', 'write to this file instead of stdout')
	.option('--guild <id>', 'csv: the server whose leaderboard to write')
	.addOption(new Option('--period <period>', 'csv: the time window').choices(['all', '30d', '7d', 'today', 'since']))
	.option('--since <date>', 'csv: only joins from this date (YYYY-MM-DD) on')
	.action(
		run((options: InviteCsvOptions & { format: string }) =>
			options.format === 'csv'
				? inviteCsvCommand(readCliConfig(), { ...global(), ...options })
				: exportCommand(readCliConfig(), { ...global(), ...options })
		)
	);

program
	.command('import')
	.description('load a JSON dump into the configured storage (refused if it holds data, unless --replace)')
	.argument('<file>', 'a dump written by `export`')
	.option('--replace', 'replace the current data (a backup is made first)')
	.action(run((file: string, options: { replace?: boolean }) => importCommand(readCliConfig(), file, { ...global(), ...options })));

program
	.command('import-legacy')
	.description("convert Supreme-BOT2's data (a copy of its data/ folder, or its MySQL tables) into the configured storage")
	.argument('[folder]', "a copy of Supreme-BOT2's data/ folder (only read)")
	.option('--settings <file>', 'a settings.json kept elsewhere')
	.option('--mysql <url>', 'read the later table layout from this MySQL/TiDB server instead of a folder')
	.option('--dry-run', 'print the report and change nothing')
	.option('--replace', 'replace the data the storage holds for the imported servers (a backup is made first)')
	.action(
		run((folder: string | undefined, options: ImportLegacyOptions) => importLegacyCommand(readCliConfig(), folder, { ...global(), ...options }))
	);

try {
	await program.parseAsync(process.argv);
} catch (error) {
	if (error instanceof CommanderError) {
		// Help and version are successes; every other parse problem is a usage error.
		process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
	} else if (error instanceof CliError) {
		process.stderr.write(`${error.message}\n`);
		process.exitCode = error.exitCode;
	} else {
		process.stderr.write(`Failed: ${describeError(error)}\n`);
		process.exitCode = EXIT.failure;
	}
}
