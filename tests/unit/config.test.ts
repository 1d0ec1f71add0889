import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONFIG_KEYS, ConfigError, loadConfig, type Environment } from '../../src/config.js';

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.super-secret-token-value';
const GUILD = '123456789012345678';
const OTHER_GUILD = '223456789012345678';

let cwd: string;
beforeEach(() => {
	cwd = mkdtempSync(join(tmpdir(), 'supreme-config-'));
});
afterEach(() => {
	rmSync(cwd, { recursive: true, force: true });
});

function load(env: Environment) {
	return loadConfig({ DISCORD_TOKEN: TOKEN, ...env }, cwd);
}

function configError(run: () => unknown): ConfigError {
	try {
		run();
	} catch (error) {
		expect(error).toBeInstanceOf(ConfigError);
		return error as ConfigError;
	}
	throw new Error('expected a ConfigError');
}

function writeConfigFile(content: unknown, name = 'bot.config.json'): string {
	const path = join(cwd, name);
	writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
	return path;
}

describe('loadConfig defaults', () => {
	it('resolves every default to an absolute path under the working directory', () => {
		const config = load({});
		expect(config).toEqual({
			discordApiUrl: null,
			commandGuildIds: [],
			storageAdapter: 'file',
			dataDir: join(cwd, 'data'),
			sqlitePath: join(cwd, 'data', 'bot.sqlite'),
			redisUrl: 'redis://127.0.0.1:6379',
			redisPrefix: 'supreme:',
			backupDir: join(cwd, 'data', 'backups'),
			backupKeep: 20,
			plugins: [],
			pluginFailure: 'skip',
			ownerIds: [],
			healthPort: null,
			healthHost: '127.0.0.1',
			logLevel: 'info',
			shardCount: 'auto',
			backupIntervalMs: null,
			giveawayRetentionMs: 90 * 86_400_000,
			defaultLanguage: 'en-US',
			dashboard: null,
			configFile: null
		});
		expect(config.discordToken).toBe(TOKEN);
		expect(Object.isFrozen(config)).toBe(true);
		expect(Object.isFrozen(config.commandGuildIds)).toBe(true);
	});

	it('derives SQLITE_PATH and BACKUP_DIR from DATA_DIR, and resolves explicit paths against the working directory', () => {
		expect(load({ DATA_DIR: 'state' })).toMatchObject({
			dataDir: join(cwd, 'state'),
			sqlitePath: join(cwd, 'state', 'bot.sqlite'),
			backupDir: join(cwd, 'state', 'backups')
		});
		expect(load({ DATA_DIR: '/srv/bot', SQLITE_PATH: 'db/bot.db', BACKUP_DIR: '../backups' })).toMatchObject({
			dataDir: '/srv/bot',
			sqlitePath: join(cwd, 'db', 'bot.db'),
			backupDir: join(cwd, '..', 'backups')
		});
	});

	it('treats empty and blank values as unset', () => {
		const config = load({ STORAGE_ADAPTER: '', BACKUP_KEEP: '  ', LOG_LEVEL: '', HEALTH_PORT: '', DISCORD_API_URL: '' });
		expect(config).toMatchObject({ storageAdapter: 'file', backupKeep: 20, logLevel: 'info', healthPort: null, discordApiUrl: null });
		expect(configError(() => loadConfig({ DISCORD_TOKEN: '' }, cwd)).key).toBe('DISCORD_TOKEN');
	});

	it('parses every setting', () => {
		const config = load({
			DISCORD_API_URL: 'http://127.0.0.1:4000/api/',
			COMMAND_GUILD_IDS: ` ${GUILD}, ${OTHER_GUILD},,${GUILD}`,
			STORAGE_ADAPTER: 'SQLite',
			BACKUP_KEEP: '3',
			PLUGINS: 'supreme-plugin-x, ./plugins/local.js',
			OWNER_IDS: GUILD,
			HEALTH_PORT: '8080',
			HEALTH_HOST: '0.0.0.0',
			LOG_LEVEL: 'DEBUG',
			REDIS_URL: 'rediss://user:pw@redis.example:6380/2',
			REDIS_PREFIX: 'guild-bot.prod:',
			SHARD_COUNT: '4',
			BACKUP_INTERVAL: '6h',
			GIVEAWAY_RETENTION: '30d',
			DEFAULT_LANGUAGE: 'pt-br'
		});
		expect(config).toMatchObject({
			discordApiUrl: 'http://127.0.0.1:4000/api',
			commandGuildIds: [GUILD, OTHER_GUILD],
			storageAdapter: 'sqlite',
			backupKeep: 3,
			plugins: ['supreme-plugin-x', join(cwd, 'plugins', 'local.js')],
			ownerIds: [GUILD],
			healthPort: 8080,
			healthHost: '0.0.0.0',
			logLevel: 'debug',
			redisUrl: 'rediss://user:pw@redis.example:6380/2',
			redisPrefix: 'guild-bot.prod:',
			shardCount: 4,
			backupIntervalMs: 6 * 3_600_000,
			giveawayRetentionMs: 30 * 86_400_000,
			defaultLanguage: 'pt-BR'
		});
		expect(load({ GIVEAWAY_RETENTION: '1h' }).giveawayRetentionMs).toBe(3_600_000);
		expect(load({ SHARD_COUNT: 'AUTO', BACKUP_INTERVAL: 'off' })).toMatchObject({ shardCount: 'auto', backupIntervalMs: null });
		expect(load({ BACKUP_INTERVAL: '90s' }).backupIntervalMs).toBe(90_000);
	});

	it('never shows the token when the config is logged or serialized', () => {
		const config = load({});
		expect(JSON.stringify(config)).not.toContain(TOKEN);
		expect(inspect(config, { depth: 5 })).not.toContain(TOKEN);
	});

	it('keeps HEALTH_TOKEN out of logs and serialization too, and never repeats a bad one', () => {
		const healthToken = 'health-endpoint-bearer-token-1234';
		const config = load({ HEALTH_TOKEN: healthToken, HEALTH_HOST: '::1' });
		expect(config.healthToken).toBe(healthToken);
		expect(config.healthHost).toBe('::1');
		expect(load({}).healthToken).toBeNull();
		expect(JSON.stringify(config)).not.toContain(healthToken);
		expect(inspect(config, { depth: 5 })).not.toContain(healthToken);
		expect(configError(() => load({ HEALTH_TOKEN: 'with a space in it, long enough' })).message).not.toContain('space in it');
	});

	it('lets a tool without a token load the config when asked', () => {
		expect(loadConfig({}, cwd, { requireToken: false }).discordToken).toBeNull();
	});
});

