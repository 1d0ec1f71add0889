import { ApplyOptions } from '@sapphire/decorators';
import { buildExport } from '../../../cli/transfer.js';
import { ApiError } from '../../../lib/dashboard/http.js';
import { DashboardRoute, type DashboardRouteOptions, type RouteContext } from '../../../lib/dashboard/route.js';
import { BackendStorage } from '../../../storage-adapters/index.js';

/** GET /api/data/export (OWNER_IDS): the data CLI's JSON dump of every namespace, as a download. */
@ApplyOptions<DashboardRouteOptions>({ route: 'api/data/export', methods: ['GET'], access: 'owner' })
export class ExportRoute extends DashboardRoute {
	protected override async handle({ call, local }: RouteContext): Promise<undefined> {
		const { storage, logger } = this.container;
		if (!(storage instanceof BackendStorage)) throw new ApiError(501, 'unsupported', 'dashboard:exportUnsupported');
		const { file } = await buildExport(storage);
		const body = `${JSON.stringify(file)}\n`;
		logger.info(`Data export downloaded by ${call.user!.id} through the dashboard`);
		const { response } = local!;
		response.statusCode = 200;
		response.setHeader('Content-Type', 'application/json; charset=utf-8');
		response.setHeader('Content-Disposition', `attachment; filename="supreme-bot-export-${file.exportedAt.slice(0, 10)}.json"`);
		response.end(body);
		return undefined;
	}
}
