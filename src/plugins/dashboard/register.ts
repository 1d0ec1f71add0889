/**
 * Imported by the entry only when the dashboard is on and this process serves it (see dashboardServedHere), because
 * @sapphire/plugin-api's register hooks every client it sees into serving HTTP.
 */
import '@sapphire/plugin-api/register';
import { container, SapphireClient } from '@sapphire/framework';
import '../../lib/container.js';
import { DashboardService } from '../../lib/dashboard/service.js';
import { describeError } from '../../lib/secrets.js';
import { StartupError } from '../../lib/storage.js';

SapphireClient.plugins.registerPreLoginHook(function dashboardPreLogin() {
	const { config } = container;
	const dashboard = new DashboardService(config.dashboard!, config.discordApiUrl, config.ownerIds);
	container.dashboard = dashboard;
}, 'Dashboard-PreLogin');

SapphireClient.plugins.registerPostLoginHook(async function dashboardPostLogin() {
	const { config, logger, server, dashboard } = container;
	// plugin-api's cookie middleware refuses requests made to an IP address (http://127.0.0.1:port) and sets cookies
	// without SameSite; the dashboard sets its own cookies (src/lib/dashboard/http.ts).
	if (server.middlewares.has('cookies')) await server.middlewares.unload('cookies');
	dashboard.start();
	try {
		await server.connect();
	} catch (error) {
		dashboard.stop();
		throw new StartupError(
			`Dashboard cannot listen on ${config.dashboard!.host} port ${config.dashboard!.port} (DASHBOARD_HOST, DASHBOARD_PORT): ${describeError(error)}`
		);
	}
	container.services.add('the dashboard', async () => {
		dashboard.stop();
		server.server.closeAllConnections();
		await server.disconnect();
	});
	logger.info(`Dashboard listening on ${config.dashboard!.host} port ${config.dashboard!.port} (${config.dashboard!.url})`);
}, 'Dashboard-PostLogin');