describe('loadConfig errors: one line naming the key and what is allowed', () => {
	const invalid: Array<[key: string, value: string, message: string]> = [
		['DISCORD_API_URL', 'discord.com/api', 'DISCORD_API_URL must be an http:// or https:// URL (got "discord.com/api")'],
		['DISCORD_API_URL', 'ftp://example.com', 'DISCORD_API_URL must be an http:// or https:// URL (got "ftp://example.com")'],
		[
			'COMMAND_GUILD_IDS',
			'my-server',
			'COMMAND_GUILD_IDS must be a comma-separated list of guild ids (17-20 digit snowflakes) (got "my-server")'
		],
		['COMMAND_GUILD_IDS', `${GUILD},12345`, 'COMMAND_GUILD_IDS must be a comma-separated list of guild ids'],
		['STORAGE_ADAPTER', 'mysql', 'STORAGE_ADAPTER must be one of file, sqlite, redis (got "mysql")'],
		['REDIS_URL', 'http://127.0.0.1:6379', 'REDIS_URL must be a redis:// or rediss:// URL (got "http://127.0.0.1:6379")'],
		['REDIS_URL', '127.0.0.1:6379', 'REDIS_URL must be a redis:// or rediss:// URL'],
		[
			'REDIS_PREFIX',
			'supreme',
			'REDIS_PREFIX must be 1-64 letters, digits, "_", "-", "." or ":" ending with ":" (like supreme:) (got "supreme")'
		],
		['REDIS_PREFIX', 'my bot:', 'REDIS_PREFIX must be 1-64 letters, digits, "_", "-", "." or ":" ending with ":"'],
		['REDIS_PREFIX', 'bot*:', 'REDIS_PREFIX must be 1-64 letters, digits'],
		['BACKUP_KEEP', '0', 'BACKUP_KEEP must be a whole number of at least 1 (got "0")'],
		['BACKUP_KEEP', 'abc', 'BACKUP_KEEP must be a whole number of at least 1 (got "abc")'],
		['BACKUP_KEEP', '1.5', 'BACKUP_KEEP must be a whole number of at least 1 (got "1.5")'],
		['BACKUP_KEEP', '-3', 'BACKUP_KEEP must be a whole number of at least 1 (got "-3")'],
		['PLUGIN_FAILURE', 'ignore', 'PLUGIN_FAILURE must be one of skip, abort (got "ignore")'],
		['OWNER_IDS', '@me', 'OWNER_IDS must be a comma-separated list of user ids (17-20 digit snowflakes) (got "@me")'],
		['HEALTH_PORT', '0', 'HEALTH_PORT must be a port number from 1 to 65535 (got "0")'],
		['HEALTH_PORT', '65536', 'HEALTH_PORT must be a port number from 1 to 65535 (got "65536")'],
		['HEALTH_PORT', 'http', 'HEALTH_PORT must be a port number from 1 to 65535 (got "http")'],
		['HEALTH_HOST', 'not a host!', 'HEALTH_HOST must be an IP address or host name to listen on, like 127.0.0.1 or 0.0.0.0 (got "not a host!")'],
		['HEALTH_TOKEN', 'short', 'HEALTH_TOKEN must be at least 16 characters without spaces (got a shorter value)'],
		['SHARD_COUNT', '0', 'SHARD_COUNT must be auto or a whole number of at least 1 (got "0")'],
		['SHARD_COUNT', 'two', 'SHARD_COUNT must be auto or a whole number of at least 1 (got "two")'],
		['BACKUP_INTERVAL', '6', 'BACKUP_INTERVAL must be off or a duration of at least 10s like 30m, 6h or 1d (got "6")'],
		['BACKUP_INTERVAL', '5s', 'BACKUP_INTERVAL must be off or a duration of at least 10s like 30m, 6h or 1d (got "5s")'],
		['GIVEAWAY_RETENTION', '30m', 'GIVEAWAY_RETENTION must be a duration of at least 1h like 12h, 30d or 365d (got "30m")'],
		['GIVEAWAY_RETENTION', 'forever', 'GIVEAWAY_RETENTION must be a duration of at least 1h like 12h, 30d or 365d (got "forever")'],
		['LOG_LEVEL', 'verbose', 'LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, none (got "verbose")'],
		['DEFAULT_LANGUAGE', 'german', 'DEFAULT_LANGUAGE must be one of en-US, de, fr, es-ES, pt-BR (got "german")'],
		['DEFAULT_LANGUAGE', 'de-AT', 'DEFAULT_LANGUAGE must be one of en-US, de, fr, es-ES, pt-BR (got "de-AT")'],
		['DASHBOARD_PORT', '70000', 'DASHBOARD_PORT must be a port number from 1 to 65535 (got "70000")'],
		[
			'DASHBOARD_HOST',
			'two words',
			'DASHBOARD_HOST must be an IP address or host name to listen on, like 127.0.0.1 or 0.0.0.0 (got "two words")'
		],
		[
			'DASHBOARD_URL',
			'https://bot.example.com/dashboard',
			'DASHBOARD_URL must be an http:// or https:// URL without a path, like https://bot.example.com (got "https://bot.example.com/dashboard")'
		],
		['DASHBOARD_URL', 'bot.example.com', 'DASHBOARD_URL must be an http:// or https:// URL without a path'],
		[
			'DISCORD_CLIENT_ID',
			'my-app',
			'DISCORD_CLIENT_ID must be the application id (a 17-20 digit snowflake, Discord portal: OAuth2, Client ID) (got "my-app")'
		],
		[
			'DISCORD_CLIENT_SECRET',
			'short',
			'DISCORD_CLIENT_SECRET must be the OAuth2 client secret from the Discord portal (OAuth2, Client Secret: at least 16 characters without spaces) (got a shorter value)'
		]
	];

	it.each(invalid)('%s=%s', (key, value, message) => {
		const error = configError(() => load({ [key]: value }));
		expect(error.message).toContain(`Invalid configuration: ${message}`);
		expect(error.message.split('\n')).toHaveLength(1);
		expect(error.key).toBe(key);
	});

	it('covers every key of the contract that can be invalid', () => {
		const tested = new Set(invalid.map(([key]) => key));
		// Paths and the plugin list accept any text; the token is tested on its own.
		const freeText = ['DISCORD_TOKEN', 'DATA_DIR', 'SQLITE_PATH', 'BACKUP_DIR', 'PLUGINS'];
		expect(CONFIG_KEYS.filter((key) => !tested.has(key) && !freeText.includes(key))).toEqual([]);
	});

	it.each(['DASHBOARD_URL', 'DISCORD_CLIENT_ID', 'DISCORD_CLIENT_SECRET'])('requires %s once DASHBOARD_PORT is set', (missing) => {
		const complete = {
			DASHBOARD_PORT: '8080',
			DASHBOARD_URL: 'https://bot.example.com',
			DISCORD_CLIENT_ID: GUILD,
			DISCORD_CLIENT_SECRET: 'client-secret-of-the-portal-1234'
		};
		const error = configError(() => load({ ...complete, [missing]: undefined }));
		expect(error.message).toBe(
			`Invalid configuration: ${missing} is required when DASHBOARD_PORT is set (the dashboard's Discord login needs it)`
		);
		expect(error.key).toBe(missing);
	});

	it('turns the dashboard on only with DASHBOARD_PORT, keeping the client secret out of logs', () => {
		expect(load({ DISCORD_CLIENT_ID: GUILD }).dashboard).toBeNull();
		const secret = 'client-secret-of-the-portal-1234';
		const config = load({
			DASHBOARD_PORT: '8080',
			DASHBOARD_URL: 'https://bot.example.com/',
			DISCORD_CLIENT_ID: GUILD,
			DISCORD_CLIENT_SECRET: secret
		});
		expect(config.dashboard).toEqual({ port: 8080, host: '127.0.0.1', url: 'https://bot.example.com', clientId: GUILD });
		expect(config.dashboard!.clientSecret).toBe(secret);
		expect(inspect(config, { depth: 5 })).not.toContain(secret);
		expect(JSON.stringify(config)).not.toContain(secret);
	});

	it('requires DISCORD_TOKEN', () => {
		const error = configError(() => loadConfig({}, cwd));
		expect(error.message).toMatch(/^Invalid configuration: DISCORD_TOKEN is required/);
	});

	it('never repeats a Redis password in its message', () => {
		const error = configError(() => load({ REDIS_URL: 'http://admin:hunter2@127.0.0.1:6379' }));
		expect(error.message).not.toContain('hunter2');
		expect(error.message).toContain('REDIS_URL');
	});
});

