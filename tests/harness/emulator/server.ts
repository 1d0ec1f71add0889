import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { DiscordApiError, readBody, WithStatus, type Router } from './http.js';
import { checkRequest, checkResponse, pendingSpecMismatches, type SpecMismatch } from './spec.js';

export interface RecordedRequest {
	method: string;
	path: string;
	/** The route pattern, e.g. `GET /guilds/:guildId/invites`; `UNKNOWN` when no route matched. */
	route: string;
	status: number;
	body: unknown;
	at: number;
}

/** Which requests a rate limit or a count applies to: 'all', a route (`GET /guilds/:guildId/invites` or without method), a concrete path, or a RegExp over `METHOD /path`. */
export type RequestMatcher = 'all' | string | RegExp;

export function requestMatches(matcher: RequestMatcher, method: string, path: string, route: string): boolean {
	if (matcher === 'all') return true;
	if (matcher instanceof RegExp) return matcher.test(`${method} ${path}`);
	return matcher === route || `${method} ${matcher}` === route || matcher === `${method} ${path}` || matcher === path;
}

interface RateLimitRule {
	matcher: RequestMatcher;
	remaining: number;
	retryAfterMs: number;
	global: boolean;
}

export interface ServerHooks {
	router: Router;
	isTokenValid: (token: string) => boolean;
	/** Serves uploaded attachment bytes, outside the API prefix like Discord's CDN. */
	attachment: (attachmentId: string) => Buffer | undefined;
	onUpgrade: WebSocketServer;
	/** The OAuth2 consent page, on the web origin like Discord's (not under /api). */
	authorize: (query: URLSearchParams) => { status: number; location?: string; body?: string };
}

/** The HTTP side: `/api/v10` REST with auth, rate limits, request log and Discord-style errors; WebSocket upgrades go to the gateway. */
export class EmulatorServer {
	public readonly requests: RecordedRequest[] = [];
	public readonly unknownRoutes: string[] = [];
	/** Exceptions thrown by the emulator itself (its bugs, not the bot's); answered with 500. */
	public readonly serverErrors: Error[] = [];
	/** Bodies that disagree with Discord's OpenAPI description (see spec.ts); also queued for the running test to fail on. */
	public readonly specMismatches: SpecMismatch[] = [];
	private readonly rateLimits: RateLimitRule[] = [];
	private readonly server: Server;

	public constructor(private readonly hooks: ServerHooks) {
		this.server = createServer((request, response) => void this.handle(request, response));
		this.server.on('upgrade', (request, socket, head) => {
			if (!request.url?.startsWith('/gateway')) {
				socket.destroy();
				return;
			}
			hooks.onUpgrade.handleUpgrade(request, socket, head, (ws) => hooks.onUpgrade.emit('connection', ws, request));
		});
	}

	public async listen(port: number, host: string): Promise<number> {
		await new Promise<void>((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(port, host, () => resolve());
		});
		return (this.server.address() as AddressInfo).port;
	}

	public async close(): Promise<void> {
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	public rateLimit(matcher: RequestMatcher, count: number, retryAfterMs: number, global: boolean): void {
		this.rateLimits.push({ matcher, remaining: count, retryAfterMs, global });
	}

	private noteMismatches(mismatches: SpecMismatch[]): void {
		if (mismatches.length === 0) return;
		this.specMismatches.push(...mismatches);
		pendingSpecMismatches.push(...mismatches);
	}

	private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
		const url = new URL(request.url ?? '/', 'http://emulator.local');
		const method = request.method ?? 'GET';
		const attachment = /^\/attachments\/\d+\/(\d+)\//.exec(url.pathname);
		if (attachment) {
			const bytes = this.hooks.attachment(attachment[1]!);
			response.writeHead(bytes ? 200 : 404).end(bytes);
			return;
		}
		if (method === 'GET' && url.pathname === '/oauth2/authorize') {
			const answer = this.hooks.authorize(url.searchParams);
			this.requests.push({
				method,
				path: url.pathname,
				route: 'GET /oauth2/authorize',
				status: answer.status,
				body: undefined,
				at: Date.now()
			});
			response
				.writeHead(answer.status, answer.location ? { location: answer.location } : { 'content-type': 'text/plain; charset=utf-8' })
				.end(answer.body);
			return;
		}
		const path = url.pathname.replace(/^\/api\/v10(?=\/)/, '');
		const match = path === url.pathname ? undefined : this.hooks.router.match(method, path);
		const route = match ? `${method} ${match.route.pattern}` : 'UNKNOWN';
		const record: RecordedRequest = { method, path, route, status: 0, body: undefined, at: Date.now() };
		this.requests.push(record);
		const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
			record.status = status;
			if (match) this.noteMismatches(checkResponse(method, path, status, body));
			if (status === 204 || body === undefined) {
				response.writeHead(status === 200 ? 204 : status, headers).end();
				return;
			}
			response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
		};

		try {
			const { body, files } = await readBody(request);
			record.body = body;
			if (match) this.noteMismatches(checkRequest(method, path, body));
			if (!match) {
				this.unknownRoutes.push(`${method} ${url.pathname}`);
				send(404, { message: '404: Not Found', code: 0 });
				return;
			}
			const token = /^Bot (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? null;
			const bearer = match.route.allowsBearer && /^Bearer ./.test(request.headers.authorization ?? '');
			if (match.route.needsBotAuth && !bearer && (!token || !this.hooks.isTokenValid(token))) {
				send(401, { message: '401: Unauthorized', code: 0 });
				return;
			}
			const limited = this.rateLimits.find((rule) => rule.remaining > 0 && requestMatches(rule.matcher, method, path, route));
			if (limited) {
				limited.remaining--;
				const seconds = (limited.retryAfterMs / 1000).toFixed(3);
				send(
					429,
					{ message: 'You are being rate limited.', retry_after: limited.retryAfterMs / 1000, global: limited.global },
					{
						'retry-after': seconds,
						'x-ratelimit-limit': '1',
						'x-ratelimit-remaining': '0',
						'x-ratelimit-reset-after': seconds,
						'x-ratelimit-bucket': `emulator-${match.route.pattern}`,
						'x-ratelimit-scope': limited.global ? 'global' : 'user',
						...(limited.global ? { 'x-ratelimit-global': 'true' } : {})
					}
				);
				return;
			}
			const result = await match.route.handler({
				method,
				path,
				route,
				params: match.params,
				query: url.searchParams,
				body,
				files,
				token,
				authorization: request.headers.authorization ?? null
			});
			if (result instanceof WithStatus) send(result.status, result.body);
			else send(result === undefined ? 204 : 200, result);
		} catch (error) {
			if (error instanceof DiscordApiError) {
				send(error.status, error.toJSON());
				return;
			}
			this.serverErrors.push(error as Error);
			send(500, { message: '500: Internal Server Error', code: 0 });
		}
	}
}
