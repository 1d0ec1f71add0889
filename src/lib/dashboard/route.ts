import { container, UserError } from '@sapphire/framework';
import { fetchT } from '@sapphire/plugin-i18next';
import { Route } from '@sapphire/plugin-api';
import type { Guild } from 'discord.js';
import type { z } from 'zod';
import { userFacingMessage } from '../interaction-reply.js';
import { describeError } from '../secrets.js';
import { isStorageOutage } from '../../storage-adapters/index.js';
import { canManage } from './access.js';
import { ApiError, readCookies, sendJson, SESSION_COOKIE } from './http.js';
import { safeEqual, type DashboardSession } from './sessions.js';

/**
 * Who may call a route: anyone; a logged-in user; a user who manages the `:guild` of the path (checked on every
 * request from the bot's own view); an OWNER_IDS user.
 */
export type RouteAccess = 'public' | 'user' | 'guild' | 'owner';

export interface DashboardRouteOptions extends Route.Options {
	access: RouteAccess;
}

export interface RouteContext {
	request: Route.Request;
	response: Route.Response;
	session: DashboardSession | null;
	/** Set for `guild` routes. */
	guild: Guild;
}

/** Requests per minute per session (or per address when logged out): reads, and writes. */
const READ_LIMIT = 120;
const WRITE_LIMIT = 30;
const LIMIT_WINDOW_MS = 60_000;
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The one place where every dashboard route gets its checks, in order: rate limit, session, CSRF on writes, guild
 * access, then the handler. A handler's return value is the JSON answer; refusals from the features' services
 * (the same UserErrors the slash commands show) become 400 with the server's language.
 */
export abstract class DashboardRoute extends Route<DashboardRouteOptions> {
	protected readonly access: RouteAccess;

	public constructor(context: Route.LoaderContext, options: DashboardRouteOptions) {
		super(context, options);
		this.access = options.access;
	}

	public override async run(request: Route.Request, response: Route.Response): Promise<void> {
		response.setHeader('Cache-Control', 'no-store');
		let guild: Guild | null = null;
		try {
			const { dashboard } = container;
			const session = dashboard.sessions.fromCookie(readCookies(request).get(SESSION_COOKIE));
			const write = WRITE_METHODS.has(request.method ?? 'GET');
			const bucket = `${session?.id ?? `ip:${request.socket.remoteAddress}`}:${write ? 'w' : 'r'}`;
			const allowed = dashboard.sessions.allow(bucket, write ? WRITE_LIMIT : READ_LIMIT, LIMIT_WINDOW_MS);
			if (!allowed.ok) {
				response.setHeader('Retry-After', String(allowed.retryAfterSeconds));
				throw new ApiError(429, 'rate_limited', 'dashboard:rateLimited');
			}
			if (this.access !== 'public' && session === null) throw new ApiError(401, 'unauthenticated', 'dashboard:unauthenticated');
			// The token comes from GET /api/session; another site can make the browser send the cookie, not read the token.
			if (write && (session === null || !safeEqual(String(request.headers['x-csrf-token'] ?? ''), session.csrfToken))) {
				throw new ApiError(403, 'csrf', 'dashboard:csrf');
			}
			if (this.access === 'owner' && !dashboard.isOwner(session!.user.id)) {
				throw new ApiError(403, 'owner_only', 'dashboard:ownerOnly');
			}
			if (this.access === 'guild') guild = await this.guildFor(request.params.guild, session!);
			const result = await this.handle({ request, response, session, guild: guild! });
			if (result !== undefined) sendJson(response, 200, result);
		} catch (error) {
			// Answers speak the server's language, even a refusal to see it; bot-wide ones DEFAULT_LANGUAGE.
			await this.fail(response, error, guild ?? this.container.client.guilds.cache.get(request.params.guild ?? '') ?? null);
		}
	}

	protected abstract handle(context: RouteContext): unknown;

	/** Parses the JSON body with a schema; 400 with the field paths when it does not fit. */
	protected async body<T extends z.ZodType>(request: Route.Request, schema: T): Promise<z.infer<T>> {
		if (!String(request.headers['content-type'] ?? '').startsWith('application/json'))
			throw new ApiError(415, 'json_required', 'dashboard:jsonRequired');
		let raw: unknown;
		try {
			raw = await request.readBodyJson();
		} catch {
			throw new ApiError(400, 'invalid', 'dashboard:invalidJson');
		}
		const parsed = schema.safeParse(raw);
		if (!parsed.success) {
			throw new ApiError(400, 'invalid', 'dashboard:invalidFields', {
				issues: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }))
			});
		}
		return parsed.data;
	}

	private async guildFor(guildId: string | undefined, session: DashboardSession): Promise<Guild> {
		const guild = guildId === undefined ? undefined : this.container.client.guilds.cache.get(guildId);
		// The same answer for "bot not there" and "not yours to see" would hide which servers the bot is in; but a
		// member of a server may know that anyway, so 404 says the bot is not there and 403 that the user may not.
		if (!guild?.available) throw new ApiError(404, 'not_found', 'dashboard:botNotInServer');
		if (!(await canManage(guild, session.user.id))) throw new ApiError(403, 'forbidden', 'dashboard:manageServerNeeded');
		return guild;
	}

	private async fail(response: Route.Response, error: unknown, guild: Guild | null): Promise<void> {
		const t = guild ? await fetchT(guild) : this.container.i18n.getT(this.container.config.defaultLanguage);
		if (error instanceof ApiError) {
			sendJson(response, error.status, { error: error.code, message: t(error.messageKey), ...error.extra });
			return;
		}
		if (error instanceof UserError) {
			sendJson(response, 400, { error: error.identifier, message: userFacingMessage(t, error) });
			return;
		}
		if (isStorageOutage(error)) {
			sendJson(response, 503, { error: 'storage_unavailable', message: t('errors:storageUnavailable') });
			return;
		}
		// Details stay in the log: an error message may name a path or an internal detail.
		this.container.logger.error(`Dashboard ${this.name} failed: ${describeError(error)}`);
		sendJson(response, 500, { error: 'internal', message: t('errors:unexpected') });
	}
}
