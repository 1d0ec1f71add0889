// The built bot as a child process: what an operator sees when the configuration or the environment is wrong.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BotProcess, DiscordEmulator } from '../harness/index.js';

const ENTRY = resolve('dist/index.js');
const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.boot-test-secret-token';

interface Run {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	output: string;
}

let cwd: string;
beforeEach(() => {
	cwd = mkdtempSync(join(tmpdir(), 'supreme-boot-'));
});
afterEach(() => {
	rmSync(cwd, { recursive: true, force: true });
});

/** Only PATH is inherited: a DISCORD_TOKEN or STORAGE_ADAPTER of the machine must not leak into the test. */
function startBot(env: Record<string, string>): { child: ChildProcess; done: Promise<Run> } {
	const child = spawn(process.execPath, [ENTRY], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'pipe' });
	let stdout = '';
	let stderr = '';
	let output = '';
	child.stdout!.on('data', (chunk: Buffer) => {
		stdout += chunk;
		output += chunk;
	});
	child.stderr!.on('data', (chunk: Buffer) => {
		stderr += chunk;
		output += chunk;
	});
	const done = new Promise<Run>((resolveRun) => {
		child.on('close', (code, signal) => resolveRun({ code, signal, stdout, stderr, output }));
	});
	return { child, done };
}

function runBot(env: Record<string, string>): Promise<Run> {
	return startBot(env).done;
}

async function waitForOutput(child: ChildProcess, text: string): Promise<void> {
	await new Promise<void>((resolveWait, reject) => {
		let seen = '';
		const onData = (chunk: Buffer) => {
			seen += chunk;
			if (seen.includes(text)) {
				child.stdout!.off('data', onData);
				resolveWait();
			}
		};
		child.stdout!.on('data', onData);
		child.once('close', () => reject(new Error(`bot exited before printing "${text}":\n${seen}`)));
	});
}

function lines(text: string): string[] {
	return text.split('\n').filter((line) => line.trim() !== '');
}

function expectNoStackTrace(run: Run): void {
	expect(run.output).not.toMatch(/^\s+at /m);
}

describe('configuration errors stop the bot with one line', () => {
	it('exits 1 without DISCORD_TOKEN', async () => {
		const run = await runBot({});
		expect(run.code).toBe(1);
		expect(lines(run.stderr)).toEqual([expect.stringMatching(/^Invalid configuration: DISCORD_TOKEN is required/)]);
		expect(run.stdout).toBe('');
	});

	it.each([
		['STORAGE_ADAPTER', 'mysql', 'Invalid configuration: STORAGE_ADAPTER must be one of file, sqlite, redis (got "mysql")'],
		['BACKUP_KEEP', '0', 'Invalid configuration: BACKUP_KEEP must be a whole number of at least 1 (got "0")'],
		['HEALTH_PORT', '70000', 'Invalid configuration: HEALTH_PORT must be a port number from 1 to 65535 (got "70000")'],
		['DISCORD_API_URL', 'localhost:3000', 'Invalid configuration: DISCORD_API_URL must be an http:// or https:// URL (got "localhost:3000")']
	])('exits 1 when %s=%s, naming the key and never printing the token', async (key, value, message) => {
		const run = await runBot({ DISCORD_TOKEN: TOKEN, [key]: value });
		expect(run.code).toBe(1);
		expect(lines(run.stderr)).toEqual([message]);
		expect(run.output).not.toContain(TOKEN);
		expectNoStackTrace(run);
	});

	it('names a malformed bot.config.json', async () => {
		writeFileSync(join(cwd, 'bot.config.json'), '{ "LOG_LEVEL": ');
		const run = await runBot({ DISCORD_TOKEN: TOKEN });
		expect(run.code).toBe(1);
		expect(lines(run.stderr)).toEqual([expect.stringMatching(/^Invalid configuration: .*bot\.config\.json is not valid JSON/)]);
		expectNoStackTrace(run);
	});

	it('reads .env from the working directory, with the environment winning over it', async () => {
		writeFileSync(join(cwd, '.env'), `LOG_LEVEL=loud\nSTORAGE_ADAPTER=file\n`);
		const fromFile = await runBot({ DISCORD_TOKEN: TOKEN });
		expect(lines(fromFile.stderr)).toEqual([
			'Invalid configuration: LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, none (got "loud")'
		]);

		const envWins = await runBot({ LOG_LEVEL: 'info' });
		expect(envWins.code).toBe(1);
		expect(lines(envWins.stderr)).toEqual([expect.stringMatching(/^Invalid configuration: DISCORD_TOKEN is required/)]);
	});
});

