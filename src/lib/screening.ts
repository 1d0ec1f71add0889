import type { ILogger } from '@sapphire/framework';
import { DiscordAPIError, RESTJSONErrorCodes, type Client, type GuildMember } from 'discord.js';
import type { Storage } from '../storage-adapters/types.js';
import type { JoinEvent } from './invites/records.js';
import { describeError } from './secrets.js';

/** Members still in rules screening / onboarding, key `<guildId>:<memberId>`, value a ScreeningHold. */
export const SCREENING_NAMESPACE = 'screening-holds';

/** What waits for a member who joined `pending` (server rules screening or onboarding) to pass it. */
export interface ScreeningHold {
	guildId: string;
	memberId: string;
	since: number;
	/** Their auto-roles (a delayed one's delay starts when they pass). */
	autoroles: boolean;
	/** Their welcome, with the join the invite tracker recorded; null when it does not wait. */
	welcome: Pick<JoinEvent, 'code' | 'inviterId'> | null;
}

/** Runs what was held once the member passed. */
export type ScreeningPassedHandler = (member: GuildMember, hold: ScreeningHold) => Promise<void>;

const holdKey = (guildId: string, memberId: string) => `${guildId}:${memberId}`;

/**
 * Discord gives a role to a pending member only to let them bypass screening (discord-api-docs #2479, #2652), so
 * roles (and, by a per-server setting, the welcome) wait for GUILD_MEMBER_UPDATE with `pending: false`. Holds are
 * stored before anything waits, so they outlive restarts; the keys stay in memory, so the frequent member updates
 * that concern nobody held cost no storage read.
 */
export class ScreeningHolds {
	public onPassed: ScreeningPassedHandler | null = null;

	private readonly held = new Set<string>();

	public constructor(
		private readonly storage: Storage,
		private readonly logger: ILogger
	) {}

	public async start(): Promise<number> {
		this.held.clear();
		for (const [key] of await this.storage.entries<ScreeningHold>(SCREENING_NAMESPACE)) this.held.add(key);
		return this.held.size;
	}

	public get size(): number {
		return this.held.size;
	}

	public has(guildId: string, memberId: string): boolean {
		return this.held.has(holdKey(guildId, memberId));
	}

	/** Holds (part of) what a pending member gets until they pass screening. */
	public async hold(guildId: string, memberId: string, what: Partial<Pick<ScreeningHold, 'autoroles' | 'welcome'>>): Promise<void> {
		const key = holdKey(guildId, memberId);
		await this.storage.update<ScreeningHold>(SCREENING_NAMESPACE, key, (current) => ({
			guildId,
			memberId,
			since: current?.since ?? Date.now(),
			autoroles: what.autoroles ?? current?.autoroles ?? false,
			welcome: what.welcome === undefined ? (current?.welcome ?? null) : what.welcome
		}));
		this.held.add(key);
		this.logger.debug(
			`Member ${memberId} of guild ${guildId} is in rules screening: ${what.welcome ? 'the welcome waits' : 'auto-roles wait'} until they pass it`
		);
	}

	/** A member update: if a held member is no longer pending, what waited for them runs now. */
	public async memberUpdated(member: GuildMember): Promise<void> {
		if (member.pending || !this.has(member.guild.id, member.id)) return;
		const hold = await this.take(member.guild.id, member.id);
		if (hold) await this.onPassed?.(member, hold);
	}

	/** A held member left: nothing is owed any more. */
	public async memberLeft(guildId: string, memberId: string): Promise<void> {
		if (this.has(guildId, memberId)) await this.take(guildId, memberId);
	}

	/** Members who passed screening (or left) while the bot was away sent no event it saw: asks Discord about each held one. */
	public async recheck(client: Client): Promise<void> {
		for (const key of [...this.held]) {
			const [guildId, memberId] = key.split(':') as [string, string];
			const guild = client.guilds.cache.get(guildId);
			if (!guild) continue;
			try {
				await this.memberUpdated(await guild.members.fetch({ user: memberId, force: true, cache: false }));
			} catch (error) {
				if (error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.UnknownMember) await this.memberLeft(guildId, memberId);
				else this.logger.warn(`Screening of member ${memberId} in guild ${guildId} could not be checked: ${describeError(error)}`);
			}
		}
	}

	/** Removes the hold (memory first, so a second event for the same member finds nothing) and returns it. */
	private async take(guildId: string, memberId: string): Promise<ScreeningHold | undefined> {
		const key = holdKey(guildId, memberId);
		this.held.delete(key);
		const namespace = this.storage.namespace<ScreeningHold>(SCREENING_NAMESPACE);
		const hold = await namespace.get(key);
		await namespace.delete(key);
		return hold;
	}
}
