import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type RedisClientType } from '@redis/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage, type BackendStorage } from '../../src/storage-adapters/index.js';
import { ChildRedis, redisServerAvailable } from '../helpers/child-redis.js';
import { eventually } from '../helpers/eventually.js';
import { freePort } from '../helpers/free-port.js';
import { ROUNDS, sleep, writeResult } from './_shared.js';

const PASSWORD = 'redis-faults-test-password-41d9';

interface FaultRow {
	fault: string;
	rounds: number;
	/** Writes whose promise resolved. */
	acknowledged: number;
	/** Acknowledged writes missing afterwards. */
	lost: number;
	/** Writes refused with an error (or never made) that are visible afterwards. */
	phantom: number;
	/** Rounds after which a new write was acknowledged again. */
	recovered: number;
}

/**
 * Redis faults injected for real, on the storage layer under a steady stream of writes: the server killed with SIGKILL
 * and restarted (appendonly yes, appendfsync always), made to refuse writes (`min-replicas-to-write 1`: NOREPLICAS),
 * and another app writing its own keys in the same database through backups and restores. After each round: every
 * acknowledged write is present, no refused write is, the foreign app's keys are exactly as it left them, and a new
 * write is acknowledged again.
 */
describe.skipIf(!redisServerAvailable)('Redis faults (a child redis-server)', () => {
	let redis: ChildRedis;
	let dir: string;
	let storage: BackendStorage;
	let raw: RedisClientType;
	const rows: FaultRow[] = [];

	beforeAll(async () => {
		dir = await mkdtemp(join(tmpdir(), 'supreme-redis-faults-'));
		redis = new ChildRedis(await freePort(), dir, PASSWORD, ['--appendonly', 'yes', '--appendfsync', 'always']);
		await redis.start();
		storage = await openStorage({
			adapter: 'redis',
			dataDir: dir,
			sqlitePath: join(dir, 'bot.sqlite'),
			redisUrl: redis.url,
			backupDir: join(dir, 'backups'),
			backupKeep: 5,
			namespaces: ['invites', 'settings']
		});
		raw = createClient({ url: redis.url, socket: { reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 500) } }) as RedisClientType;
		raw.on('error', () => undefined);
		await raw.connect();
	}, 60_000);

	afterAll(async () => {
		await storage?.close().catch(() => undefined);
		await raw?.close().catch(() => undefined);
		redis?.process?.kill('SIGKILL');
		if (dir) await rm(dir, { recursive: true, force: true });
		if (rows.length > 0) writeResult('redis-faults', { rows });
	});

	/** Writes `k<n>` = n without pause until stopped; sorts every write into acknowledged, refused and in flight. */
	function writer(prefix: string) {
		const acknowledged: string[] = [];
		const refused: string[] = [];
		let running = true;
		const done = (async () => {
			for (let n = 0; running; n++) {
				const key = `${prefix}-${n}`;
				try {
					await storage.namespace('invites').set(key, n);
					acknowledged.push(key);
				} catch (error) {
					// A refusal by the server is definite; a dropped connection leaves the write in doubt (it may have landed).
					if (String(error).includes('NOREPLICAS')) refused.push(key);
					await sleep(5);
				}
			}
		})();
		return { acknowledged, refused, stop: () => ((running = false), done) };
	}

	async function present(keys: string[]): Promise<Set<string>> {
		const found = new Set<string>();
		for (const key of keys) if ((await storage.namespace('invites').get(key)) !== undefined) found.add(key);
		return found;
	}

	async function recovers(): Promise<boolean> {
		await eventually(
			async () =>
				storage
					.namespace('settings')
					.set('probe', Date.now())
					.then(
						() => true,
						() => false
					),
			'a write to be acknowledged again',
			20_000
		);
		return true;
	}

	async function check(fault: string, round: number, acknowledged: string[], refused: string[], row: FaultRow): Promise<void> {
		const found = await present([...acknowledged, ...refused]);
		const lost = acknowledged.filter((key) => !found.has(key));
		const phantom = refused.filter((key) => found.has(key));
		row.rounds++;
		row.acknowledged += acknowledged.length;
		row.lost += lost.length;
		row.phantom += phantom.length;
		if (await recovers()) row.recovered++;
		expect(lost, `${fault} round ${round}: acknowledged writes lost`).toEqual([]);
		expect(phantom, `${fault} round ${round}: refused writes visible`).toEqual([]);
	}

	it('SIGKILL and restart of the server: every acknowledged write is there afterwards', { timeout: 60_000 + ROUNDS * 20_000 }, async () => {
		const row: FaultRow = { fault: 'redis killed (SIGKILL) and restarted', rounds: 0, acknowledged: 0, lost: 0, phantom: 0, recovered: 0 };
		rows.push(row);
		for (let round = 0; round < ROUNDS; round++) {
			const writes = writer(`kill${round}`);
			await sleep(100 + Math.random() * 400);
			await redis.kill();
			await sleep(Math.random() * 300);
			await redis.start();
			await recovers();
			await writes.stop();
			await check('kill', round, writes.acknowledged, writes.refused, row);
		}
		expect(row.acknowledged).toBeGreaterThan(ROUNDS * 10);
	});

	it('writes refused by the server (NOREPLICAS): none of them appears, and writing resumes', { timeout: 60_000 + ROUNDS * 20_000 }, async () => {
		const row: FaultRow = {
			fault: 'redis refuses writes (min-replicas-to-write 1)',
			rounds: 0,
			acknowledged: 0,
			lost: 0,
			phantom: 0,
			recovered: 0
		};
		rows.push(row);
		for (let round = 0; round < ROUNDS; round++) {
			const writes = writer(`readonly${round}`);
			await sleep(50 + Math.random() * 200);
			await raw.configSet('min-replicas-to-write', '1');
			await sleep(100 + Math.random() * 300);
			await raw.configSet('min-replicas-to-write', '0');
			await sleep(50);
			await writes.stop();
			expect(writes.refused.length, `round ${round}: the fault refused writes`).toBeGreaterThan(0);
			await check('read-only', round, writes.acknowledged, writes.refused, row);
		}
	});

	it(
		"another app's keys in the same database are untouched by our writes, backups and restores",
		{ timeout: 60_000 + ROUNDS * 20_000 },
		async () => {
			const row: FaultRow = {
				fault: 'a foreign app writing in the same database',
				rounds: 0,
				acknowledged: 0,
				lost: 0,
				phantom: 0,
				recovered: 0
			};
			rows.push(row);
			const foreign = new Map<string, string>();
			let foreignChanges = 0;
			for (let round = 0; round < ROUNDS; round++) {
				const backup = await storage.backup('manual');
				const writes = writer(`foreign${round}`);
				let running = true;
				// The other app: session-like keys, including one that looks like a namespace of ours with a separator.
				const app = (async () => {
					for (let n = 0; running; n++) {
						const key = [`sessions::${n % 50}`, `other:${n % 20}`, `settings-cache::${n % 10}`][n % 3]!;
						const value = `round ${round} write ${n}`;
						await raw.set(key, value);
						foreign.set(key, value);
						foreignChanges++;
					}
				})();
				await sleep(100 + Math.random() * 200);
				await storage.restore(backup.id);
				// Our writes acknowledged before the restore are replaced by the backup: only later ones must stay.
				const afterRestore = writes.acknowledged.length;
				await sleep(100 + Math.random() * 200);
				running = false;
				await app;
				await writes.stop();
				for (const [key, value] of foreign) expect(await raw.get(key), `round ${round}: ${key}`).toBe(value);
				await storage.namespace('settings').clear();
				for (const [key, value] of foreign) expect(await raw.get(key), `round ${round}: ${key} after a clear`).toBe(value);
				await check('foreign', round, writes.acknowledged.slice(afterRestore), writes.refused, row);
			}
			expect(foreignChanges).toBeGreaterThan(ROUNDS * 10);
		}
	);
});
