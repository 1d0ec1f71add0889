import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { HealthServer } from '../../src/lib/data/health.js';
import { RunningServices } from '../../src/lib/shutdown.js';
import { freePort } from '../helpers/free-port.js';

const probe = { gatewayConnected: () => true, guilds: () => 0, storage: () => undefined };

function refused(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = connect(port, '127.0.0.1');
		socket.once('connect', () => {
			socket.destroy();
			resolve(false);
		});
		socket.once('error', () => resolve(true));
	});
}

describe('RunningServices', () => {
	it('stops services newest first, each only once the one before it has stopped', async () => {
		const events: string[] = [];
		const services = new RunningServices();
		const slowStop = (name: string, ms: number) => async () => {
			events.push(`${name} stopping`);
			await new Promise((resolve) => setTimeout(resolve, ms));
			events.push(`${name} stopped`);
		};
		services.add('first', slowStop('first', 5));
		services.add('second', slowStop('second', 30));
		services.add('third', () => {
			throw new Error('broken stop');
		});
		const warnings: string[] = [];
		await services.stopAll({ warn: (line: string) => warnings.push(line) } as never);
		expect(events).toEqual(['second stopping', 'second stopped', 'first stopping', 'first stopped']);
		expect(warnings).toEqual(['Stopping third failed: broken stop']);
	});

	it('owns the health endpoint: stopAll closes it, and a new one can take the port', async () => {
		const port = await freePort();
		const services = new RunningServices();
		const health = new HealthServer(probe, { port });
		await health.start();
		services.add('the health endpoint', () => health.stop());
		expect(await refused(port)).toBe(false);
		await services.stopAll();
		expect(await refused(port)).toBe(true);
		const again = new HealthServer(probe, { port });
		await again.start();
		expect(await refused(port)).toBe(false);
		await again.stop();
	});
});
