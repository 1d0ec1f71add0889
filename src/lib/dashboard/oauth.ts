import { z } from 'zod';
import type { DashboardConfig } from '../../config.js';
import type { DashboardUser } from './sessions.js';

/** Scopes the dashboard asks for: who the user is, and their servers (discord-api-docs topics/oauth2.mdx, OAuth2 Scopes). */
export const DASHBOARD_SCOPES = ['identify', 'guilds'] as const;

/** The path Discord sends the browser back to; DASHBOARD_URL + this is the redirect to register in the portal. */
export const CALLBACK_PATH = '/oauth/callback';

export function redirectUri(dashboard: DashboardConfig): string {
	return `${dashboard.url}${CALLBACK_PATH}`;
}

/**
 * Discord's OAuth2 URLs (topics/oauth2.mdx, Shared Resources): the authorization page lives on the web origin
 * (https://discord.com/oauth2/authorize), the token exchange under the API. With DISCORD_API_URL (a REST proxy or
 * the test emulator) both move to that host, so the whole login can be exercised locally.
 */
export function oauthUrls(apiUrl: string | null): { authorize: string; token: string; me: string } {
	const api = apiUrl ?? 'https://discord.com/api';
	const web = apiUrl === null ? 'https://discord.com' : new URL(apiUrl).origin;
	return { authorize: `${web}/oauth2/authorize`, token: `${api}/v10/oauth2/token`, me: `${api}/v10/users/@me` };
}

export function authorizeUrl(dashboard: DashboardConfig, apiUrl: string | null, state: string): string {
	const params = new URLSearchParams({
		response_type: 'code',
		client_id: dashboard.clientId,
		scope: DASHBOARD_SCOPES.join(' '),
		redirect_uri: redirectUri(dashboard),
		state,
		// Ask again on every login: the user sees which account they are giving the dashboard.
		prompt: 'consent'
	});
	return `${oauthUrls(apiUrl).authorize}?${params}`;
}

/** Access Token Response (topics/oauth2.mdx, Authorization Code Grant). */
const tokenResponse = z.object({
	access_token: z.string().min(1),
	token_type: z.string(),
	expires_in: z.number().positive(),
	scope: z.string()
});

const userResponse = z.object({
	id: z.string(),
	username: z.string(),
	global_name: z.string().nullable().optional(),
	avatar: z.string().nullable()
});

export class OAuthError extends Error {
	public override readonly name = 'OAuthError';
}

/** Exchanges the code for a token, then reads the user; the secret goes only to Discord's token endpoint. */
export async function completeLogin(
	dashboard: DashboardConfig,
	apiUrl: string | null,
	code: string
): Promise<{ user: DashboardUser; accessToken: string; expiresIn: number }> {
	const urls = oauthUrls(apiUrl);
	const exchange = await fetch(urls.token, {
		method: 'POST',
		headers: {
			'content-type': 'application/x-www-form-urlencoded',
			authorization: `Basic ${Buffer.from(`${dashboard.clientId}:${dashboard.clientSecret}`).toString('base64')}`
		},
		body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri(dashboard) }),
		signal: AbortSignal.timeout(10_000)
	});
	if (!exchange.ok) throw new OAuthError(`Discord refused the authorization code (HTTP ${exchange.status})`);
	const token = tokenResponse.safeParse(await exchange.json());
	if (!token.success) throw new OAuthError('Discord answered the token exchange with an unexpected body');
	const scopes = token.data.scope.split(' ');
	if (!scopes.includes('identify')) throw new OAuthError('the identify scope was not granted');

	const me = await fetch(urls.me, { headers: { authorization: `Bearer ${token.data.access_token}` }, signal: AbortSignal.timeout(10_000) });
	if (!me.ok) throw new OAuthError(`Discord did not give the user (HTTP ${me.status})`);
	const user = userResponse.safeParse(await me.json());
	if (!user.success) throw new OAuthError('Discord answered /users/@me with an unexpected body');
	return {
		user: { id: user.data.id, username: user.data.username, globalName: user.data.global_name ?? null, avatar: user.data.avatar },
		accessToken: token.data.access_token,
		expiresIn: token.data.expires_in
	};
}
