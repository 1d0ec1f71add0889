/**
 * The dashboard's only way to the bot: JSON over the bot's own API (same origin, session cookie). Every write carries
 * the CSRF token the session handed out; an answer that is not 2xx becomes an ApiError with the server's reason.
 */
let csrfToken: string | null = null;

export class ApiError extends Error {
	public constructor(
		public readonly status: number,
		message: string,
		public readonly code: string | null = null
	) {
		super(message);
	}
}

export function setCsrfToken(token: string | null): void {
	csrfToken = token;
}

export const API_BASE = '/api';

export async function request<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
	const headers: Record<string, string> = { accept: 'application/json' };
	if (body !== undefined) headers['content-type'] = 'application/json';
	if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
	// The OAuth routes (logout) sit beside the API, not under it.
	const response = await fetch(path.startsWith('/oauth/') ? path : `${API_BASE}${path}`, {
		method,
		headers,
		credentials: 'same-origin',
		body: body === undefined ? undefined : JSON.stringify(body)
	});
	if (response.status === 204) return undefined as T;
	const text = await response.text();
	let data: unknown = null;
	try {
		data = text ? JSON.parse(text) : null;
	} catch {
		data = null;
	}
	if (!response.ok) {
		const error = (data ?? {}) as { error?: string; message?: string; code?: string };
		throw new ApiError(response.status, error.message ?? error.error ?? response.statusText, error.code ?? null);
	}
	return data as T;
}

export const get = <T>(path: string) => request<T>('GET', path);
export const post = <T>(path: string, body: unknown = {}) => request<T>('POST', path, body);
export const put = <T>(path: string, body: unknown) => request<T>('PUT', path, body);
export const patch = <T>(path: string, body: unknown) => request<T>('PATCH', path, body);
export const del = <T>(path: string, body?: unknown) => request<T>('DELETE', path, body);
