import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { LANGUAGES, languageForLocale, type Language } from './lib/i18n/languages.js';
import type { AdapterName } from './storage-adapters/types.js';

/** The settings of DESIGN.md's configuration contract, in the order errors are reported. */
export const CONFIG_KEYS = [
	'DISCORD_TOKEN',
	'DISCORD_API_URL',
	'COMMAND_GUILD_IDS',
	'STORAGE_ADAPTER',
	'DATA_DIR',
	'SQLITE_PATH',
	'REDIS_URL',
	'REDIS_PREFIX',
	'BACKUP_DIR',
	'BACKUP_KEEP',
	'PLUGINS',
	'PLUGIN_FAILURE',
	'OWNER_IDS',
	'HEALTH_PORT',
	'HEALTH_HOST',
	'HEALTH_TOKEN',
	'LOG_LEVEL',
	'SHARD_COUNT',
	'BACKUP_INTERVAL',
	'GIVEAWAY_RETENTION',
	'DEFAULT_LANGUAGE',
	'DASHBOARD_PORT',
	'DASHBOARD_HOST',
	'DASHBOARD_URL',
	'DISCORD_CLIENT_ID',
	'DISCORD_CLIENT_SECRET'
] as const;

export type ConfigKey = (typeof CONFIG_KEYS)[number];

export const STORAGE_ADAPTERS = ['file', 'sqlite', 'redis'] as const satisfies readonly AdapterName[];
/** What a plugin that fails to load does to the startup: skip it (reported) or stop the bot. */
export const PLUGIN_FAILURE_MODES = ['skip', 'abort'] as const;
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'none'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** The file read when BOT_CONFIG does not name another one. */
export const DEFAULT_CONFIG_FILE = 'bot.config.json';

export interface Config {
	/** Not enumerable, so logging or serializing the config never shows it. */
	readonly discordToken: string;
	/** REST base URL handed to discord.js as `rest.api`; null means Discord's own API. */
	readonly discordApiUrl: string | null;
	readonly commandGuildIds: readonly string[];
	readonly storageAdapter: AdapterName;
	readonly dataDir: string;
	readonly sqlitePath: string;
	readonly redisUrl: string;
	/** Every Redis key the bot writes starts with it; keys without it are another app's and never touched. */
	readonly redisPrefix: string;
	readonly backupDir: string;
	readonly backupKeep: number;
	/** Package names as written; relative paths resolved against the working directory. */
	readonly plugins: readonly string[];
	readonly pluginFailure: (typeof PLUGIN_FAILURE_MODES)[number];
	readonly ownerIds: readonly string[];
	readonly healthPort: number | null;
	/** The address the health endpoint listens on; loopback unless the operator opens it. */
	readonly healthHost: string;
	/** Bearer token the health endpoint requires, or null; not enumerable, like the Discord token. */
	readonly healthToken: string | null;
	readonly logLevel: LogLevelName;
	/** Shards `npm run start:sharded` spawns: a number, or 'auto' for the count Discord recommends. */
	readonly shardCount: number | 'auto';
	/** Time between scheduled backups; null when they are off. */
	readonly backupIntervalMs: number | null;
	/** How long an ended or cancelled giveaway and its entries are kept (rerolls stay possible until then). */
	readonly giveawayRetentionMs: number;
	/** The language of servers that chose none with /language set and are not Community servers with a locale we speak. */
	readonly defaultLanguage: Language;
	/** The web dashboard (DASHBOARD_PORT and the keys it needs), or null when it is off. */
	readonly dashboard: DashboardConfig | null;
	/** The bot.config.json that was read, if any. */
	readonly configFile: string | null;
}

export interface DashboardConfig {
	readonly port: number;
	readonly host: string;
	/** Public base URL without a trailing slash; the OAuth2 redirect is `${url}/oauth/callback`. */
	readonly url: string;
	readonly clientId: string;
	/** Not enumerable, like the Discord token. */
	readonly clientSecret: string;
}

