import { ApplyOptions } from '@sapphire/decorators';
import { backupView } from '../../../lib/dashboard/data.js';
import { DashboardRoute, type DashboardRouteOptions, type RouteContext } from '../../../lib/dashboard/route.js';

/** GET / POST /api/data/backups (OWNER_IDS): the backups, or a new one now (as /backup-data). */
@ApplyOptions<DashboardRouteOptions>({ route: 'api/data/backups', methods: ['GET', 'POST'], access: 'owner' })
export class BackupsRoute extends DashboardRoute {
	protected override async handle({ call }: RouteContext) {
		const { storage, logger } = this.container;
		if (call.method === 'POST') {
			const backup = await storage.backup(`manual-${call.user!.id}`);
			logger.info(`Backup ${backup.id} made by ${call.user!.id} through the dashboard`);
			return { backup: backupView(backup) };
		}
		return { backups: (await storage.listBackups()).map(backupView) };
	}
}
