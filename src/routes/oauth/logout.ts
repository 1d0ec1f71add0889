import { ApplyOptions } from '@sapphire/decorators';
import { addCookie, serializeCookie, SESSION_COOKIE } from '../../lib/dashboard/http.js';
import { DashboardRoute, type DashboardRouteOptions, type RouteContext } from '../../lib/dashboard/route.js';

/** POST /oauth/logout (CSRF token required): the session ends here; the cookie is cleared. */
@ApplyOptions<DashboardRouteOptions>({ route: 'oauth/logout', methods: ['POST'], access: 'user' })
export class OAuthLogoutRoute extends DashboardRoute {
	protected override handle({ local }: RouteContext) {
		const { dashboard } = this.container;
		const { response, session } = local!;
		dashboard.sessions.destroy(session!);
		addCookie(response, serializeCookie(SESSION_COOKIE, '', { maxAgeSeconds: 0, secure: dashboard.secureCookies }));
		return { ok: true };
	}
}
