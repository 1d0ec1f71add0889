import { ApplyOptions } from '@sapphire/decorators';
import { z } from 'zod';
import { withoutPaths } from '../../../lib/data/health.js';
import { restoreAndReload } from '../../../lib/data/restore.js';
import { backupView } from '../../../lib/dashboard/data.js';
import { ApiError } from '../../../lib/dashboard/http.js';
import { DashboardRoute, type DashboardRouteOptions, type RouteContext } from '../../../lib/dashboard/route.js';

const restoreBody = z.object({ backupId: z.string().min(1).max(200), confirm: z.string().max(200) });

/**
 * POST /api/data/restore (OWNER_IDS) `{ backupId, confirm }`: `confirm` is the backup id typed again by the owner,
 * the dashboard's version of /restore-data's confirmation button. Same restore as the command (a safety backup
 * first, every feature reloaded).
 */
@ApplyOptions<DashboardRouteOptions>({ route: 'api/data/restore', methods: ['POST'], access: 'owner' })
export class RestoreRoute extends DashboardRoute {
	protected override async handle({ call }: RouteContext) {
		const { backupId, confirm } = this.body(call, restoreBody);
		if (confirm.trim() !== backupId) throw new ApiError(400, 'confirmation', 'dashboard:restoreConfirmation');
		const outcome = await restoreAndReload(this.container.storage, backupId);
		this.container.logger.info(`Backup ${backupId} restored by ${call.user!.id} through the dashboard`);
		return {
			restored: backupView(outcome.restored),
			safetyBackup: backupView(outcome.safetyBackup),
			before: outcome.before,
			after: outcome.after,
			reloads: outcome.reloads.map((reload) => ({
				feature: reload.feature,
				error: reload.error === undefined ? null : withoutPaths(reload.error)
			}))
		};
	}
}
