import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What the dashboard knows of a logged-in user; the access token stays here and never reaches a response. */
export interface DashboardUser {
	id: string;
	username: string;
	globalName: string | null;
	avatar: string | null;
}

export interface DashboardSession {
	readonly id: string;
	readonly user: DashboardUser;
	/** The user's OAuth2 access token (scopes identify, guilds); server side only. */
	readonly accessToken: string;
	/** Sent back on every write as X-CSRF-Token. */
	readonly csrfToken: string;
	readonly expiresAt: number;
}

/** A session lasts as long as the access token Discord gave (7 days by default), at most a day here. */
export const SESSION_MAX_MS = 86_400_000;
const SWEEP_INTERVAL_MS = 60_000;

interface Window {
	startedAt: number;
	count: number;
}

/**
 * Sessions and rate-limit windows in the serving process' memory: only one process serves the dashboard (shard 0),
 * and a restart logging people out is cheaper than storing access tokens where backups would copy them.
 * Cookies carry the session id with an HMAC, so a guessed or altered cookie is refused before any lookup.
 */
export class DashboardSessions {
	private readonly sessions = new Map<string, DashboardSession>();
	private readonly windows = new Map<string, Window>();
	private readonly key = randomBytes(32);
	private sweep: NodeJS.Timeout | null = null;

	public constructor(private readonly now: () => number = Date.now) {}

	public start(): void {
		this.sweep ??= setInterval(() => this.removeExpired(), SWEEP_INTERVAL_MS).unref();
	}

	public stop(): void {
		if (this.sweep) clearInterval(this.sweep);
		this.sweep = null;
		this.sessions.clear();
		this.windows.clear();
	}

	public create(user: DashboardUser, accessToken: string, expiresInSeconds: number): DashboardSession {
		const session: DashboardSession = {
			id: randomBytes(24).toString('base64url'),
			user,
			accessToken,
			csrfToken: randomBytes(24).toString('base64url'),
			expiresAt: this.now() + Math.min(expiresInSeconds * 1000, SESSION_MAX_MS)
		};
		this.sessions.set(session.id, session);
		return session;
	}

	/** The cookie value for a session: `<id>.<hmac>`. */
	public cookieValue(session: DashboardSession): string {
		return `${session.id}.${this.sign(session.id)}`;
	}

	/** The live session a cookie value names, or null (unknown, expired, or a signature that does not match). */
	public fromCookie(value: string | undefined): DashboardSession | null {
		if (!value) return null;
		const [id, signature] = value.split('.');
		if (!id || !signature || !safeEqual(signature, this.sign(id))) return null;
		const session = this.sessions.get(id);
		if (!session) return null;
		if (session.expiresAt <= this.now()) {
			this.sessions.delete(id);
			return null;
		}
		return session;
	}

	public destroy(session: DashboardSession): void {
		this.sessions.delete(session.id);
	}

	/** Signs a short-lived value (the OAuth2 state) with the same key. */
	public sign(value: string): string {
		return createHmac('sha256', this.key).update(value).digest('base64url');
	}

	/** Counts a request against `limit` per `windowMs` for `bucket`; false when over the limit. */
	public allow(bucket: string, limit: number, windowMs: number): { ok: true } | { ok: false; retryAfterSeconds: number } {
		const now = this.now();
		let window = this.windows.get(bucket);
		if (!window || now - window.startedAt >= windowMs) {
			window = { startedAt: now, count: 0 };
			this.windows.set(bucket, window);
		}
		window.count++;
		if (window.count <= limit) return { ok: true };
		return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((window.startedAt + windowMs - now) / 1000)) };
	}

	private removeExpired(): void {
		const now = this.now();
		for (const [id, session] of this.sessions) if (session.expiresAt <= now) this.sessions.delete(id);
		for (const [bucket, window] of this.windows) if (now - window.startedAt > 600_000) this.windows.delete(bucket);
	}
}

export function safeEqual(a: string, b: string): boolean {
	const left = Buffer.from(a);
	const right = Buffer.from(b);
	return left.length === right.length && timingSafeEqual(left, right);
}