describe('startup failures after the configuration', () => {
	it('exits 1 with one line when the data directory cannot be created', async () => {
		writeFileSync(join(cwd, 'not-a-dir'), '');
		const run = await runBot({ DISCORD_TOKEN: TOKEN, DATA_DIR: 'not-a-dir/data' });
		expect(run.code).toBe(1);
		expect(lines(run.output)).toEqual([expect.stringMatching(/FATAL - Data directory .*not-a-dir\/data cannot be created: /)]);
		expect(run.output).not.toContain(TOKEN);
	});

	it('opens storage before login, then exits 1 with one line when Discord cannot be reached', async () => {
		// Port 9 (discard) is closed on a normal machine: the REST call fails at once.
		const run = await runBot({ DISCORD_TOKEN: TOKEN, DISCORD_API_URL: 'http://127.0.0.1:9/api' });
		expect(run.code).toBe(1);
		const dataDir = join(cwd, 'data');
		expect(run.stdout).toContain(`Data directory ready: ${dataDir}`);
		expect(run.stdout).toContain(`Storage adapter opened: file (${dataDir})`);
		expect(run.stdout).toMatch(/Startup backup made: \S+/);
		expect(run.stdout).toMatch(/Records loaded: .*invites=0/);
		expect(lines(run.stderr)).toEqual([expect.stringMatching(/FATAL - Startup failed: .*ECONNREFUSED/)]);
		expect(run.output).not.toContain(TOKEN);
		expectNoStackTrace(run);
	});
});

describe('shutdown', () => {
	let server: Server | undefined;
	afterEach(async () => {
		server?.closeAllConnections();
		await new Promise((done) => server?.close(done) ?? done(undefined));
		server = undefined;
	});

	it('closes storage and exits 0 on SIGTERM', async () => {
		// A Discord API that never answers keeps the bot in its login, with storage open.
		server = createServer(() => undefined);
		await new Promise<void>((listening) => server!.listen(0, '127.0.0.1', listening));
		const { port } = server.address() as AddressInfo;

		const { child, done } = startBot({ DISCORD_TOKEN: TOKEN, DISCORD_API_URL: `http://127.0.0.1:${port}/api` });
		await waitForOutput(child, 'Records loaded:');
		child.kill('SIGTERM');
		const run = await done;
		expect(run.code).toBe(0);
		expect(run.stdout).toContain('SIGTERM received');
		expect(run.stdout).toContain('Shutdown complete');
		expect(run.output).not.toContain(TOKEN);
	});
});

describe('against the local Discord emulator', () => {
	let emulator: DiscordEmulator | undefined;
	afterEach(async () => {
		await emulator?.stop();
		emulator = undefined;
	});

	it('says where its data is, then "Supreme Bot ready" exactly once, and never the token', async () => {
		emulator = await DiscordEmulator.start();
		const guild = emulator.createGuild({ name: 'Boot' });
		const bot = new BotProcess({ apiUrl: emulator.apiUrl, dataDir: join(cwd, 'data'), token: TOKEN, env: { COMMAND_GUILD_IDS: guild.id } });
		try {
			await bot.start();
			const output = bot.runOutput;
			const order = [
				'Data directory ready:',
				'Storage adapter opened: file',
				'Startup backup made:',
				'Records loaded:',
				'Supreme Bot ready: logged in as'
			];
			const positions = order.map((text) => output.indexOf(text));
			expect(positions.every((position) => position >= 0)).toBe(true);
			expect([...positions].sort((a, b) => a - b)).toEqual(positions);
			expect(output.match(/Supreme Bot ready/g)).toHaveLength(1);
			expect(output).toMatch(/Supreme Bot ready: logged in as .+ in 1 guild$/m);
			expect((await bot.stop('SIGINT')).code).toBe(0);
			expect(bot.runOutput).toContain('Shutdown complete');
			expect(bot.output).not.toContain(TOKEN);
		} finally {
			if (bot.running) await bot.stop('SIGKILL');
		}
	});

	it('exits 1 with one line when Discord refuses the token, and never prints it', async () => {
		emulator = await DiscordEmulator.start({ invalidTokens: [TOKEN] });
		const bot = new BotProcess({ apiUrl: emulator.apiUrl, dataDir: join(cwd, 'data'), token: TOKEN });
		await expect(bot.start()).rejects.toThrow(/exited \(code 1/);
		expect(bot.output).toMatch(/FATAL - Startup failed: .*invalid token/i);
		expect(bot.output).not.toContain(TOKEN);
		expect(bot.output).not.toMatch(/^\s+at /m);
	});

	it('exits 1 with one line naming the Server Members intent when the application may not use it (close 4014)', async () => {
		emulator = await DiscordEmulator.start({ privilegedIntents: { guildMembers: false } });
		emulator.createGuild({ name: 'No intent' });
		const bot = new BotProcess({ apiUrl: emulator.apiUrl, dataDir: join(cwd, 'data'), token: TOKEN });
		await expect(bot.start()).rejects.toThrow(/exited \(code 1/);
		const fatal = bot.output.split('\n').filter((line) => line.includes('FATAL'));
		expect(fatal).toEqual([expect.stringMatching(/Server Members intent.*developer portal.*Bot.*Privileged Gateway Intents/)]);
		expect(bot.output).not.toMatch(/^\s+at /m);
		expect(bot.output).not.toContain(TOKEN);
	});
});
