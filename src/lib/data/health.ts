import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Storage } from '../../storage-adapters/index.js';
import { collectStorageFacts, type StorageFacts } from './facts.js';

/**
 * The optional HTTP endpoint for container hosts (HEALTH_PORT, on HEALTH_HOST): `/healthz` answers 200 while the
 * gateway is connected and storage answers a ping, 503 otherwise, and costs no more than that ping; `/status` is the
 * status facts as JSON, computed at most once per STATUS_CACHE_MS however often it is asked. Neither shows a token, a
 * password, a filesystem path, event text (which may name paths) or member data. With HEALTH_TOKEN set, every request
 * needs `Authorization: Bearer <token>`.
 */

/** How long one /status answer is served again: a keyspace walk or a stat of every backup per request is too dear. */
export const STATUS_CACHE_MS = 5000;

export interface HealthProbe {
	/** Whether the Discord gateway connection is up (discord.js `client.ws.status === Status.Ready`). */
	gatewayConnected(): boolean;
	guilds(): number;
	storage(): Storage | undefined;
}

export interface HealthServerOptions {
	port: number;
	/** HEALTH_HOST; loopback by default, so nothing outside the machine reaches it unless the operator says so. */
	host?: string;
	/** HEALTH_TOKEN, or null for none. */
	token?: string | null;
}

/** What /status shows of the storage: the facts without event text, and any problem without paths. */
export type PublicStorageFacts = Omit<StorageFacts, 'events' | 'problem'> & { problem?: string; events: Array<{ at: string; level: string }> };

export interface HealthReport {
	healthy: boolean;
	generatedAt: string;
	gateway: { connected: boolean; guilds: number };
	storage: PublicStorageFacts | { healthy: false; problem: string };
	uptimeSeconds: number;
}

/** Absolute paths in error text (`/srv/bot/data/invites.json`, `C:\data\x`) become `<path>`. */
export function withoutPaths(text: string): string {
	// Not after a word character, ":" or "/": URLs (redis://host) and words like and/or stay as they are.
	return text.replace(/(?<![\w:/])(?:[A-Za-z]:\\|\/)[^\s'"`,;)]*[^\s'"`,;).:]/g, '<path>');
}

export async function healthReport(probe: HealthProbe): Promise<HealthReport> {
	const connected = probe.gatewayConnected();
	const storage = probe.storage();
	let facts: HealthReport['storage'];
	try {
		if (storage) {
			const { events, problem, ...rest } = await collectStorageFacts(storage);
			facts = {
				...rest,
				...(problem === undefined ? {} : { problem: withoutPaths(problem) }),
				events: events.map(({ at, level }) => ({ at, level }))
			};
		} else facts = { healthy: false, problem: 'storage is not open yet' };
	} catch (error) {
		facts = { healthy: false, problem: withoutPaths((error as Error).message) };
	}
	return {
		healthy: connected && facts.healthy,
		generatedAt: new Date().toISOString(),
		gateway: { connected, guilds: probe.guilds() },
		storage: facts,
		uptimeSeconds: Math.round(process.uptime())
	};
}

/** The /healthz line: the gateway, then one storage ping. */
async function liveness(probe: HealthProbe): Promise<{ healthy: boolean; reason: string }> {
	if (!probe.gatewayConnected()) return { healthy: false, reason: 'gateway not connected' };
	const storage = probe.storage();
	if (!storage) return { healthy: false, reason: 'storage unhealthy: storage is not open yet' };
	const health = await storage.health().catch((error: Error) => ({ healthy: false, problem: error.message }));
	return health.healthy
		? { healthy: true, reason: 'ok' }
		: { healthy: false, reason: `storage unhealthy: ${withoutPaths(health.problem ?? 'no reason given')}` };
}

/** Equal-time comparison of the bearer token (hashes, so the lengths match too). */
function authorized(request: IncomingMessage, token: string | null): boolean {
	if (token === null) return true;
	const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
	if (!match) return false;
	const digest = (value: string) => createHash('sha256').update(value).digest();
	return timingSafeEqual(digest(match[1]!), digest(token));
}

/**
 * The endpoint's server: the core plugin starts it before login and registers its stop with RunningServices
 * (src/lib/shutdown.ts), which stops it at shutdown; no state lives outside the instance.
 */
export class HealthServer {
	private server: Server | null = null;
	private cached: { at: number; report: Promise<HealthReport> } | null = null;

	public constructor(
		private readonly probe: HealthProbe,
		private readonly options: HealthServerOptions
	) {}

	/** Resolves once listening. */
	public async start(): Promise<void> {
		const token = this.options.token ?? null;
		const listening = createServer((request, response) => {
			const path = (request.url ?? '/').split('?')[0];
			if (!authorized(request, token)) {
				response
					.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' })
					.end('unauthorized: send Authorization: Bearer <HEALTH_TOKEN>\n');
				return;
			}
			if (request.method !== 'GET' || (path !== '/healthz' && path !== '/status')) {
				response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: use /healthz or /status\n');
				return;
			}
			const failed = (error: Error) =>
				response.writeHead(503, { 'content-type': 'text/plain' }).end(`status unavailable: ${withoutPaths(error.message)}\n`);
			if (path === '/healthz') {
				liveness(this.probe).then(
					({ healthy, reason }) => response.writeHead(healthy ? 200 : 503, { 'content-type': 'text/plain' }).end(`${reason}\n`),
					failed
				);
				return;
			}
			this.status().then(
				(report) =>
					response
						.writeHead(report.healthy ? 200 : 503, { 'content-type': 'application/json' })
						.end(`${JSON.stringify(report, null, 2)}\n`),
				failed
			);
		});
		await new Promise<void>((resolve, reject) => {
			listening.once('error', reject);
			listening.listen(this.options.port, this.options.host ?? '127.0.0.1', () => resolve());
		});
		this.server = listening;
	}

	public async stop(): Promise<void> {
		const running = this.server;
		this.server = null;
		if (running) await new Promise<void>((resolve) => running.close(() => resolve()));
	}

	/** One report per STATUS_CACHE_MS; requests meanwhile share it (also while it is being computed). */
	private status(): Promise<HealthReport> {
		const now = Date.now();
		if (!this.cached || now - this.cached.at >= STATUS_CACHE_MS) this.cached = { at: now, report: healthReport(this.probe) };
		return this.cached.report;
	}
}
