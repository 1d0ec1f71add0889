import { randomUUID } from 'node:crypto';
import { container, UserError } from '@sapphire/framework';
import { fetchT } from '@sapphire/plugin-i18next';
import { Route } from '@sapphire/plugin-api';
import type { Guild } from 'discord.js';
import type { TFunction } from 'i18next';
import type { z } from 'zod';
import { userFacingMessage } from '../interaction-reply.js';
import { describeError } from '../secrets.js';
import { isStorageOutage } from '../../storage-adapters/index.js';
import { canManage } from './access.js';
import { ApiError, readCookies, readJsonBody, sendJson, SESSION_COOKIE } from './http.js';
import { safeEqual, type DashboardSession } from './sessions.js';

/**
 * Who may call a route: anyone; a logged-in user; a user who manages the `:guild` of the path (checked on every
 * request from the bot's own view); an OWNER_IDS user.
 */
export type RouteAccess = 'public' | 'user' | 'guild' | 'owner';

export interface DashboardRouteOptions extends Route.Options {
	access: RouteAccess;
	/** A POST that changes nothing (a preview): it still needs the CSRF token, but counts against the read limit. */
	countsAsRead?: boolean;
}

/**
 * One request as plain data: what a handler reads. Under `npm run start:sharded` shard 0 serves HTTP and sends this
 * (JSON) to the shard that holds the `:guild`, which runs the same checks and handler on its own view and services.
 */
export interface DashboardCall {
	/** Fresh per request: discord.js answers identical evals in flight once, and two identical writes must both run. */
	id: string;
	/** The route piece's name, the same on every shard. */
	route: string;
	method: string;
	params: Record<string, string>;
	query: Record<string, string | string[]>;
	/** The body's text when sent as JSON, read and size-limited where the request arrived; else null. */
	body: string | null;
	/** The logged-in user; null on `public` routes without a session. */
	user: { id: string; isOwner: boolean } | null;
}

/** What a route answers: an HTTP status and its JSON body. */
export interface DashboardAnswer {
	status: number;
	json: unknown;
}

export interface RouteContext {
	call: DashboardCall;
	/** Set for `guild` routes. */
	guild: Guild;
	/**
	 * The session and raw HTTP exchange, for the routes that need them (login, logout, downloads); null for `guild`
	 * routes, which run wherever their server is.
	 */
	local: { session: DashboardSession | null; request: Route.Request; response: Route.Response } | null;
}

/** Requests per minute per session (or per address when logged out): reads, and writes. */
const READ_LIMIT = 120;
const WRITE_LIMIT = 30;
const LIMIT_WINDOW_MS = 60_000;
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The one place where every dashboard route gets its checks, in order: rate limit, session, CSRF on writes (where
 * the request arrived), then guild access and the handler (where the server is: `answer`). A handler's return value
 * is the JSON answer; refusals from the features' services (the same UserErrors the slash commands show) become 400
 * with the server's language.
 */
export abstract class DashboardRoute extends Route<DashboardRouteOptions> {
	public readonly access: RouteAccess;
	private readonly countsAsRead: boolean;

	public constructor(context: Route.LoaderContext, options: DashboardRouteOptions) {
		super(context, options);
		this.access = options.access;
		this.countsAsRead = options.countsAsRead ?? false;
	}

	public override async run(request: Route.Request, response: Route.Response): Promise<void> {
		response.setHeader('Cache-Control', 'no-store');
		const { dashboard } = container;
		const guildId = this.access === 'guild' ? (request.params.guild ?? '') : null;
		let answer: DashboardAnswer | undefined;
		try {
			const session = dashboard.sessions.fromCookie(readCookies(request).get(SESSION_COOKIE));
			const write = WRITE_METHODS.has(request.method ?? 'GET');
			const limitAsWrite = write && !this.countsAsRead;
			const bucket = `${session?.id ?? `ip:${request.socket.remoteAddress}`}:${limitAsWrite ? 'w' : 'r'}`;
			const allowed = dashboard.sessions.allow(bucket, limitAsWrite ? WRITE_LIMIT : READ_LIMIT, LIMIT_WINDOW_MS);
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
			const call: DashboardCall = {
				id: randomUUID(),
				route: this.name,
				method: request.method ?? 'GET',
				params: { ...request.params },
				query: { ...request.query },
				body: write ? await readJsonBody(request, this.maximumBodyLength) : null,
				user: session === null ? null : { id: session.user.id, isOwner: dashboard.isOwner(session.user.id) }
			};
			answer = guildId === null ? await this.answer(call, { session, request, response }) : await dashboard.shards.answer(guildId, call);
		} catch (error) {
			// Answers speak the server's language, even a refusal to see it; bot-wide ones DEFAULT_LANGUAGE.
			answer = this.errorAnswer(error, guildId === null ? this.defaultT() : await dashboard.shards.translator(guildId));
		}
		if (answer !== undefined) sendJson(response, answer.status, answer.json);
	}

	/**
	 * Guild access from this process' view of the server, then the handler; every error as an answer in the server's
	 * language. The same for a request served here and one forwarded from shard 0. Undefined: the handler answered
	 * through `local.response` itself.
	 */
	public async answer(call: DashboardCall, local: RouteContext['local']): Promise<DashboardAnswer | undefined> {
		let guild: Guild | null = null;
		try {
			if (this.access === 'guild') guild = await this.guildFor(call.params.guild, call.user!.id);
			const result = await this.handle({ call, guild: guild!, local: this.access === 'guild' ? null : local });
			return result === undefined ? undefined : { status: 200, json: result };
		} catch (error) {
			const known = guild ?? this.container.client.guilds.cache.get(call.params.guild ?? '');
			return this.errorAnswer(error, known ? await fetchT(known) : this.defaultT());
		}
	}

	protected abstract handle(context: RouteContext): unknown;

	/** Parses the call's JSON body with a schema; 400 with the field paths when it does not fit. */
	protected body<T extends z.ZodType>(call: DashboardCall, schema: T): z.infer<T> {
		if (call.body === null) throw new ApiError(415, 'json_required', 'dashboard:jsonRequired');
		let raw: unknown;
		try {
			raw = JSON.parse(call.body);
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

	private async guildFor(guildId: string | undefined, userId: string): Promise<Guild> {
		const guild = guildId === undefined ? undefined : this.container.client.guilds.cache.get(guildId);
		// The same answer for "bot not there" and "not yours to see" would hide which servers the bot is in; but a
		// member of a server may know that anyway, so 404 says the bot is not there and 403 that the user may not.
		if (!guild?.available) throw new ApiError(404, 'not_found', 'dashboard:botNotInServer');
		if (!(await canManage(guild, userId))) throw new ApiError(403, 'forbidden', 'dashboard:manageServerNeeded');
		return guild;
	}

	private defaultT(): TFunction {
		return this.container.i18n.getT(this.container.config.defaultLanguage);
	}

	private errorAnswer(error: unknown, t: TFunction): DashboardAnswer {
		if (error instanceof ApiError) return { status: error.status, json: { error: error.code, message: t(error.messageKey), ...error.extra } };
		if (error instanceof UserError) return { status: 400, json: { error: error.identifier, message: userFacingMessage(t, error) } };
		if (isStorageOutage(error)) return { status: 503, json: { error: 'storage_unavailable', message: t('errors:storageUnavailable') } };
		// Details stay in the log: an error message may name a path or an internal detail.
		this.container.logger.error(`Dashboard ${this.name} failed: ${describeError(error)}`);
		return { status: 500, json: { error: 'internal', message: t('errors:unexpected') } };
	}
}