/** The keys the dashboard cannot run without once DASHBOARD_PORT is set. */
const DASHBOARD_REQUIRED = ['DASHBOARD_URL', 'DISCORD_CLIENT_ID', 'DISCORD_CLIENT_SECRET'] as const;

/** A config loaded for tools that never log in (the data CLI): the token may be absent. */
export type ConfigWithoutToken = Omit<Config, 'discordToken'> & { readonly discordToken: string | null };

export interface LoadConfigOptions {
	/** Defaults to true: the bot cannot start without a token. */
	requireToken?: boolean;
}

/** A configuration problem; its message is one line naming the key, safe to print as is. */
export class ConfigError extends Error {
	public override readonly name = 'ConfigError';
	public constructor(
		detail: string,
		public readonly key: string | null = null
	) {
		super(`Invalid configuration: ${detail}`);
	}
}

export type Environment = Readonly<Record<string, string | undefined>>;

export function loadConfig(env: Environment, cwd?: string): Config;
export function loadConfig(env: Environment, cwd: string | undefined, options: { requireToken: false }): ConfigWithoutToken;
export function loadConfig(env: Environment, cwd = process.cwd(), options: LoadConfigOptions = {}): Config | ConfigWithoutToken {
	const { values: fileValues, path: configFile } = readConfigFile(env, cwd);
	const merged: Partial<Record<ConfigKey, string>> = { ...fileValues };
	for (const key of CONFIG_KEYS) {
		const value = presentValue(env[key]);
		if (value !== undefined) merged[key] = value;
	}

	const result = settingsSchema.safeParse(merged);
	if (!result.success) {
		const issue = result.error.issues[0]!;
		const key = String(issue.path[0]);
		throw new ConfigError(`${key} ${issue.message}`, key);
	}
	const settings = result.data;
	if (settings.DISCORD_TOKEN === undefined && options.requireToken !== false) {
		throw new ConfigError('DISCORD_TOKEN is required (set it in the environment, in .env or in bot.config.json)', 'DISCORD_TOKEN');
	}

	const dashboard = dashboardConfig(settings);

	const dataDir = resolve(cwd, settings.DATA_DIR);
	const config = {
		discordApiUrl: settings.DISCORD_API_URL ?? null,
		commandGuildIds: Object.freeze(settings.COMMAND_GUILD_IDS),
		storageAdapter: settings.STORAGE_ADAPTER,
		dataDir,
		sqlitePath: settings.SQLITE_PATH === undefined ? join(dataDir, 'bot.sqlite') : resolve(cwd, settings.SQLITE_PATH),
		redisUrl: settings.REDIS_URL,
		redisPrefix: settings.REDIS_PREFIX,
		backupDir: settings.BACKUP_DIR === undefined ? join(dataDir, 'backups') : resolve(cwd, settings.BACKUP_DIR),
		backupKeep: settings.BACKUP_KEEP,
		plugins: Object.freeze(settings.PLUGINS.map((plugin) => (isPathSpecifier(plugin) ? resolve(cwd, plugin) : plugin))),
		pluginFailure: settings.PLUGIN_FAILURE,
		ownerIds: Object.freeze(settings.OWNER_IDS),
		healthPort: settings.HEALTH_PORT ?? null,
		healthHost: settings.HEALTH_HOST,
		logLevel: settings.LOG_LEVEL,
		shardCount: settings.SHARD_COUNT,
		backupIntervalMs: settings.BACKUP_INTERVAL,
		giveawayRetentionMs: settings.GIVEAWAY_RETENTION,
		defaultLanguage: settings.DEFAULT_LANGUAGE,
		dashboard,
		configFile
	};
	Object.defineProperty(config, 'discordToken', { value: settings.DISCORD_TOKEN ?? null, enumerable: false });
	Object.defineProperty(config, 'healthToken', { value: settings.HEALTH_TOKEN ?? null, enumerable: false });
	return Object.freeze(config) as Config | ConfigWithoutToken;
}

