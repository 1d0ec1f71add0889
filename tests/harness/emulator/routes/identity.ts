import { notFound, type Router } from '../http.js';
import type { OAuth2Emulator } from '../oauth2.js';
import type { World } from '../world.js';

export interface IdentityOptions {
	gatewayUrl: () => string;
	shardCount: number;
	applicationOwnerId: string;
	oauth: OAuth2Emulator;
}

/** Who the bot is: gateway info, users, the application. */
export function registerIdentityRoutes(router: Router, world: World, options: IdentityOptions): void {
	const { state } = world;
	router.add('GET', '/gateway', () => ({ url: options.gatewayUrl() }), { needsBotAuth: false });
	router.add('GET', '/gateway/bot', () => ({
		url: options.gatewayUrl(),
		shards: options.shardCount,
		session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 }
	}));
	// The current user carries the private fields too (docs/resources/User.md, User Object: mfa_enabled, locale,
	// verified, flags; discord-api-spec's UserPIIResponse requires mfa_enabled and locale).
	// With a user's Bearer token (scope identify, topics/oauth2.mdx), the user who consented; else the bot.
	router.add(
		'GET',
		'/users/@me',
		(request) => {
			const user = request.token === null ? state.user(options.oauth.requireScope(request.authorization, 'identify').userId)! : state.botUser;
			return { ...user, mfa_enabled: false, locale: 'en-US', verified: true, flags: user.flags ?? 0 };
		},
		{ allowsBearer: true }
	);
	router.add('GET', '/users/:userId', (request) => {
		const user = state.user(request.params.userId!);
		if (!user) throw notFound(10013, 'User');
		return user;
	});
	const application = () => ({
		id: state.applicationId,
		name: state.botUser.username,
		icon: null,
		description: '',
		summary: '',
		type: null,
		bot: state.botUser,
		bot_public: true,
		bot_require_code_grant: false,
		verify_key: '0'.repeat(64),
		owner: state.user(options.applicationOwnerId),
		team: null,
		flags: state.applicationFlags,
		// Required in discord-api-spec's PrivateApplicationResponse: the flags again as a string, the user-install counts,
		// the content filter (0, disabled) and the OAuth2 scopes it may ask for.
		flags_new: String(state.applicationFlags),
		approximate_user_install_count: 0,
		approximate_user_authorization_count: 0,
		explicit_content_filter: 0,
		eligible_oauth2_scopes: [],
		approximate_guild_count: state.guilds.size,
		redirect_uris: [],
		interactions_endpoint_url: null,
		role_connections_verification_url: null,
		tags: [],
		integration_types_config: { '0': {} }
	});
	router.add('GET', '/applications/@me', application);
	router.add('GET', '/oauth2/applications/@me', application);
}
