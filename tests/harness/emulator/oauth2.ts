import { randomBytes } from 'node:crypto';
import { DiscordApiError, WithStatus, type Router } from './http.js';
import { basePermissions } from './permissions.js';
import type { EmulatorState } from './state.js';

/**
 * Discord's OAuth2 authorization code grant (discord-api-docs, topics/oauth2.mdx, Authorization Code Grant), enough
 * for a web dashboard's login: the consent page (`/oauth2/authorize`, on the web origin, outside `/api`), the token
 * exchange (`POST /api/v10/oauth2/token`, form-encoded, client credentials by Basic auth or in the body), and the
 * Bearer-token reads `/users/@me` (scope identify) and `/users/@me/guilds` (scope guilds).
 * There is no person to click "Authorize": a test chooses who consents (`consentAs`), or that the user cancels.
 */
export class OAuth2Emulator {
	/** The application's client secret (Discord portal, OAuth2, Client Secret). */
	public readonly clientSecret = randomBytes(24).toString('base64url');
	/** The portal's redirect list: Discord refuses any other redirect_uri. */
	public readonly redirectUris = new Set<string>();
	/** Who clicks "Authorize" next, or 'cancel' (the redirect then carries error=access_denied). */
	private consent: string | 'cancel' | null = null;
	private readonly codes = new Map<string, { userId: string; scopes: string[]; redirectUri: string; clientId: string }>();
	private readonly tokens = new Map<string, { userId: string; scopes: string[] }>();

	public constructor(private readonly state: EmulatorState) {}

	/** The user who consents at the next /oauth2/authorize; 'cancel' makes them press Cancel. */
	public consentAs(userId: string | 'cancel'): void {
		this.consent = userId;
	}

	/** The user and scopes of a live access token, or undefined. */
	public grant(token: string): { userId: string; scopes: string[] } | undefined {
		return this.tokens.get(token);
	}

	/**
	 * GET /oauth2/authorize: the consent page. Discord shows an error page for an unknown client_id or a redirect_uri
	 * not in the portal's list (no redirect: that would be an open redirector); otherwise, after consent, it redirects
	 * to redirect_uri with `code` and the same `state` ("Authorization Code Grant", Redirect URL Example).
	 */
	public authorize(query: URLSearchParams): { status: number; location?: string; body?: string } {
		const clientId = query.get('client_id');
		const redirectUri = query.get('redirect_uri') ?? '';
		if (clientId !== this.state.applicationId) return { status: 400, body: 'Unknown application (client_id)' };
		if (!this.redirectUris.has(redirectUri)) return { status: 400, body: 'Invalid OAuth2 redirect_uri' };
		if (query.get('response_type') !== 'code') return { status: 400, body: 'Unsupported response_type' };
		const scopes = (query.get('scope') ?? '').split(/[ +]/).filter(Boolean);
		const target = new URL(redirectUri);
		const state = query.get('state');
		if (state !== null) target.searchParams.set('state', state);
		const who = this.consent;
		if (who === null) return { status: 400, body: 'No test user chose to consent (emulator.oauth.consentAs)' };
		if (who === 'cancel') {
			target.searchParams.set('error', 'access_denied');
			target.searchParams.set('error_description', 'The resource owner or authorization server denied the request');
			return { status: 302, location: target.toString() };
		}
		const code = randomBytes(16).toString('hex');
		this.codes.set(code, { userId: who, scopes, redirectUri, clientId });
		target.searchParams.set('code', code);
		return { status: 302, location: target.toString() };
	}

	public register(router: Router): void {
		// The token endpoint authenticates the client, not a bot (topics/oauth2.mdx: "client_id and client_secret ...
		// may also be passed as basic authentication").
		router.add(
			'POST',
			'/oauth2/token',
			(request) => {
				const body = (request.body ?? {}) as Record<string, string | undefined>;
				const basic = /^Basic (.+)$/.exec(request.authorization ?? '')?.[1];
				const [basicId, basicSecret] = basic ? Buffer.from(basic, 'base64').toString('utf8').split(':') : [];
				const clientId = basicId ?? body.client_id;
				const secret = basicSecret ?? body.client_secret;
				// RFC 6749 5.2 errors, as Discord answers them.
				if (clientId !== this.state.applicationId || secret !== this.clientSecret) return new WithStatus(401, { error: 'invalid_client' });
				if (body.grant_type !== 'authorization_code') return new WithStatus(400, { error: 'unsupported_grant_type' });
				const grant = body.code === undefined ? undefined : this.codes.get(body.code);
				// A code works once, for the client and redirect_uri it was issued to.
				if (!grant || grant.clientId !== clientId || grant.redirectUri !== body.redirect_uri) {
					return new WithStatus(400, { error: 'invalid_grant', error_description: 'Invalid "code" in request.' });
				}
				this.codes.delete(body.code!);
				const accessToken = randomBytes(20).toString('hex');
				this.tokens.set(accessToken, { userId: grant.userId, scopes: grant.scopes });
				// Access Token Response: a week of validity, a refresh token, the granted scopes space-separated.
				return {
					access_token: accessToken,
					token_type: 'Bearer',
					expires_in: 604_800,
					refresh_token: randomBytes(20).toString('hex'),
					scope: grant.scopes.join(' ')
				};
			},
			{ needsBotAuth: false }
		);
		// Get Current User Guilds (resources/user.mdx): partial guilds with `owner` and the user's `permissions` there.
		router.add(
			'GET',
			'/users/@me/guilds',
			(request) => {
				const grant = this.requireScope(request.authorization, 'guilds');
				return [...this.state.guilds.values()]
					.filter((guild) => guild.members.has(grant.userId) || guild.ownerId === grant.userId)
					.map((guild) => ({
						id: guild.id,
						name: guild.name,
						icon: null,
						banner: null,
						owner: guild.ownerId === grant.userId,
						permissions: String(basePermissions(guild, grant.userId)),
						features: guild.community ? ['COMMUNITY'] : []
					}));
			},
			{ allowsBearer: true }
		);
	}

	/** A Bearer token with the scope a route needs; 401 otherwise (topics/oauth2.mdx, OAuth2 Scopes). */
	public requireScope(authorization: string | null, scope: string): { userId: string; scopes: string[] } {
		const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
		const grant = token === undefined ? undefined : this.tokens.get(token);
		if (!grant || !grant.scopes.includes(scope)) throw new DiscordApiError(401, 0, '401: Unauthorized');
		return grant;
	}
}