function dashboardConfig(settings: z.infer<typeof settingsSchema>): DashboardConfig | null {
	if (settings.DASHBOARD_PORT === undefined) return null;
	for (const key of DASHBOARD_REQUIRED) {
		if (settings[key] === undefined)
			throw new ConfigError(`${key} is required when DASHBOARD_PORT is set (the dashboard's Discord login needs it)`, key);
	}
	const dashboard = {
		port: settings.DASHBOARD_PORT,
		host: settings.DASHBOARD_HOST,
		url: settings.DASHBOARD_URL!,
		clientId: settings.DISCORD_CLIENT_ID!
	};
	Object.defineProperty(dashboard, 'clientSecret', { value: settings.DISCORD_CLIENT_SECRET, enumerable: false });
	return Object.freeze(dashboard) as DashboardConfig;
}

/** A URL fit for logs and error messages: any user name or password replaced. */
export function redactUrl(value: string): string {
	try {
		const url = new URL(value);
		if (url.username === '' && url.password === '') return value;
		url.username = url.username === '' ? '' : '***';
		url.password = url.password === '' ? '' : '***';
		return url.toString();
	} catch {
		// Not a URL: hide anything that looks like `user:pass@`.
		return value.replace(/\/\/[^/@]*@/, '//***@');
	}
}

// --- the schema: every value arrives as a string (env) or is normalized to one (bot.config.json) ---

/** Builds a field that parses a raw string or reports what is allowed and what it got. */
function setting<T>(allowed: string, parse: (raw: string) => T | undefined, show: (raw: string) => string = quote) {
	return z.string().transform((raw, ctx): T => {
		const parsed = parse(raw);
		if (parsed === undefined) {
			ctx.issues.push({ code: 'custom', input: raw, message: `must be ${allowed} (got ${show(raw)})` });
			return z.NEVER;
		}
		return parsed;
	});
}

function quote(raw: string): string {
	return JSON.stringify(raw.length > 80 ? `${raw.slice(0, 77)}...` : raw);
}

function oneOf<const T extends string>(choices: readonly T[]) {
	return setting(`one of ${choices.join(', ')}`, (raw) => choices.find((choice) => choice === raw.toLowerCase()));
}

function integer(allowed: string, min: number, max: number) {
	return setting(allowed, (raw) => {
		if (!/^\d+$/.test(raw)) return undefined;
		const value = Number(raw);
		return value >= min && value <= max ? value : undefined;
	});
}

function url(allowed: string, protocols: readonly string[]) {
	return setting(
		allowed,
		(raw) => {
			try {
				const parsed = new URL(raw);
				// A trailing slash would make discord.js request `//v10/...`.
				return protocols.includes(parsed.protocol) && parsed.hostname !== '' ? raw.replace(/\/+$/, '') : undefined;
			} catch {
				return undefined;
			}
		},
		(raw) => quote(redactUrl(raw))
	);
}

function list<T extends string>(allowed: string, isItem: (item: string) => boolean) {
	return setting(allowed, (raw): T[] | undefined => {
		const items = [
			...new Set(
				raw
					.split(',')
					.map((item) => item.trim())
					.filter((item) => item !== '')
			)
		];
		return items.every(isItem) ? (items as T[]) : undefined;
	});
}

// Discord ids are 17 to 20 digits; anything else is a typo (a name, a mention, a truncated paste).
const isSnowflake = (item: string) => /^\d{17,20}$/.test(item);

const DAY_MS = 86_400_000;

