import { ApplyOptions } from '@sapphire/decorators';
import { DashboardRoute, type DashboardRouteOptions, type RouteContext } from '../../lib/dashboard/route.js';
import { avatarUrl } from '../../lib/dashboard/views.js';

/** GET /api/session: who is logged in, and the CSRF token the page sends with every write. */
@ApplyOptions<DashboardRouteOptions>({ route: 'api/session', methods: ['GET'], access: 'public' })
export class SessionRoute extends DashboardRoute {
	protected override handle({ local }: RouteContext) {
		const { session } = local!;
		if (session === null) return { user: null, csrfToken: null, isOwner: false };
		const { user } = session;
		return {
			user: { id: user.id, username: user.username, globalName: user.globalName, avatarUrl: avatarUrl(user.id, user.avatar) },
			csrfToken: session.csrfToken,
			isOwner: this.container.dashboard.isOwner(user.id)
		};
	}
}
