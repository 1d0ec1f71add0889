// What the bot logs while it opens storage, and the helpers that keep secrets out of every line.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogLevel, type ILogger } from '@sapphire/framework';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, redactUrl } from '../../src/config.js';
import { addSecret, describeError, redactSecrets } from '../../src/lib/secrets.js';
import {
	closeBotStorage,
	CORE_NAMESPACES,
	openBotStorage,
	reportStorageAtStartup,
	StartupError,
	StorageLogAdapter,
	storageOptionsFrom
} from '../../src/lib/storage.js';
import type { Storage, StorageStatus } from '../../src/storage-adapters/index.js';

class RecordingLogger implements ILogger {
	public readonly lines: string[] = [];
	public has(level: LogLevel): boolean {
		return level >= LogLevel.Trace;
	}

	public trace(...values: readonly unknown[]) {
		this.write(LogLevel.Trace, ...values);
	}

	public debug(...values: readonly unknown[]) {
		this.write(LogLevel.Debug, ...values);
	}

	public info(...values: readonly unknown[]) {
		this.write(LogLevel.Info, ...values);
	}

	public warn(...values: readonly unknown[]) {
		this.write(LogLevel.Warn, ...values);
	}

	public error(...values: readonly unknown[]) {
		this.write(LogLevel.Error, ...values);
	}

	public fatal(...values: readonly unknown[]) {
		this.write(LogLevel.Fatal, ...values);
	}

	public write(level: LogLevel, ...values: readonly unknown[]) {
		this.lines.push(`${LogLevel[level]!.toUpperCase()} ${values.join(' ')}`);
	}
}

let cwd: string;
beforeEach(() => {
	cwd = mkdtempSync(join(tmpdir(), 'supreme-startup-'));
});
afterEach(async () => {
	await closeBotStorage();
	rmSync(cwd, { recursive: true, force: true });
});

function config(env: Record<string, string> = {}) {
	return loadConfig({ DISCORD_TOKEN: 'token-for-startup-tests', ...env }, cwd);
}

/** A storage whose backup and status are scripted: what matters here is what the bot says about them. */
function scriptedStorage(status: Partial<StorageStatus>, backup: () => Promise<{ id: string }>): Storage {
	const full: StorageStatus = {
		adapter: 'file',
		healthy: true,
		counts: {},
		sizeBytes: 0,
		lastWriteAt: null,
		lastBackup: null,
		events: [],
		...status
	};
	return { adapter: 'file', backup, status: () => Promise.resolve(full) } as unknown as Storage;
}

describe('storage startup', () => {
	it('passes the configured backend and the core namespaces to the storage layer', () => {
		expect(storageOptionsFrom(config({ STORAGE_ADAPTER: 'sqlite', BACKUP_KEEP: '4' }))).toEqual({
			adapter: 'sqlite',
			dataDir: join(cwd, 'data'),
			sqlitePath: join(cwd, 'data', 'bot.sqlite'),
			redisUrl: 'redis://127.0.0.1:6379',
			redisPrefix: 'supreme:',
			backupDir: join(cwd, 'data', 'backups'),
			backupKeep: 4,
			namespaces: [...CORE_NAMESPACES]
		});
	});

	it('opens the file adapter and logs the lines operators look for', async () => {
		const logger = new RecordingLogger();
		const storage = await openBotStorage(config(), logger);
		await reportStorageAtStartup(storage, logger);
		const dataDir = join(cwd, 'data');
		expect(logger.lines.slice(0, 2)).toEqual([`INFO Data directory ready: ${dataDir}`, `INFO Storage adapter opened: file (${dataDir})`]);
		expect(logger.lines).toContainEqual(expect.stringMatching(/^INFO Startup backup made: \S+/));
		expect(logger.lines).toContainEqual(expect.stringMatching(/^INFO Records loaded: .*invites=0/));
		expect(await closeBotStorage()).toBe(true);
		expect(await closeBotStorage()).toBe(false);
	});

	it('turns a data directory that cannot be made into one StartupError line', async () => {
		writeFileSync(join(cwd, 'a-file'), '');
		const open = openBotStorage(config({ DATA_DIR: 'a-file/data' }), new RecordingLogger());
		await expect(open).rejects.toBeInstanceOf(StartupError);
		await expect(open).rejects.toThrow(`Data directory ${join(cwd, 'a-file', 'data')} cannot be created: `);
	});

	it('logs recovery events at warn or above, once, and keeps going when the startup backup fails', async () => {
		const logger = new RecordingLogger();
		const storageLogger = new StorageLogAdapter(logger);
		storageLogger.warn('invites.json was truncated: restored from backup 20260101T000000000Z-00-startup');
		const storage = scriptedStorage(
			{
				counts: { invites: 3, settings: 1 },
				healthy: false,
				problem: 'disk almost full',
				events: [
					{ at: '', level: 'warn', message: 'invites.json was truncated: restored from backup 20260101T000000000Z-00-startup' },
					{ at: '', level: 'info', message: 'giveaways.json unreadable and no valid backup: kept aside as giveaways.json.bad' },
					{ at: '', level: 'error', message: 'settings.journal damaged' }
				]
			},
			() => Promise.reject(new Error('ENOSPC: no space left on device'))
		);
		await reportStorageAtStartup(storage, logger, storageLogger);
		expect(logger.lines).toEqual([
			'WARN Storage: invites.json was truncated: restored from backup 20260101T000000000Z-00-startup',
			'ERROR Startup backup failed: ENOSPC: no space left on device',
			'INFO Records loaded: invites=3, settings=1',
			'WARN Storage: giveaways.json unreadable and no valid backup: kept aside as giveaways.json.bad',
			'ERROR Storage: settings.journal damaged',
			'WARN Storage is unhealthy: disk almost full'
		]);
	});
});

describe('secrets never reach a log line', () => {
	it('redacts registered secrets wherever they appear', () => {
		addSecret('MTIz.secret-token-for-redaction');
		addSecret('short');
		expect(redactSecrets('login with MTIz.secret-token-for-redaction failed (MTIz.secret-token-for-redaction)')).toBe(
			'login with [redacted] failed ([redacted])'
		);
		// Values too short to be tokens would redact ordinary words.
		expect(redactSecrets('a short line')).toBe('a short line');
	});

	it('describes any error in one line, secrets removed', () => {
		addSecret('MTIz.secret-token-in-an-error');
		expect(describeError(new Error('bad token MTIz.secret-token-in-an-error\n  more'))).toBe('bad token [redacted] more');
		const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
		expect(describeError(new AggregateError([refused], ''))).toBe('connect ECONNREFUSED 127.0.0.1:6379');
		expect(describeError(Object.assign(new Error(''), { code: 'EACCES' }))).toBe('EACCES');
		expect(describeError(Object.assign(new Error('permission denied'), { code: 'EACCES' }))).toBe('permission denied (EACCES)');
		expect(describeError('plain string')).toBe('plain string');
	});

	it('hides Redis credentials in URLs', () => {
		expect(redactUrl('redis://user:hunter2@redis.example:6379/0')).toBe('redis://***:***@redis.example:6379/0');
		expect(redactUrl('redis://:hunter2@127.0.0.1:6379')).toBe('redis://:***@127.0.0.1:6379');
		expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
		expect(redactUrl('not a url //me:pw@host')).toBe('not a url //***@host');
	});
});
