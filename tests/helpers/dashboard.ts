import type { DiscordEmulator } from '../harness/index.js';

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
