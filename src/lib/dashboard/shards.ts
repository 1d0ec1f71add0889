import { container } from '@sapphire/framework';
import { fetchLanguage, fetchT } from '@sapphire/plugin-i18next';
import { ShardClientUtil, type Client, type Guild, type Serialized } from 'discord.js';
import type { TFunction } from 'i18next';
import { guildLanguage } from '../i18n/guild-language.js';
import { describeError } from '../secrets.js';
import { canManage } from './access.js';
import { ApiError } from './http.js';
import { DashboardRoute, type DashboardAnswer, type DashboardCall } from './route.js';
import { guildSummary } from './views.js';

/** How long a shard may take to answer a forwarded call (a preview renders a card) before it counts as away. */
const FORWARD_TIMEOUT_MS = 10_000;
const SNOWFLAKE = /^\d{17,20}$/;

export type GuildEntry = ReturnType<typeof guildSummary> & { language: string };

/**
 * What every process offers the dashboard, from its own view of its own servers. Shard 0 reaches another shard's
 * through broadcastEval, whose function is source text run there with that shard's client: so it is attached to the
 * client (`client.dashboardBridge`), not imported.
 */
export class DashboardBridge {
	/** A forwarded call: the same `answer` as a request served here. */
	public async answer(call: DashboardCall): Promise<DashboardAnswer> {
		this.ensureReady();
		const route = container.stores.get('routes').get(call.route);
		// Only guild routes travel: the others' checks (session, owner) are made where the request arrived.
		if (!(route instanceof DashboardRoute) || route.access !== 'guild') throw new Error(`no guild route named ${call.route}`);
		const answer = await route.answer(call, null);
		if (answer === undefined) throw new Error(`route ${call.route} answered without JSON`);
		return answer;
	}

	/** Those of `guildIds` that this process holds and `userId` may manage, by its own view. */
	public async guilds(guildIds: readonly string[], userId: string): Promise<GuildEntry[]> {
		this.ensureReady();
		const present = guildIds
			.map((id) => container.client.guilds.cache.get(id))
			.filter((guild): guild is Guild => guild !== undefined && guild.available);
		const entries = await Promise.all(
			present.map(async (guild) => ((await canManage(guild, userId)) ? { ...guildSummary(guild), language: await fetchLanguage(guild) } : null))
		);
		return entries.filter((entry) => entry !== null);
	}

	/** Before ready the guild cache is not complete yet: "not there" would be a false answer. */
	private ensureReady(): void {
		if (!container.client.isReady()) throw new Error('this shard is not ready');
	}
}

/** A forwarded call that got no answer in time: the shard is alive (or was) and may still act on it. */
class ShardTimeout extends Error {
	public constructor(timeoutMs: number) {
		super(`no answer within ${timeoutMs} ms`);
	}
}

/** The client as shard 0's broadcastEval functions see it in another shard. */
export type BridgedClient = Client & { dashboardBridge: DashboardBridge };

/**
 * Where each server's calls run: here, or (under `npm run start:sharded`) on the shard that holds the server, which
 * discord.js computes from the id (topics/gateway.mdx, Sharding: shard_id = (guild_id >> 22) % num_shards).
 */
export class DashboardShards {
	public constructor(private readonly bridge: DashboardBridge) {}

	/** A `guild` route's call, answered by the server's shard (checks and handler there). */
	public async answer(guildId: string, call: DashboardCall): Promise<DashboardAnswer> {
		const shard = this.shardOf(guildId);
		if (shard === null) return this.bridge.answer(call);
		return this.onShard(shard, (client, context) => (client as BridgedClient).dashboardBridge.answer(context), call, FORWARD_TIMEOUT_MS).catch(
			(error: unknown) => {
				// A write that reached a slow shard may still be made there: "unavailable" would invite a second click.
				if (error instanceof ShardTimeout && call.method !== 'GET') {
					container.logger.warn(`Dashboard: shard ${shard} did not answer ${call.method} ${call.route} in time; it may still be applied`);
					throw new ApiError(504, 'shard_timeout', 'dashboard:shardTimeout');
				}
				throw this.unavailable(shard, `answer ${call.method} ${call.route}`, error);
			}
		);
	}

	/** The user's servers that the bot is in and the user may manage, from every shard that holds one, by name. */
	public async guilds(guildIds: readonly string[], userId: string): Promise<GuildEntry[]> {
		const byShard = new Map<number | null, string[]>();
		for (const id of guildIds) {
			const shard = this.shardOf(id);
			byShard.set(shard, [...(byShard.get(shard) ?? []), id]);
		}
		const answers = await Promise.all(
			[...byShard].map(async ([shard, ids]) => {
				if (shard === null) return this.bridge.guilds(ids, userId);
				const script = (client: Client, asked: { ids: string[]; userId: string }) =>
					(client as BridgedClient).dashboardBridge.guilds(asked.ids, asked.userId);
				return this.onShard(shard, script, { ids, userId }, FORWARD_TIMEOUT_MS).catch((error: unknown) => {
					// Not a list without that shard's servers: the user would think them gone.
					throw this.unavailable(shard, 'list its servers', error);
				});
			})
		);
		return answers.flat().sort((a, b) => a.name.localeCompare(b.name));
	}

	/**
	 * The language of an answer about a server that did not come from its shard (a refusal before the call left, a
	 * shard away): from this process' view or the /language choice in storage, never by asking the shard (a refusal
	 * must cost no cross-shard call, and the shard may be the one that is away).
	 */
	public async translator(guildId: string): Promise<TFunction> {
		const { client, i18n, config, storage } = container;
		const guild = client.guilds.cache.get(guildId);
		if (guild) return fetchT(guild);
		// A Community server's preferred locale is known only to its shard.
		const stored = SNOWFLAKE.test(guildId)
			? await guildLanguage(storage, { id: guildId, preferredLocale: '', features: [] }, config.defaultLanguage).catch(() => null)
			: null;
		return i18n.getT(stored ?? config.defaultLanguage);
	}

	/** The shard that holds the server, or null when it is this process (or the id is no snowflake: on no shard). */
	private shardOf(guildId: string): number | null {
		const { shard } = container.client;
		if (shard === null || !SNOWFLAKE.test(guildId)) return null;
		const id = ShardClientUtil.shardIdForGuildId(guildId, shard.count);
		return shard.ids.includes(id) ? null : id;
	}

	private unavailable(shard: number, what: string, error: unknown): ApiError {
		container.logger.warn(`Dashboard: shard ${shard} did not ${what}: ${describeError(error)}`);
		return new ApiError(503, 'shard_unavailable', 'dashboard:shardUnavailable');
	}

	/** `script` runs as source text in the other shard's process: it may use only its two arguments, no imports. */
	private async onShard<Context, Result>(
		shard: number,
		script: (client: Client, context: Serialized<Context>) => Promise<Result>,
		context: Context,
		timeoutMs: number
	): Promise<Result> {
		let timer: NodeJS.Timeout | undefined;
		const timeout = new Promise<never>((_, reject) => {
			timer = setTimeout(() => reject(new ShardTimeout(timeoutMs)), timeoutMs);
		});
		try {
			// A shard that died has no process (an error at once); one that dies mid-call never answers (the timer).
			return await Promise.race([container.client.shard!.broadcastEval(script, { shard, context }) as Promise<Result>, timeout]);
		} finally {
			clearTimeout(timer);
		}
	}
}
