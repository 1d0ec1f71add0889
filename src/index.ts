// Entry point: configuration -> client -> storage (core plugin, before login) -> login.
import '@sapphire/plugin-logger/register';
import '@sapphire/plugin-i18next/register';
import './plugins/core/register.js';
import { container, LogLevel } from '@sapphire/framework';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createClient, loginFailureLine } from './lib/client.js';
import { loadDotEnv } from './lib/env-file.js';
import { loadPlugins, PluginLoadError } from './plugins/loader.js';
import { describeError, redactSecrets } from './lib/secrets.js';
import { installShutdownHandlers, stopBot } from './lib/shutdown.js';
import { StartupError } from './lib/storage.js';

/** Startup problems are one line on stderr and exit 1: the operator needs the reason, not a stack trace. */
function exitWith(message: string): never {
	process.stderr.write(`${message}\n`);
	process.exit(1);
}

function readConfig(): Config {
	try {
		if (loadDotEnv(process.cwd()) === 'unsupported') {
			process.stderr.write('Warning: .env was not read (Node 20.12 or newer is needed); using the environment and bot.config.json\n');
		}
	} catch (error) {
		exitWith(`Invalid configuration: .env cannot be read: ${describeError(error)}`);
	}
	try {
		return loadConfig(process.env, process.cwd());
	} catch (error) {
		exitWith(error instanceof ConfigError ? error.message : `Invalid configuration: ${describeError(error)}`);
	}
}

const config = readConfig();
// Before the client exists: plugins register their Sapphire hooks, which the client's constructor and login run.
try {
	await loadPlugins(config);
} catch (error) {
	exitWith(
		error instanceof PluginLoadError || error instanceof StartupError ? error.message : `Plugins could not be loaded: ${describeError(error)}`
	);
}
// Before the client exists: plugin-api's hooks register on import and load the routes for the client created next.
if (config.dashboard !== null) await import('./plugins/dashboard/register.js');
const client = createClient(config);
const { logger } = container;
installShutdownHandlers(client, logger);
process.on('unhandledRejection', (reason) => {
	logger.error(`Unhandled promise rejection: ${reason instanceof Error ? redactSecrets(reason.stack ?? reason.message) : describeError(reason)}`);
});

try {
	await client.login(config.discordToken);
} catch (error) {
	const line = error instanceof StartupError ? error.message : (loginFailureLine(error) ?? `Startup failed: ${describeError(error)}`);
	if (logger.has(LogLevel.Fatal)) logger.fatal(line);
	else process.stderr.write(`${line}\n`);
	if (error instanceof Error && !(error instanceof StartupError)) logger.debug(redactSecrets(error.stack ?? ''));
	await stopBot(client).catch(() => undefined);
	process.exit(1);
}
