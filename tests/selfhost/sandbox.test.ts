// `npm run sandbox` driven through its input stream, as a newcomer would type: options with spaces, embeds shown with
// their fields, buttons clicked by label and by number, its own data folder, help.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { freePort } from '../helpers/free-port.js';

let sandbox: ChildProcessWithoutNullStreams;
let output = '';
let keptData: string;

async function type(line: string, expected: RegExp, timeoutMs = 20_000): Promise<string> {
	const from = output.length;
	sandbox.stdin.write(`${line}\n`);
	await eventually(
		() => Promise.resolve(expected.test(output.slice(from))),
		`${JSON.stringify(line)} to print ${expected}`,
		timeoutMs,
		() => output.slice(from)
	);
	return output.slice(from);
}

beforeAll(async () => {
	keptData = mkdtempSync(join(tmpdir(), 'supreme-sandbox-kept-'));
	const inherited = { ...process.env };
	for (const key of ['DATA_DIR', 'STORAGE_ADAPTER', 'COMMAND_GUILD_IDS', 'PLUGINS']) delete inherited[key];
	sandbox = spawn(process.execPath, ['--import', 'tsx', 'tests/harness/sandbox.ts', '--data', keptData], {
		env: { ...inherited, SANDBOX_PORT: String(await freePort()), NO_COLOR: '1' },
		stdio: 'pipe'
	});
	sandbox.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
	sandbox.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
	await eventually(
		() => Promise.resolve(output.includes('sandbox> ')),
		'the sandbox prompt',
		60_000,
		() => output
	);
}, 90_000);

afterAll(() => {
	if (sandbox.exitCode === null) sandbox.kill('SIGKILL');
	rmSync(keptData, { recursive: true, force: true });
});

describe('the sandbox', () => {
	it('lists what it can do', async () => {
		const shown = await type('help', /quit/);
		for (const command of ['join', 'leave', 'invite create', 'cmd', 'click', 'messages', 'members']) expect(shown).toContain(command);
	});

	it('keeps option text with spaces, to the end of the line or in quotes', async () => {
		await type('cmd owner /setup-welcome channel:#welcome message:Welcome {user}, glad you came!', /\(ephemeral\)/);
		await type('join alice-invite dave', /#welcome .*Welcome <@\d+>, glad you came!/);
		await type('cmd owner /setup-goodbye channel:#logs message:"Bye {username}, see you"', /\(ephemeral\)/);
		await type('leave dave', /#logs .*Bye dave, see you/);
	});

	it('shows embeds with their fields', async () => {
		const shown = await type('cmd owner /data-status', /\[embed\][\s\S]*\n {4}\S[^\n]*: /);
		expect(shown).not.toMatch(/\[embed [^\]]*\]$/m);
	});

	it('clicks buttons of the last message by label or number', async () => {
		const posted = await type('cmd owner /giveaway start prize:A signed poster duration:1h winners:1', /\[buttons\] 1 /);
		expect(posted).toContain('A signed poster');
		await type('click alice Enter', /~ .*A signed poster/);
		await type('click bob 1', /~ .*A signed poster/);
		const unknown = await type('click bob 9', /error: no button "9"/);
		expect(unknown).toMatch(/1 \S/);
	});

	it('keeps its data in the folder given with --data, and quits cleanly', async () => {
		expect(readdirSync(keptData).length).toBeGreaterThan(0);
		sandbox.stdin.write('quit\n');
		await eventually(
			() => Promise.resolve(sandbox.exitCode !== null),
			'the sandbox to exit',
			30_000,
			() => output.slice(-500)
		);
		expect(sandbox.exitCode).toBe(0);
		expect(existsSync(join(keptData, 'settings.json')) || readdirSync(keptData).some((name) => name.startsWith('settings'))).toBe(true);
	});
});
