import type { ServerResponse } from 'node:http';
import type { IncomingMessage } from 'node:http';

export const SESSION_COOKIE = 'sb_session';
export const STATE_COOKIE = 'sb_oauth_state';

/**
 * Headers on every dashboard response. The CSP allows no inline script or style (the pages load their own files),
 * no framing (clickjacking), and images only from here, data:/blob: (the card preview) and Discord's CDN (avatars).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
	'Content-Security-Policy': [
		"default-src 'self'",
		"script-src 'self'",
		"style-src 'self'",
		"img-src 'self' data: blob: https://cdn.discordapp.com",
		"connect-src 'self'",
		"font-src 'self'",
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'self'",
		"frame-ancestors 'none'"
	].join('; '),
	'X-Content-Type-Options': 'nosniff',
	'X-Frame-Options': 'DENY',
	'Referrer-Policy': 'same-origin',
	'Cross-Origin-Opener-Policy': 'same-origin',
	'Cross-Origin-Resource-Policy': 'same-origin',
	'Permissions-Policy': 'camera=(), microphone=(), geolocation=()'
});

export interface CookieOptions {
	maxAgeSeconds: number;
	secure: boolean;
}

/** httpOnly, SameSite=Lax (sent on the top-level redirect back from Discord, not on cross-site writes), Path=/. */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
	return [
		`${name}=${encodeURIComponent(value)}`,
		'Path=/',
		`Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`,
		'HttpOnly',
		'SameSite=Lax',
		...(options.secure ? ['Secure'] : [])
	].join('; ');
}

export function readCookies(request: IncomingMessage): Map<string, string> {
	const cookies = new Map<string, string>();
	for (const pair of (request.headers.cookie ?? '').split(';')) {
		const index = pair.indexOf('=');
		if (index === -1) continue;
		try {
			cookies.set(pair.slice(0, index).trim(), decodeURIComponent(pair.slice(index + 1).trim()));
		} catch {
			// A malformed cookie is ignored, like a missing one.
		}
	}
	return cookies;
}

export function addCookie(response: ServerResponse, cookie: string): void {
	const existing = response.getHeader('Set-Cookie');
	const list = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
	response.setHeader('Set-Cookie', [...list, cookie]);
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
	if (response.writableEnded) return;
	response.statusCode = status;
	response.setHeader('Content-Type', 'application/json; charset=utf-8');
	response.end(JSON.stringify(body));
}

/** An answer the API gives on purpose: a status, an error code for the page, and the key of its text (`dashboard:`). */
export class ApiError extends Error {
	public override readonly name = 'ApiError';
	public constructor(
		public readonly status: number,
		public readonly code: string,
		public readonly messageKey: string,
		public readonly extra: Record<string, unknown> = {}
	) {
		super(code);
	}
}

/**
 * The body's text when the request says it is JSON (else null, left unread), at most `limit` bytes: read here, in
 * the process that took the request, before the call goes to the shard that holds the server.
 */
export async function readJsonBody(request: IncomingMessage, limit: number): Promise<string | null> {
	if (!String(request.headers['content-type'] ?? '').startsWith('application/json')) return null;
	if (Number(request.headers['content-length'] ?? 0) > limit) throw new ApiError(413, 'too_large', 'dashboard:bodyTooLarge');
	const chunks: Buffer[] = [];
	let length = 0;
	for await (const chunk of request as AsyncIterable<Buffer>) {
		length += chunk.length;
		if (length > limit) throw new ApiError(413, 'too_large', 'dashboard:bodyTooLarge');
		chunks.push(chunk);
	}
	return Buffer.concat(chunks).toString('utf8');
}

export function redirect(response: ServerResponse, location: string): void {
	response.statusCode = 302;
	response.setHeader('Location', location);
	response.end();
}
