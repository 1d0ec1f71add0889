/**
 * Imported by the entry when the dashboard is on, in every shard: each loads the routes (plugin-api connects no
 * server by itself: `automaticallyConnect: false`), so the shard that holds a server can answer its calls; only
 * the process that serves the dashboard (see dashboardServedHere) listens.
 */
import '@sapphire/plugin-api/register';
import { container, SapphireClient } from '@sapphire/framework';
import '../../lib/container.js';
import { dashboardServedHere, DashboardService } from '../../lib/dashboard/service.js';
import type { BridgedClient } from '../../lib/dashboard/shards.js';
import { describeError } from '../../lib/secrets.js';
import { StartupError } from '../../lib/storage.js';

SapphireClient.plugins.registerPreLoginHook(function dashboardPreLogin(this: SapphireClient) {
	const { config } = container;
	const dashboard = new DashboardService(config.dashboard!, config.discordApiUrl, config.ownerIds);
	container.dashboard = dashboard;
	// Shard 0's broadcastEval functions run as source text in this process, with this client: they find it here.
	(this as SapphireClient & Partial<BridgedClient>).dashboardBridge = dashboard.bridge;
}, 'Dashboard-PreLogin');

SapphireClient.plugins.registerPostLoginHook(async function dashboardPostLogin() {
	if (!dashboardServedHere()) return;
	const { config, logger, server, dashboard } = container;
	// plugin-api's cookie middleware refuses requests made to an IP address (http://127.0.0.1:port) and sets cookies
	// without SameSite; the dashboard sets its own cookies (src/lib/dashboard/http.ts). Its body middleware answers
	// a too long Content-Length in English only; the routes check the length themselves (readJsonBody).
	for (const name of ['cookies', 'body']) if (server.middlewares.has(name)) await server.middlewares.unload(name);
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
