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
		/** Keeps each member's goodbye after their welcome (src/lib/welcome/order.ts). */
		greetings: GreetingOrder;
		/** Auto-roles; delayed grants wait in the `autorole-pending` namespace. */
		autoroles: AutoRoleService;
		/** Giveaways in the `giveaways` namespace, host roles in `giveaway-config`; endings scheduled on ready. */
		giveaways: GiveawayService;
		/** What waits for members still in rules screening / onboarding, in the `screening-holds` namespace. */
		screening: ScreeningHolds;
		/** The web dashboard's sessions and settings; only set in the process that serves it (DASHBOARD_PORT). */
		dashboard: DashboardService;
		/** Timer-driven services, stopped by shutdown (src/lib/shutdown.ts) before storage closes. */
		services: RunningServices;
	}
}

export {};
