import { fetchT } from '@sapphire/plugin-i18next';
import { ApplyOptions } from '@sapphire/decorators';
import { greetingInputSchema, greetingKind, greetingView } from '../../../lib/dashboard/greetings.js';
import { DashboardRoute, type DashboardRouteOptions, type RouteContext } from '../../../lib/dashboard/route.js';
import { greetingSettingsFrom } from '../../../lib/welcome/setup.js';

/**
 * GET / PUT / DELETE /api/guilds/:guild/greetings/:kind (welcome or goodbye): read, set up (the same checks and
 * service as /setup-welcome and /setup-goodbye) or turn off (as /welcome-disable).
 */
@ApplyOptions<DashboardRouteOptions>({ route: 'api/guilds/[guild]/greetings/[kind]', methods: ['GET', 'PUT', 'DELETE'], access: 'guild' })
export class GreetingRoute extends DashboardRoute {
	protected override async handle({ call, guild }: RouteContext) {
		const kind = greetingKind(call.params.kind);
		const { welcome } = this.container;
		if (call.method === 'PUT') {
			const input = this.body(call, greetingInputSchema);
			return greetingView(await welcome.configure(guild.id, kind, greetingSettingsFrom(await fetchT(guild), guild, kind, input)));
		}
		if (call.method === 'DELETE') {
			await welcome.disable(guild.id, kind);
			return greetingView(null);
		}
		return greetingView((await welcome.settings(guild.id))[kind]);
	}
}
