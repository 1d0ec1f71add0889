import { ApplyOptions } from '@sapphire/decorators';
import { addCookie, readCookies, redirect, serializeCookie, SESSION_COOKIE, STATE_COOKIE } from '../../lib/dashboard/http.js';
import { completeLogin } from '../../lib/dashboard/oauth.js';
import { DashboardRoute, type DashboardRouteOptions, type RouteContext } from '../../lib/dashboard/route.js';
import { safeEqual } from '../../lib/dashboard/sessions.js';
import { describeError } from '../../lib/secrets.js';

/**
 * GET /oauth/callback?code&state: Discord's redirect after consent (topics/oauth2.mdx, Authorization Code Grant).
 * The `state` must be the one this browser got from /oauth/login (signed cookie): otherwise someone else's code
 * could log the browser into their account (login CSRF). Then the code is exchanged server side and a session made.
 */
@ApplyOptions<DashboardRouteOptions>({ route: 'oauth/callback', methods: ['GET'], access: 'public' })
export class OAuthCallbackRoute extends DashboardRoute {
	protected override async handle({ call, local }: RouteContext): Promise<undefined> {
		const { dashboard, logger } = this.container;
		const { response } = local!;
		const secure = dashboard.secureCookies;
		// The state is single use: cleared whatever happens next.
		addCookie(response, serializeCookie(STATE_COOKIE, '', { maxAgeSeconds: 0, secure }));
		const fail = (code: string): undefined => {
			redirect(response, `/?login_error=${code}`);
			return undefined;
		};

		const query = call.query as Record<string, string | undefined>;
		const [state, signature] = (readCookies(local!.request).get(STATE_COOKIE) ?? '').split('.');
		const stateMatches =
			typeof query.state === 'string' &&
			state !== undefined &&
			signature !== undefined &&
			safeEqual(signature, dashboard.sessions.sign(state)) &&
			safeEqual(query.state, state);
		if (!stateMatches) return fail('bad_state');
		if (query.error !== undefined) return fail('denied');
		if (typeof query.code !== 'string' || query.code === '') return fail('denied');

		try {
			const login = await completeLogin(dashboard.config, dashboard.apiUrl, query.code);
			const session = dashboard.sessions.create(login.user, login.accessToken, login.expiresIn);
			addCookie(
				response,
				serializeCookie(SESSION_COOKIE, dashboard.sessions.cookieValue(session), {
					maxAgeSeconds: (session.expiresAt - Date.now()) / 1000,
					secure
				})
			);
			logger.info(`Dashboard: user ${login.user.id} logged in`);
			redirect(response, '/');
		} catch (error) {
			logger.warn(`Dashboard login failed: ${describeError(error)}`);
			fail('exchange_failed');
		}
		return undefined;
	}
}
