// `npm start` as a process manager runs it: the bot starts from the built tree, and SIGTERM sent to npm reaches the bot,
// which flushes and exits (npm forwards the signal to its `sh -c`; without `exec` in the script sh dies and the bot
// is left running, orphaned).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { DiscordEmulator } from '../harness/index.js';
import { eventually } from '../helpers/eventually.js';

it('SIGTERM to npm start stops the bot cleanly', async () => {
	const emulator = await DiscordEmulator.start();
	emulator.createGuild({ name: 'npm start' });
	const dataDir = mkdtempSync(join(tmpdir(), 'supreme-npm-start-'));
	const npm = spawn('npm', ['start'], {
		cwd: resolve('.'),
		env: {
			PATH: process.env.PATH ?? '',
			HOME: process.env.HOME ?? '',
			DISCORD_TOKEN: 'npm-start-token',
			DISCORD_API_URL: emulator.apiUrl,
			DATA_DIR: dataDir,
			NO_COLOR: '1'
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let output = '';
	npm.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
	npm.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
	const exited = new Promise<number | null>((resolveExit) => npm.once('exit', (code) => resolveExit(code)));
	try {
		await eventually(
			() => Promise.resolve(output.includes('Supreme Bot ready')),
			'the bot to be ready',
			120_000,
			() => output
		);
		npm.kill('SIGTERM');
		expect(await exited).toBe(0);
		await eventually(
			() => Promise.resolve(output.includes('Shutdown complete')),
			'the bot to shut down',
			20_000,
			() => output
		);
		// The bot's gateway session is gone: nothing is left connected to the emulator.
		await eventually(() => Promise.resolve(emulator.connectedSessions.length === 0), 'no bot left connected', 20_000);
	} finally {
		if (npm.exitCode === null) npm.kill('SIGKILL');
		await emulator.stop();
		rmSync(dataDir, { recursive: true, force: true });
	}
}, 180_000);
