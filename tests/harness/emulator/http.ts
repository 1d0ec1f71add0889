import type { IncomingMessage } from 'node:http';

/** A Discord JSON error: `{ message, code }` with an HTTP status, optionally with field errors (50035). */
export class DiscordApiError extends Error {
	public constructor(
		public readonly status: number,
		public readonly code: number,
		message: string,
		public readonly errors?: Record<string, unknown>
	) {
		super(message);
	}

	public toJSON() {
		return { message: this.message, code: this.code, ...(this.errors ? { errors: this.errors } : {}) };
	}
}

export const notFound = (code: number, what: string) => new DiscordApiError(404, code, `Unknown ${what}`);
export const missingPermissions = () => new DiscordApiError(403, 50013, 'Missing Permissions');
export const missingAccess = () => new DiscordApiError(403, 50001, 'Missing Access');

/** Discord's 50035 with a field path, e.g. `invalidForm('content', 'BASE_TYPE_MAX_LENGTH', 'Must be 2000 or fewer in length.')`. */
export function invalidForm(path: string, code: string, message: string): DiscordApiError {
	return invalidFormFields([{ path: path.split('.'), code, message }]);
}

/** One field's error in a 50035 answer: where (`['components', 0, 'custom_id']`), Discord's code and message. */
export interface FieldError {
	path: (string | number)[];
	code: string;
	message: string;
}

/** Discord's 50035 body for several field errors at once: `{ components: { 0: { components: { 1: { custom_id: { _errors } } } } } }`. */
export function invalidFormFields(errors: FieldError[]): DiscordApiError {
	const tree: Record<string, any> = {};
	for (const error of errors) {
		let cursor = tree;
		for (const key of error.path) {
			cursor[String(key)] ??= {};
			cursor = cursor[String(key)];
		}
		(cursor._errors ??= []).push({ code: error.code, message: error.message });
	}
	return new DiscordApiError(400, 50035, 'Invalid Form Body', tree);
}

export interface UploadedFile {
	/** The multipart field name, e.g. `files[0]`. */
	field: string;
	filename: string;
	contentType: string;
	data: Buffer;
}

export interface RestRequest {
	method: string;
	path: string;
	/** The matched route pattern, e.g. `GET /guilds/:guildId/invites`. */
	route: string;
	params: Record<string, string>;
	query: URLSearchParams;
	body: any;
	files: UploadedFile[];
	token: string | null;
	/** The whole Authorization header: OAuth2 routes read `Bearer` (a user's token) and `Basic` (client credentials). */
	authorization: string | null;
}

/** A handler returns a JSON body (200), undefined (204), or a `WithStatus`. */
export type RouteHandler = (request: RestRequest) => unknown;

export class WithStatus {
	public constructor(
		public readonly status: number,
		public readonly body: unknown
	) {}
}

interface Route {
	method: string;
	pattern: string;
	segments: string[];
	handler: RouteHandler;
	/** Interaction callbacks and webhook routes are authorized by their token in the URL, not the bot token. */
	needsBotAuth: boolean;
	/** Also open to a user's OAuth2 Bearer token (the handler checks its scope). */
	allowsBearer: boolean;
}

export class Router {
	private readonly routes: Route[] = [];

	public add(method: string, pattern: string, handler: RouteHandler, options: { needsBotAuth?: boolean; allowsBearer?: boolean } = {}): this {
		this.routes.push({
			method,
			pattern,
			segments: pattern.split('/').filter(Boolean),
			handler,
			needsBotAuth: options.needsBotAuth ?? true,
			allowsBearer: options.allowsBearer ?? false
		});
		return this;
	}

	public match(method: string, path: string) {
		const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
		for (const route of this.routes) {
			if (route.method !== method || route.segments.length !== parts.length) continue;
			const params: Record<string, string> = {};
			// Literal segments win over parameters: `/messages/@original` is matched before `/messages/:messageId`.
			const matches = route.segments.every((segment, index) => {
				if (segment.startsWith(':')) {
					params[segment.slice(1)] = parts[index]!;
					return true;
				}
				return segment === parts[index];
			});
			if (matches) return { route, params };
		}
		return undefined;
	}
}

/** Reads a JSON or multipart body; multipart is what discord.js sends when files are attached. */
export async function readBody(request: IncomingMessage): Promise<{ body: any; files: UploadedFile[] }> {
	const chunks: Buffer[] = [];
	for await (const chunk of request) chunks.push(chunk as Buffer);
	const raw = Buffer.concat(chunks);
	if (raw.length === 0) return { body: undefined, files: [] };
	const contentType = request.headers['content-type'] ?? '';
	if (contentType.startsWith('multipart/form-data')) return readMultipart(raw, contentType);
	// OAuth2's token endpoint takes a form (topics/oauth2.mdx: "application/x-www-form-urlencoded").
	if (contentType.startsWith('application/x-www-form-urlencoded'))
		return { body: Object.fromEntries(new URLSearchParams(raw.toString('utf8'))), files: [] };
	try {
		return { body: JSON.parse(raw.toString('utf8')), files: [] };
	} catch {
		throw new DiscordApiError(400, 50109, 'The request body contains invalid JSON.');
	}
}

async function readMultipart(raw: Buffer, contentType: string): Promise<{ body: any; files: UploadedFile[] }> {
	// The platform's Request already parses multipart; no hand-written parser needed.
	const form = await new Request('http://emulator.local/', { method: 'POST', headers: { 'content-type': contentType }, body: raw }).formData();
	let body: any = {};
	const files: UploadedFile[] = [];
	for (const [field, value] of form.entries()) {
		if (typeof value === 'string') {
			if (field === 'payload_json') body = JSON.parse(value);
			else body[field] = value;
			continue;
		}
		files.push({
			field,
			filename: value.name,
			contentType: value.type || 'application/octet-stream',
			data: Buffer.from(await value.arrayBuffer())
		});
	}
	return { body, files };
}
