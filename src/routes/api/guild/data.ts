import { ApplyOptions } from '@sapphire/decorators';
import { collectGuildFacts, collectStorageFacts } from '../../../lib/data/facts.js';
import { backupView, storageView } from '../../../lib/dashboard/data.js';
import { DashboardRoute, type DashboardRouteOptions, type RouteContext } from '../../../lib/dashboard/route.js';
import { welcomeStatus } from '../../../lib/welcome/status.js';

/**
 * GET /api/guilds/:guild/data: what /data-status shows (this server's records, the storage's health); the list of
 * backups only for OWNER_IDS, like /restore-data.
 */
@ApplyOptions<DashboardRouteOptions>({ route: 'api/guilds/[guild]/data', methods: ['GET'], access: 'guild' })
export class GuildDataRoute extends DashboardRoute {
	protected override async handle({ call, guild }: RouteContext) {
		const { storage, invites } = this.container;
		const [[facts], storageFacts, greetings] = await Promise.all([
			collectGuildFacts(storage, invites, [guild.id]),
			collectStorageFacts(storage),
			welcomeStatus(guild.id)
		]);
		const { isOwner } = call.user!;
		return {
			guild: {
				trackedMembers: facts!.trackedMembers,
				inviters: facts!.inviters,
				totalInvites: facts!.totalInvites,
				joinHistory: facts!.joinHistory,
				activeGiveaways: facts!.activeGiveaways,
				giveaways: facts!.giveaways,
				inviteProblem: invites.unavailable.get(guild.id) ?? null,
				greetingProblems: {
					welcome: greetings.welcome.problem?.message ?? null,
					goodbye: greetings.goodbye.problem?.message ?? null
				}
			},
			storage: storageView(storageFacts),
			isOwner,
			backups: isOwner ? (await storage.listBackups()).map(backupView) : null
		};
	}
}
