// The one place where the Sapphire container learns our shared services.
import type { Config } from '../config.js';
import type { AutoRoleService } from './autorole/service.js';
import type { DashboardService } from './dashboard/service.js';
import type { GiveawayService } from './giveaways/service.js';
import type { InviteTracker } from './invites/tracker.js';
import type { ScreeningHolds } from './screening.js';
import type { RunningServices } from './shutdown.js';
import type { Storage } from '../storage-adapters/index.js';
import type { GreetingOrder } from './welcome/order.js';
import type { WelcomeCleanup } from './welcome/cleanup.js';
import type { WelcomeService } from './welcome/service.js';

declare module '@sapphire/pieces' {
	interface Container {
		/** Opened by the core plugin before login; see src/plugins/core. */
		storage: Storage;
		/** The validated configuration the bot was started with. */
		config: Config;
		/** Invite tracking, loaded from storage by the core plugin before login. */
		invites: InviteTracker;
		/** Welcome and goodbye messages; settings in the `settings` namespace. */
		welcome: WelcomeService;
		/** Deletes welcomes when their member leaves soon or their time is up; watched ones in `welcome-messages`. */
		welcomeCleanup: WelcomeCleanup;
		/** Keeps each member's goodbye after their welcome (src/lib/welcome/order.ts). */
		greetings: GreetingOrder;
		/** Auto-roles; delayed grants wait in the `autorole-pending` namespace. */
		autoroles: AutoRoleService;
		/** Giveaways in the `giveaways` namespace, host roles in `giveaway-config`; endings scheduled on ready. */
		giveaways: GiveawayService;
		/** What waits for members still in rules screening / onboarding, in the `screening-holds` namespace. */
		screening: ScreeningHolds;
		/** The web dashboard (DASHBOARD_PORT): sessions where it is served, and what every shard answers for its servers. */
		dashboard: DashboardService;
		/** Timer-driven services, stopped by shutdown (src/lib/shutdown.ts) before storage closes. */
		services: RunningServices;
	}
}

export {};
