import { ApplyOptions } from '@sapphire/decorators';
import { backupView } from '../../../lib/dashboard/data.js';
import { DashboardRoute, type DashboardRouteOptions, type RouteContext } from '../../../lib/dashboard/route.js';

/** GET / POST /api/data/backups (OWNER_IDS): the backups, or a new one now (as /backup-data). */
@ApplyOptions<DashboardRouteOptions>({ route: 'api/data/backups', methods: ['GET', 'POST'], access: 'owner' })
export class BackupsRoute extends DashboardRoute {
	protected override async handle({ request, session }: RouteContext) {
		const { storage, logger } = this.container;
		if (request.method === 'POST') {
			const backup = await storage.backup(`manual-${session!.user.id}`);
			logger.info(`Backup ${backup.id} made by ${session!.user.id} through the dashboard`);
			return { backup: backupView(backup) };
		}
		return { backups: (await storage.listBackups()).map(backupView) };
	}
}
