import { ApplyOptions } from '@sapphire/decorators';
import { randomBytes } from 'node:crypto';
import { addCookie, redirect, serializeCookie, STATE_COOKIE } from '../../lib/dashboard/http.js';
import { authorizeUrl } from '../../lib/dashboard/oauth.js';
import { DashboardRoute, type DashboardRouteOptions, type RouteContext } from '../../lib/dashboard/route.js';

/** How long a login may take on Discord's page. */
const STATE_MAX_AGE_SECONDS = 600;

/** GET /oauth/login: a fresh `state`, kept in a signed cookie, then Discord's consent page. */
@ApplyOptions<DashboardRouteOptions>({ route: 'oauth/login', methods: ['GET'], access: 'public' })
export class OAuthLoginRoute extends DashboardRoute {
	protected override handle({ local }: RouteContext): undefined {
		const { dashboard } = this.container;
		const { response } = local!;
		const state = randomBytes(24).toString('base64url');
		addCookie(
			response,
			serializeCookie(STATE_COOKIE, `${state}.${dashboard.sessions.sign(state)}`, {
				maxAgeSeconds: STATE_MAX_AGE_SECONDS,
				secure: dashboard.secureCookies
			})
		);
		redirect(response, authorizeUrl(dashboard.config, dashboard.apiUrl, state));
		return undefined;
	}
}
