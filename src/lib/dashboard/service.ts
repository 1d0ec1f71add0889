import type { DashboardConfig } from '../../config.js';
import { DashboardSessions } from './sessions.js';
import { DashboardBridge, DashboardShards } from './shards.js';

/**
 * The dashboard's state on the container: config, sessions and rate limits (used where it is served), and what
 * every process answers for its own servers; started and stopped with the bot.
 */
export class DashboardService {
	public readonly sessions = new DashboardSessions();
	public readonly bridge = new DashboardBridge();
	/** Where a server's calls run: here, or on the shard that holds it. */
	public readonly shards = new DashboardShards(this.bridge);
	/** Cookies get `Secure` when the public URL is https (behind a TLS-terminating reverse proxy too). */
	public readonly secureCookies: boolean;

	public constructor(
		public readonly config: DashboardConfig,
		/** DISCORD_API_URL: where OAuth2 goes too (the emulator in tests). */
		public readonly apiUrl: string | null,
		public readonly ownerIds: readonly string[]
	) {
		this.secureCookies = config.url.startsWith('https:');
	}

	public isOwner(userId: string): boolean {
		return this.ownerIds.includes(userId);
	}

	public start(): void {
		this.sessions.start();
	}

	public stop(): void {
		this.sessions.stop();
	}
}

/**
 * Under `npm run start:sharded` every shard is a process with the same config: only shard 0 serves the dashboard
 * (the others would fail to bind the same port). The others load the same routes and answer the calls shard 0
 * forwards for their servers (src/lib/dashboard/shards.ts).
 */
export function dashboardServedHere(env: NodeJS.ProcessEnv = process.env): boolean {
	return (Number(env.SHARDS) || 0) === 0;
}
