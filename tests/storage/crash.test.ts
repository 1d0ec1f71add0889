import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createStorageFixture } from '../helpers/storage.js';

const ROUNDS = 20;
const writerScript = join(import.meta.dirname, 'fixtures', 'crash-writer.ts');

/** Runs the writer until it has acknowledged some writes, kills it with SIGKILL at a random moment, returns the acks. */
async function runAndKill(adapter: string, dataDir: string, first: number): Promise<number[]> {
	const child = spawn(process.execPath, ['--import', 'tsx', writerScript, adapter, dataDir, String(first)], { stdio: ['ignore', 'pipe', 'pipe'] });
	const acked: number[] = [];
	let stderr = '';
	let buffered = '';
	child.stderr.on('data', (chunk) => (stderr += chunk));
	const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
	const killAfter = 50 + Math.floor(Math.random() * 250);
	await new Promise<void>((resolve, reject) => {
		let timer: NodeJS.Timeout | undefined;
		child.stdout.on('data', (chunk: Buffer) => {
			buffered += chunk.toString();
			const lines = buffered.split('\n');
			buffered = lines.pop()!;
			for (const line of lines) {
				if (line.startsWith('ack ')) acked.push(Number(line.slice(4)));
				if (line === 'ready') timer ??= setTimeout(resolve, killAfter);
			}
		});
		child.on('exit', () => (timer ? resolve() : reject(new Error(`writer exited before it was ready:\n${stderr}`))));
	});
	child.kill('SIGKILL');
	await exited;
	return acked;
}

describe.each(['file', 'sqlite'] as const)('SIGKILL at random moments: %s adapter', (adapter) => {
	const cleanups: Array<() => Promise<void>> = [];
	afterAll(async () => {
		for (const cleanup of cleanups) await cleanup();
	});

	it(`keeps every acknowledged write through ${ROUNDS} kills`, { timeout: 180_000 }, async () => {
		const fixture = await createStorageFixture(adapter);
		cleanups.push(() => fixture.dispose());
		let next = 0;
		let totalAcked = 0;
		for (let round = 0; round < ROUNDS; round++) {
			const acked = await runAndKill(adapter, fixture.options.dataDir, next);
			totalAcked += acked.length;
			// Right after the kill, before anything could repair them, the files on disk must be readable.
			if (adapter === 'file') {
				for (const name of (await readdir(fixture.options.dataDir)).filter((file) => file.endsWith('.json'))) {
					const text = await readFile(join(fixture.options.dataDir, name), 'utf8');
					expect(() => JSON.parse(text), `round ${round}: ${name} does not parse`).not.toThrow();
				}
			}
			const storage = await fixture.open();
			const invites = storage.namespace<number>('invites');
			const lost = [];
			for (const n of acked) if ((await invites.get(`k${n}`)) !== n) lost.push(n);
			expect(lost, `round ${round}: acknowledged writes lost`).toEqual([]);
			// Every acknowledged increment is counted; one in flight at the kill may or may not be.
			expect(await invites.get('counter')).toBeGreaterThanOrEqual(totalAcked);
			expect(
				fixture.logs.filter((line) => line.startsWith('error')),
				`round ${round}: damage reported`
			).toEqual([]);
			await storage.close();
			next += 100_000;
		}
		expect(totalAcked).toBeGreaterThan(ROUNDS * 10);
	});
});
