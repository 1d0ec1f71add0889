import { createServer, type Server } from 'node:http';
import type { Storage } from '../../storage-adapters/index.js';
import { collectStorageFacts, type StorageFacts } from './facts.js';

/**
 * The optional HTTP endpoint for container hosts (HEALTH_PORT): `/healthz` answers 200 while the gateway is
 * connected and storage is healthy, 503 otherwise; `/status` is the same facts as JSON. Nothing secret is in
 * either: no token, no Redis password, no member data.
 */

export interface HealthProbe {
	/** Whether the Discord gateway connection is up (discord.js `client.ws.status === Status.Ready`). */
	gatewayConnected(): boolean;
	guilds(): number;
	storage(): Storage | undefined;
}

export interface HealthReport {
	healthy: boolean;
	gateway: { connected: boolean; guilds: number };
	storage: StorageFacts | { healthy: false; problem: string };
	uptimeSeconds: number;
}

export async function healthReport(probe: HealthProbe): Promise<HealthReport> {
	const connected = probe.gatewayConnected();
	const storage = probe.storage();
	let facts: HealthReport['storage'];
	try {
		facts = storage ? await collectStorageFacts(storage) : { healthy: false, problem: 'storage is not open yet' };
	} catch (error) {
		facts = { healthy: false, problem: (error as Error).message };
	}
	return { healthy: connected && facts.healthy, gateway: { connected, guilds: probe.guilds() }, storage: facts, uptimeSeconds: Math.round(process.uptime()) };
}

let server: Server | null = null;

/** Listens on 0.0.0.0:`port` (a container's health check reaches it from outside the process); resolves once listening. */
export async function startHealthServer(port: number, probe: HealthProbe, host = '0.0.0.0'): Promise<Server> {
	const listening = createServer((request, response) => {
		const path = (request.url ?? '/').split('?')[0];
		if (request.method !== 'GET' || (path !== '/healthz' && path !== '/status')) {
			response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: use /healthz or /status\n');
			return;
		}
		healthReport(probe).then(
			(report) => {
				const status = report.healthy ? 200 : 503;
				if (path === '/healthz') {
					const reason = report.healthy ? 'ok' : !report.gateway.connected ? 'gateway not connected' : `storage unhealthy: ${'problem' in report.storage ? report.storage.problem : ''}`;
					response.writeHead(status, { 'content-type': 'text/plain' }).end(`${reason}\n`);
				} else {
					response.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(report, null, 2)}\n`);
				}
			},
			(error: Error) => response.writeHead(503, { 'content-type': 'text/plain' }).end(`status unavailable: ${error.message}\n`)
		);
	});
	await new Promise<void>((resolve, reject) => {
		listening.once('error', reject);
		listening.listen(port, host, () => resolve());
	});
	server = listening;
	return listening;
}

export async function stopHealthServer(): Promise<void> {
	const running = server;
	server = null;
	if (running) await new Promise<void>((resolve) => running.close(() => resolve()));
}
