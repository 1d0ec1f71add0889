import { fileURLToPath } from 'node:url';
import { ApplicationCommandRegistries, container, LogLevel, RegisterBehavior, SapphireClient } from '@sapphire/framework';
import { Logger } from '@sapphire/plugin-logger';
import { Partials } from 'discord.js';
import type { Config, LogLevelName } from '../config.js';
import './container.js';
import { BOT_INTENTS } from './discord-access.js';
import { FORMATTERS } from './i18n/formatters.js';
import { guildLanguage } from './i18n/guild-language.js';
import { languageForLocale, SOURCE_LANGUAGE } from './i18n/languages.js';
import { addSecret } from './secrets.js';

/** The compiled `dist/` folder (this file is dist/lib/client.js): Sapphire scans its commands/, listeners/, preconditions/. */
export const PIECES_DIRECTORY = fileURLToPath(new URL('../', import.meta.url));

const LOG_LEVELS: Record<LogLevelName, LogLevel> = {
	trace: LogLevel.Trace,
	debug: LogLevel.Debug,
	info: LogLevel.Info,
	warn: LogLevel.Warn,
	error: LogLevel.Error,
	fatal: LogLevel.Fatal,
	none: LogLevel.None
};

/** Builds the bot's client from a validated config; the core plugin (imported by the entry) opens storage at login. */
export function createClient(config: Config): SapphireClient {
	container.config = config;
	addSecret(config.discordToken);
	addSecret(redisPassword(config.redisUrl));
	addSecret(config.healthToken);
	addSecret(config.dashboard?.clientSecret);
	// Guild registration is instant, global registration can take an hour: test servers want the former.
	ApplicationCommandRegistries.setDefaultGuildIds(config.commandGuildIds.length > 0 ? [...config.commandGuildIds] : null);
	// One bulk overwrite per scope instead of create-per-command: no "add the id to idHints" advice at the first start,
	// and Discord keeps the ids and versions of commands that did not change.
	ApplicationCommandRegistries.setDefaultBehaviorWhenNotIdentical(RegisterBehavior.BulkOverwrite);

	// SHARD_COUNT is ours (start:sharded, may be 'auto'), but discord.js reads it too: the manager sets it to a number
	// for each shard it spawns; a plain start runs the one shard.
	if (process.env.SHARDING_MANAGER === undefined) delete process.env.SHARD_COUNT;
	const client = new SapphireClient({
		intents: [...BOT_INTENTS],
		// Without GUILD_PRESENCES, GUILD_CREATE carries only the bot's own member, so after a restart nobody else is
		// cached; discord.js emits guildMemberRemove / guildMemberUpdate for uncached members only with this partial.
		partials: [Partials.GuildMember],
		...(config.discordApiUrl === null ? {} : { rest: { api: config.discordApiUrl } }),
		logger: { level: LOG_LEVELS[config.logLevel] },
		i18n: {
			// The source language is i18next's fallback and the default text of command descriptions, whatever
			// DEFAULT_LANGUAGE says: every other language is checked against it key by key.
			defaultName: SOURCE_LANGUAGE,
			// i18next prints an advertisement at init; the bot's output is for its operator. Values are not read as
			// templates (the plugin's default is to): a prize or a name with {{…}} in it stays as typed. These options
			// replace the plugin's `interpolation` as a whole, so escapeValue (off: Discord is not HTML) is repeated.
			i18next: { showSupportNotice: false, interpolation: { escapeValue: false, skipOnVariables: true } },
			formatters: FORMATTERS,
			// A server speaks one language to everyone (src/lib/i18n/guild-language.ts); outside a server, the user's own.
			// Storage that cannot be read (an outage) must not also cost the answer that says so: the default language.
			fetchLanguage: (context) =>
				context.guild
					? guildLanguage(container.storage, context.guild, config.defaultLanguage).catch(() => config.defaultLanguage)
					: (languageForLocale(context.interactionLocale) ?? config.defaultLanguage)
		},
		// Read by @sapphire/plugin-api, which every shard loads when the dashboard is on (src/plugins/dashboard).
		...(config.dashboard === null
			? {}
			: {
					api: {
						listenOptions: { port: config.dashboard.port, host: config.dashboard.host },
						// Connected by the dashboard's post-login hook, after its own middlewares are in place, where it is served.
						automaticallyConnect: false,
						// Only the dashboard's own origin; plugin-api's default is "*".
						origin: config.dashboard.url,
						maximumBodyLength: 256 * 1024
					}
				}),
		baseUserDirectory: PIECES_DIRECTORY,
		// Ours (listeners/errors, listeners/commands) log faults and answer users; Sapphire's would also log every
		// UserError (a refusal meant for the user) as an error with a stack.
		loadDefaultErrorListeners: false,
		// Sapphire's "Initializing..." / "Took N ms" lines: our ready line says what matters.
		loadApplicationCommandRegistriesStatusListeners: false,
		loadMessageCommandListeners: false
	});
	loadPiecesAsEsm();
	plainTraceLines(client.logger);
	return client;
}

/**
 * Gateway close 4014 (a privileged intent the application may not use: discord-api-docs, developers/events/gateway.mdx,
 * Privileged Intents) reaches login as @discordjs/ws's "Used disallowed intents". The only privileged intent the
 * bot asks for is Server Members, so the line says where to turn it on.
 */
export const DISALLOWED_INTENTS_LINE =
	'Discord refused the Server Members intent (gateway close 4014): turn on "Server Members Intent" in the developer portal (https://discord.com/developers/applications, your application, Bot, Privileged Gateway Intents); verified bots need Discord\'s approval for it';

export function loginFailureLine(error: unknown): string | null {
	return error instanceof Error && error.message === 'Used disallowed intents' ? DISALLOWED_INTENTS_LINE : null;
}

/** plugin-logger writes trace lines with console.trace, which adds a stack under each; they read like debug lines instead. */
function plainTraceLines(logger: unknown): void {
	if (logger instanceof Logger) logger.console.trace = (...args: unknown[]) => logger.console.debug(...args);
}

/**
 * Sapphire guesses ESM vs CommonJS from the package.json in the working directory; the bot runs from anywhere
 * (a container's /data, a test's temp dir), and its pieces are always ESM.
 */
export function loadPiecesAsEsm(): void {
	for (const store of container.stores.values()) {
		// Duck-typed: LoaderStrategy lives in @sapphire/pieces, which the framework does not re-export.
		const strategy = store.strategy as { clientUsesESModules?: boolean };
		if (typeof strategy.clientUsesESModules === 'boolean') strategy.clientUsesESModules = true;
	}
}

/** The password in REDIS_URL, which must never reach a log line either. */
function redisPassword(url: string): string | null {
	try {
		return decodeURIComponent(new URL(url).password) || null;
	} catch {
		return null;
	}
}