describe('bot.config.json', () => {
	it('is read from the working directory, with env winning over it', () => {
		const path = writeConfigFile({ STORAGE_ADAPTER: 'redis', BACKUP_KEEP: 5, LOG_LEVEL: 'warn', COMMAND_GUILD_IDS: [GUILD, OTHER_GUILD] });
		const config = load({ STORAGE_ADAPTER: 'sqlite' });
		expect(config).toMatchObject({
			storageAdapter: 'sqlite',
			backupKeep: 5,
			logLevel: 'warn',
			commandGuildIds: [GUILD, OTHER_GUILD],
			configFile: path
		});
	});

	it('supplies the token when the environment does not', () => {
		writeConfigFile({ DISCORD_TOKEN: TOKEN });
		expect(loadConfig({}, cwd).discordToken).toBe(TOKEN);
	});

	it('an empty env value does not override the file', () => {
		writeConfigFile({ STORAGE_ADAPTER: 'sqlite' });
		expect(load({ STORAGE_ADAPTER: '' }).storageAdapter).toBe('sqlite');
	});

	it('can live elsewhere, named by BOT_CONFIG', () => {
		const path = writeConfigFile({ BACKUP_KEEP: '7' }, 'other.json');
		expect(load({ BOT_CONFIG: 'other.json' })).toMatchObject({ backupKeep: 7, configFile: path });
	});

	it('refuses a missing file named by BOT_CONFIG', () => {
		const error = configError(() => load({ BOT_CONFIG: 'missing.json' }));
		expect(error.message).toBe(`Invalid configuration: BOT_CONFIG file ${join(cwd, 'missing.json')} cannot be read (ENOENT)`);
	});

	it('refuses an unknown key, naming it', () => {
		writeConfigFile({ STORAGE_ADAPTOR: 'file' });
		const error = configError(() => load({}));
		expect(error.message).toMatch(/^Invalid configuration: unknown key "STORAGE_ADAPTOR" in .*bot\.config\.json \(allowed keys: DISCORD_TOKEN, /);
		expect(error.message.split('\n')).toHaveLength(1);
	});

	it('refuses malformed JSON, naming the file', () => {
		const path = writeConfigFile('{ "STORAGE_ADAPTER": "file", }');
		const error = configError(() => load({}));
		expect(error.message).toMatch(/^Invalid configuration: .* is not valid JSON \(/);
		expect(error.message).toContain(path);
		expect(error.message.split('\n')).toHaveLength(1);
	});

	it('refuses a file that is not an object', () => {
		writeConfigFile(['file']);
		expect(configError(() => load({})).message).toContain('must contain one JSON object of settings');
	});

	it('refuses values of the wrong type, and ids written as numbers JSON cannot hold exactly', () => {
		writeConfigFile({ BACKUP_KEEP: true });
		expect(configError(() => load({})).message).toContain('BACKUP_KEEP in');
		// 123456789012345678 as a JSON number: a double holds it as 123456789012345680, which is what the file gets.
		writeConfigFile({ OWNER_IDS: [123456789012345680] });
		expect(configError(() => load({})).message).toContain('write Discord ids as strings');
	});

	it('validates file values like env values', () => {
		writeConfigFile({ BACKUP_KEEP: 1.5 });
		expect(configError(() => load({})).message).toBe('Invalid configuration: BACKUP_KEEP must be a whole number of at least 1 (got "1.5")');
	});
});
