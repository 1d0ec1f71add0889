import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createClient } from '@redis/client';
import { eventually } from './eventually.js';

/** Tests that stop and start a Redis server of their own need the redis-server program (CI installs it). */
export const redisServerAvailable = await new Promise<boolean>((resolve) => {
	const probe = spawn('redis-server', ['--version'], { stdio: 'ignore' });
	probe.once('error', () => resolve(false));
	probe.once('exit', (code) => resolve(code === 0));
});
if (!redisServerAvailable) console.warn('Skipping the Redis outage tests: redis-server is not installed');

/**
 * A Redis server of the test's own, to stop and start mid-test (an outage): a password, no automatic persistence, a
 * dump only when it is shut down on purpose, so its data comes back after a restart.
 */
export class ChildRedis {
	public process: ChildProcess | null = null;
	public constructor(
		public readonly port: number,
		private readonly dir: string,
		private readonly password: string,
		/** Settings after the defaults above (the last of a repeated setting wins), e.g. ['--appendonly', 'yes']. */
		private readonly settings: string[] = []
	) {}

	public get url(): string {
		return `redis://:${this.password}@127.0.0.1:${this.port}/0`;
	}

	public async start(): Promise<void> {
		this.process = spawn(
			'redis-server',
			[
				'--port',
				String(this.port),
				'--bind',
				'127.0.0.1',
				'--save',
				'',
				'--appendonly',
				'no',
				'--dir',
				this.dir,
				'--requirepass',
				this.password,
				...this.settings
			],
			{ stdio: 'ignore' }
		);
		await eventually(async () => {
			const client = createClient({ url: this.url, socket: { reconnectStrategy: false, connectTimeout: 500 } });
			client.on('error', () => undefined);
			try {
				await client.connect();
				return (await client.ping()) === 'PONG';
			} catch {
				return false;
			} finally {
				if (client.isOpen) client.destroy();
			}
		}, `redis-server on port ${this.port}`);
	}

	/** SIGKILL: the server dies at once, keeping only what its persistence settings had written. */
	public async kill(): Promise<void> {
		const child = this.process!;
		const exited = once(child, 'exit');
		child.kill('SIGKILL');
		await exited;
		this.process = null;
	}

	/** SHUTDOWN SAVE: the server writes its data and exits, like an operator restarting it. */
	public async stop(): Promise<void> {
		const child = this.process!;
		const exited = once(child, 'exit');
		const client = createClient({ url: this.url, socket: { reconnectStrategy: false } });
		client.on('error', () => undefined);
		await client.connect();
		await client.sendCommand(['SHUTDOWN', 'SAVE']).catch(() => undefined);
		await exited;
		this.process = null;
	}
}
