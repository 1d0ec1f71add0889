import type { DashboardConfig } from '../../config.js';
import { DashboardSessions } from './sessions.js';

/** The dashboard's state on the container: config, sessions and rate limits; started and stopped with the bot. */
export class DashboardService {
	public readonly sessions = new DashboardSessions();
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
 * (the others would fail to bind the same port). Its guild list therefore holds shard 0's guilds only.
 */
export function dashboardServedHere(env: NodeJS.ProcessEnv = process.env): boolean {
	return (Number(env.SHARDS) || 0) === 0;
}
