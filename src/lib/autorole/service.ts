import type { ILogger } from '@sapphire/framework';
import { DiscordAPIError, RESTJSONErrorCodes, type Client, type Guild, type GuildMember } from 'discord.js';
import type { Storage } from '../../storage-adapters/types.js';
import { readGuildSettings, updateGuildSettings, type AutoRole, type AutoRoleTarget } from '../guild-settings.js';
import { roleProblem } from '../roles.js';
import type { ScreeningHolds } from '../screening.js';
import { describeError } from '../secrets.js';
import { logText, type Reason } from '../templates/reasons.js';
import { grantKey, PendingGrantScheduler, type PendingGrant, type SchedulerClock } from './pending-grants.js';

/** Pending delayed grants, key `<guildId>:<memberId>:<roleId>`, value a PendingGrant. */
export const PENDING_GRANTS_NAMESPACE = 'autorole-pending';
export const MAX_AUTOROLES = 20;

export interface AutoRoleStatus {
	roles: AutoRole[];
	pendingGrants: number;
	/** Grants that failed, once per role and reason, newest last. */
	problems: Reason[];
}

export function appliesTo(autoRole: AutoRole, isBot: boolean): boolean {
	return autoRole.for === 'all' || (autoRole.for === 'bots') === isBot;
}

/**
 * Auto-roles: roles given to members who join, right away or after a delay. Delayed grants are written to storage
 * with their due time before anything waits for them, so they are still given after a restart or a crash; one timer
 * (PendingGrantScheduler) waits for the nearest.
 */
export class AutoRoleService {
	private readonly scheduler: PendingGrantScheduler;
	private readonly problems = new Map<string, Reason>();

	public constructor(
		private readonly storage: Storage,
		private readonly client: Client,
		private readonly logger: ILogger,
		clock?: SchedulerClock,
		private readonly screening?: ScreeningHolds
	) {
		this.scheduler = new PendingGrantScheduler((grant) => this.giveDelayed(grant), clock);
	}

	/** Loads the stored pending grants; called once the client is ready, so guilds and roles are known. */
	public async start(): Promise<number> {
		const grants = await this.storage.entries<PendingGrant>(PENDING_GRANTS_NAMESPACE);
		for (const [, grant] of grants) this.scheduler.add(grant);
		if (grants.length > 0)
			this.logger.info(
				`Auto-roles: ${grants.length} delayed grant${grants.length === 1 ? '' : 's'} waiting, next due ${new Date(Math.min(...grants.map(([, grant]) => grant.dueAt))).toISOString()}`
			);
		return grants.length;
	}

	/** After a restore replaced the stored grants: wait for those instead of the ones in memory. */
	public async reload(): Promise<number> {
		this.scheduler.remove(() => true);
		return this.start();
	}

	public stop(): void {
		this.scheduler.stop();
	}

	public async roles(guildId: string): Promise<AutoRole[]> {
		return (await readGuildSettings(this.storage, guildId)).autoroles ?? [];
	}

	/** Adds a role, or changes who gets it and when; returns the new list. */
	public async add(guildId: string, autoRole: AutoRole): Promise<AutoRole[]> {
		const settings = await updateGuildSettings(this.storage, guildId, (current) => {
			const others = (current.autoroles ?? []).filter((existing) => existing.roleId !== autoRole.roleId);
			if (others.length >= MAX_AUTOROLES) throw new TooManyAutoRolesError(`At most ${MAX_AUTOROLES} auto-roles; remove one first.`);
			return { ...current, autoroles: [...others, autoRole] };
		});
		return settings.autoroles ?? [];
	}

	/** Removes a role from the config and its pending grants; false when it was not an auto-role. */
	public async remove(guildId: string, roleId: string): Promise<boolean> {
		let removed = false;
		await updateGuildSettings(this.storage, guildId, (current) => {
			const autoroles = current.autoroles ?? [];
			removed = autoroles.some((existing) => existing.roleId === roleId);
			return { ...current, autoroles: autoroles.filter((existing) => existing.roleId !== roleId) };
		});
		await this.cancel((grant) => grant.guildId === guildId && grant.roleId === roleId);
		return removed;
	}

	public async status(guildId: string): Promise<AutoRoleStatus> {
		const prefix = `${guildId}:`;
		return {
			roles: await this.roles(guildId),
			pendingGrants: this.scheduler.pending(guildId).length,
			problems: [...this.problems].filter(([key]) => key.startsWith(prefix)).map(([, message]) => message)
		};
	}

	public pending(guildId: string): PendingGrant[] {
		return this.scheduler.pending(guildId);
	}

