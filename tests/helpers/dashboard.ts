import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BotProcess, type DiscordEmulator } from '../harness/index.js';
import { freePort } from './free-port.js';

/** A browser-like HTTP client for the dashboard: a cookie jar, redirects followed by hand (so each hop is seen). */
export class DashboardClient {
	public readonly cookies = new Map<string, string>();
	public csrfToken: string | null = null;

	public constructor(public readonly base: string) {}

	public async request(path: string, init: RequestInit & { json?: unknown; csrf?: boolean } = {}): Promise<Response> {
		const headers = new Headers(init.headers);
		if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '));
		let { body } = init;
		if (init.json !== undefined) {
			headers.set('content-type', 'application/json');
			body = JSON.stringify(init.json);
		}
		if ((init.csrf ?? true) && this.csrfToken !== null && init.method !== undefined && init.method !== 'GET')
			headers.set('x-csrf-token', this.csrfToken);
		const url = path.startsWith('http') ? path : `${this.base}${path}`;
		const response = await fetch(url, { ...init, headers, body, redirect: 'manual' });
		if (url.startsWith(this.base)) this.keepCookies(response);
		return response;
	}

	public async json<T = any>(path: string, init: RequestInit & { json?: unknown; csrf?: boolean } = {}): Promise<{ status: number; body: T }> {
		const response = await this.request(path, init);
		const text = await response.text();
		return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
	}

	/** The whole login: /oauth/login -> the emulator's consent page (as `userId`) -> /oauth/callback -> session. */
	public async login(emulator: DiscordEmulator, userId: string): Promise<Response> {
		emulator.oauth.consentAs(userId);
		const start = await this.request('/oauth/login');
		const consent = await fetch(start.headers.get('location')!, { redirect: 'manual' });
		const callback = await this.request(consent.headers.get('location')!);
		const session = await this.json('/api/session');
		this.csrfToken = session.body?.csrfToken ?? null;
		return callback;
	}

	private keepCookies(response: Response): void {
		for (const cookie of response.headers.getSetCookie()) {
			const [pair] = cookie.split(';');
			const index = pair!.indexOf('=');
			const name = pair!.slice(0, index);
			const value = pair!.slice(index + 1);
			if (cookie.includes('Max-Age=0') || value === '') this.cookies.delete(name);
			else this.cookies.set(name, value);
		}
	}
}

/**
 * The real bot with its dashboard on a free port, logged-in redirects registered with the emulator's OAuth2, on a
 * fresh file DATA_DIR; resolves once the dashboard listens and invite tracking is ready. With `shardedRedisUrl`:
 * `npm run start:sharded` on that Redis with 2 shards (the emulator must recommend 2), once both are ready.
 */
export async function startDashboardBot(
	emulator: DiscordEmulator,
	/** guildId: COMMAND_GUILD_IDS (a comma list for several). */
	options: { guildId: string; ownerId: string; dataDirPrefix: string; shardedRedisUrl?: string }
): Promise<{ bot: BotProcess; base: string; dataDir: string }> {
	const port = await freePort();
	const base = `http://127.0.0.1:${port}`;
	emulator.oauth.redirectUris.add(`${base}/oauth/callback`);
	const dataDir = mkdtempSync(join(tmpdir(), options.dataDirPrefix));
	const bot = new BotProcess({
		apiUrl: emulator.apiUrl,
		dataDir,
		...(options.shardedRedisUrl === undefined
			? { storageAdapter: 'file' }
			: { storageAdapter: 'redis', entry: 'dist/sharded.js', readyCount: 2, readyTimeoutMs: 60_000 }),
		env: {
			...(options.shardedRedisUrl === undefined ? {} : { REDIS_URL: options.shardedRedisUrl }),
			COMMAND_GUILD_IDS: options.guildId,
			OWNER_IDS: options.ownerId,
			DASHBOARD_PORT: String(port),
			DASHBOARD_URL: base,
			DISCORD_CLIENT_ID: emulator.applicationId,
			DISCORD_CLIENT_SECRET: emulator.oauth.clientSecret
		}
	});
	await bot.start();
	await bot.waitForLog(/Dashboard listening/);
	await bot.waitForLog(/Invite tracking ready/, 10_000, options.shardedRedisUrl === undefined ? 1 : 2);
	return { bot, base, dataDir };
}