const settingsSchema = z.object({
	DISCORD_TOKEN: z.string().optional(),
	DISCORD_API_URL: url('an http:// or https:// URL', ['http:', 'https:']).optional(),
	COMMAND_GUILD_IDS: list('a comma-separated list of guild ids (17-20 digit snowflakes)', isSnowflake).default([]),
	STORAGE_ADAPTER: oneOf(STORAGE_ADAPTERS).default('file'),
	DATA_DIR: z.string().default('./data'),
	SQLITE_PATH: z.string().optional(),
	REDIS_URL: url('a redis:// or rediss:// URL', ['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
	// Ends with ":" so that no namespace of one prefix can read as a namespace of another (namespaces have no ":").
	REDIS_PREFIX: setting('1-64 letters, digits, "_", "-", "." or ":" ending with ":" (like supreme:)', (raw) =>
		/^[A-Za-z0-9_.:-]{0,63}:$/.test(raw) ? raw : undefined
	).default('supreme:'),
	BACKUP_DIR: z.string().optional(),
	BACKUP_KEEP: integer('a whole number of at least 1', 1, Number.MAX_SAFE_INTEGER).default(20),
	PLUGINS: list('a comma-separated list of plugin package names or paths', () => true).default([]),
	PLUGIN_FAILURE: oneOf(PLUGIN_FAILURE_MODES).default('skip'),
	OWNER_IDS: list('a comma-separated list of user ids (17-20 digit snowflakes)', isSnowflake).default([]),
	HEALTH_PORT: integer('a port number from 1 to 65535', 1, 65_535).optional(),
	HEALTH_HOST: listenHost().default('127.0.0.1'),
	// The value is a secret: the error never repeats it.
	HEALTH_TOKEN: setting(
		'at least 16 characters without spaces',
		(raw) => (/^\S{16,}$/.test(raw) ? raw : undefined),
		() => 'a shorter value'
	).optional(),
	LOG_LEVEL: oneOf(LOG_LEVELS).default('info'),
	SHARD_COUNT: setting<number | 'auto'>('auto or a whole number of at least 1', (raw) =>
		raw.toLowerCase() === 'auto' ? 'auto' : /^\d+$/.test(raw) && Number(raw) >= 1 && Number(raw) <= 10_000 ? Number(raw) : undefined
	).default('auto'),
	BACKUP_INTERVAL: setting('off or a duration of at least 10s like 30m, 6h or 1d', parseBackupInterval).default(null),
	GIVEAWAY_RETENTION: setting('a duration of at least 1h like 12h, 30d or 365d', parseRetention).default(90 * DAY_MS),
	// Exact codes only ("de", not "de-AT"): a guess would hide a typo.
	DEFAULT_LANGUAGE: setting<Language>(`one of ${LANGUAGES.join(', ')}`, (raw) => {
		const language = languageForLocale(raw);
		return language?.toLowerCase() === raw.toLowerCase() ? language : undefined;
	}).default('en-US'),
	DASHBOARD_PORT: integer('a port number from 1 to 65535', 1, 65_535).optional(),
	DASHBOARD_HOST: listenHost().default('127.0.0.1'),
	// Where browsers reach the dashboard (behind a reverse proxy: its public address); no path, query or fragment,
	// since the OAuth2 redirect URL registered in Discord's portal is built from it.
	DASHBOARD_URL: setting('an http:// or https:// URL without a path, like https://bot.example.com', (raw) => {
		try {
			const parsed = new URL(raw);
			if (!['http:', 'https:'].includes(parsed.protocol) || parsed.username !== '' || parsed.password !== '') return undefined;
			if (parsed.search !== '' || parsed.hash !== '' || parsed.pathname.replace(/\/+$/, '') !== '') return undefined;
			return parsed.origin;
		} catch {
			return undefined;
		}
	}).optional(),
	DISCORD_CLIENT_ID: setting('the application id (a 17-20 digit snowflake, Discord portal: OAuth2, Client ID)', (raw) =>
		isSnowflake(raw) ? raw : undefined
	).optional(),
	// A secret: the error never repeats it.
	DISCORD_CLIENT_SECRET: setting(
		'the OAuth2 client secret from the Discord portal (OAuth2, Client Secret: at least 16 characters without spaces)',
		(raw) => (/^\S{16,}$/.test(raw) ? raw : undefined),
		() => 'a shorter value'
	).optional()
});

/** An address to listen on: an IP or a host name. */
function listenHost() {
	return setting('an IP address or host name to listen on, like 127.0.0.1 or 0.0.0.0', (raw) =>
		isIP(raw) !== 0 || /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(raw)
			? raw
			: undefined
	);
}

const DURATION_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A number with a unit (s, m, h, d), in ms. */
function parseUnitDuration(raw: string): number | undefined {
	const match = /^(\d{1,6})\s*([smhd])$/i.exec(raw);
	return match ? Number(match[1]) * DURATION_UNITS[match[2]!.toLowerCase()]! : undefined;
}

/** Ended giveaways are kept at least an hour, so a host can still reroll right after the end. */
function parseRetention(raw: string): number | undefined {
	const ms = parseUnitDuration(raw);
	return ms !== undefined && ms >= 3_600_000 ? ms : undefined;
}

/** `off`, or a number with a unit; null means off. Shorter than 10 s would back up more than it writes. */
function parseBackupInterval(raw: string): number | null | undefined {
	if (raw.toLowerCase() === 'off') return null;
	const ms = parseUnitDuration(raw);
	return ms !== undefined && ms >= 10_000 ? ms : undefined;
}

// --- bot.config.json ---

function readConfigFile(env: Environment, cwd: string): { values: Partial<Record<ConfigKey, string>>; path: string | null } {
	const named = presentValue(env.BOT_CONFIG);
	const path = resolve(cwd, named ?? DEFAULT_CONFIG_FILE);
	let text: string;
	try {
		text = readFileSync(path, 'utf8');
	} catch (error) {
		// Only the default file is optional; a file named by BOT_CONFIG must exist.
		if (named === undefined && (error as NodeJS.ErrnoException).code === 'ENOENT') return { values: {}, path: null };
		throw new ConfigError(`BOT_CONFIG file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, 'BOT_CONFIG');
	}

	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch (error) {
		throw new ConfigError(`${path} is not valid JSON (${oneLine((error as Error).message)})`);
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw new ConfigError(`${path} must contain one JSON object of settings`);
	}

	const values: Partial<Record<ConfigKey, string>> = {};
	for (const [key, value] of Object.entries(parsed)) {
		if (!isConfigKey(key)) {
			throw new ConfigError(`unknown key "${key}" in ${path} (allowed keys: ${CONFIG_KEYS.join(', ')})`, key);
		}
		const normalized = normalizeFileValue(value);
		if (normalized === null) {
			throw new ConfigError(`${key} in ${path} must be a string, a number or a list of strings (write Discord ids as strings)`, key);
		}
		if (normalized !== undefined) values[key] = normalized;
	}
	return { values, path };
}

/** JSON numbers and lists are accepted for convenience and read exactly like their env spelling. */
function normalizeFileValue(value: unknown): string | undefined | null {
	if (value === null) return undefined;
	if (typeof value === 'string') return presentValue(value);
	if (isExactNumber(value)) return String(value);
	if (Array.isArray(value) && value.every((item) => typeof item === 'string' || isExactNumber(item))) {
		return presentValue(value.join(','));
	}
	return null;
}

/** JSON.parse rounds integers beyond 2^53 (every Discord id): those must be written as strings. */
function isExactNumber(value: unknown): value is number {
	return typeof value === 'number' && Number.isFinite(value) && (!Number.isInteger(value) || Number.isSafeInteger(value));
}

function isConfigKey(key: string): key is ConfigKey {
	return (CONFIG_KEYS as readonly string[]).includes(key);
}

/** Empty and blank values count as unset, so `KEY=` in .env falls back to the default. */
function presentValue(value: string | undefined): string | undefined {
	const trimmed = value?.trim();
	return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function isPathSpecifier(specifier: string): boolean {
	return specifier.startsWith('.') || isAbsolute(specifier);
}

function oneLine(text: string): string {
	return text.replace(/\s*\n\s*/g, ' ');
}