	/**
	 * A member joined (or passed screening): immediate roles now, delayed ones stored and scheduled. A member still in
	 * rules screening gets nothing yet: a role would let them skip it. Their roles are held until they pass.
	 */
	public async memberJoined(member: GuildMember): Promise<void> {
		const { guild } = member;
		const configured = (await this.roles(guild.id)).filter((autoRole) => appliesTo(autoRole, member.user.bot));
		if (configured.length === 0) return;
		if (member.pending && this.screening) {
			await this.screening.hold(guild.id, member.id, { autoroles: true });
			return;
		}
		const present = await this.dropDeletedRoles(guild, configured);
		const now = Date.now();
		for (const autoRole of present) {
			if (autoRole.delayMs === 0) {
				await this.give(guild, member.id, autoRole.roleId, 'Auto-role on join');
				continue;
			}
			const grant: PendingGrant = { guildId: guild.id, memberId: member.id, roleId: autoRole.roleId, dueAt: now + autoRole.delayMs };
			await this.storage.namespace<PendingGrant>(PENDING_GRANTS_NAMESPACE).set(grantKey(grant), grant);
			this.scheduler.add(grant);
		}
	}

	/** A member left: their delayed roles are no longer owed. */
	public memberLeft(guildId: string, memberId: string): Promise<void> {
		return this.cancel((grant) => grant.guildId === guildId && grant.memberId === memberId);
	}

	/** A role was deleted: drop it from the config (with a log line) and from the pending grants. */
	public async roleDeleted(guildId: string, roleId: string): Promise<void> {
		if (await this.remove(guildId, roleId))
			this.logger.info(`Auto-role ${roleId} dropped from the config of guild ${guildId}: the role was deleted.`);
	}

	private async dropDeletedRoles(guild: Guild, configured: AutoRole[]): Promise<AutoRole[]> {
		const present: AutoRole[] = [];
		// Deleted while the bot was offline, so no GUILD_ROLE_DELETE was seen.
		for (const autoRole of configured) {
			if (guild.roles.cache.has(autoRole.roleId)) present.push(autoRole);
			else await this.roleDeleted(guild.id, autoRole.roleId);
		}
		return present;
	}

	private async cancel(match: (grant: PendingGrant) => boolean): Promise<void> {
		const cancelled = this.scheduler.remove(match);
		const pending = this.storage.namespace<PendingGrant>(PENDING_GRANTS_NAMESPACE);
		for (const grant of cancelled) await pending.delete(grantKey(grant));
	}

	private async giveDelayed(grant: PendingGrant): Promise<void> {
		const guild = this.client.guilds.cache.get(grant.guildId);
		// Another shard's guild stays in storage for that shard; with one process, the bot has left the guild.
		if (!guild && this.client.shard) return;
		if (guild && guild.roles.cache.has(grant.roleId)) await this.give(guild, grant.memberId, grant.roleId, 'Delayed auto-role');
		else if (guild) await this.roleDeleted(guild.id, grant.roleId);
		await this.storage.namespace<PendingGrant>(PENDING_GRANTS_NAMESPACE).delete(grantKey(grant));
	}

	/** Gives one role; a failure is logged once per role and reason and kept for /data-status, never retried. */
	private async give(guild: Guild, memberId: string, roleId: string, reason: string): Promise<boolean> {
		// Checked against the cached permissions first: a grant Discord would refuse is not sent at every join.
		const role = guild.roles.cache.get(roleId);
		const refused = role ? roleProblem(role, guild) : null;
		if (refused) {
			this.noteProblem(guild, roleId, { key: 'autorole:grantFailed', vars: { role: role!.name, reason: refused } });
			return false;
		}
		try {
			await guild.members.addRole({ user: memberId, role: roleId, reason });
			return true;
		} catch (error) {
			if (error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.UnknownMember) return false;
			const name = guild.roles.cache.get(roleId)?.name ?? roleId;
			this.noteProblem(guild, roleId, { key: 'autorole:grantFailed', vars: { role: name, reason: describeError(error) } });
			return false;
		}
	}

	private noteProblem(guild: Guild, roleId: string, problem: Reason): void {
		const key = `${guild.id}:${roleId}`;
		if (JSON.stringify(this.problems.get(key)) !== JSON.stringify(problem)) this.logger.warn(`${logText(problem)} (guild ${guild.id})`);
		this.problems.delete(key);
		this.problems.set(key, problem);
	}
}

export class TooManyAutoRolesError extends Error {
	public override readonly name = 'TooManyAutoRolesError';
}

export type { AutoRole, AutoRoleTarget };
