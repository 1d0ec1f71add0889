/**
 * Routes live in the URL fragment (#/servers/123/welcome), so every page is one static index.html and a reload or a
 * shared link opens the same page without the server knowing the dashboard's routes.
 */
import { useEffect, useState } from 'preact/hooks';

export const GUILD_PAGES = ['overview', 'invites', 'welcome', 'autoroles', 'giveaways', 'data'] as const;
export type GuildPage = (typeof GUILD_PAGES)[number];

export type Route = { name: 'login' } | { name: 'servers' } | { name: 'guild'; guildId: string; page: GuildPage } | { name: 'notFound' };

export function parseRoute(hash: string): Route {
	const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
	if (parts.length === 0 || parts[0] === 'login') return { name: 'login' };
	if (parts[0] === 'servers' && parts.length === 1) return { name: 'servers' };
	if (parts[0] === 'servers' && /^\d{15,21}$/.test(parts[1] ?? '')) {
		const page = (parts[2] ?? 'overview') as GuildPage;
		if (parts.length <= 3 && GUILD_PAGES.includes(page)) return { name: 'guild', guildId: parts[1]!, page };
	}
	return { name: 'notFound' };
}

export const guildHref = (guildId: string, page: GuildPage = 'overview') => `#/servers/${guildId}/${page}`;

export function navigate(href: string): void {
	if (location.hash !== href) location.hash = href;
}

export function useRoute(): Route {
	const [route, setRoute] = useState(() => parseRoute(location.hash));
	useEffect(() => {
		const onChange = () => setRoute(parseRoute(location.hash));
		window.addEventListener('hashchange', onChange);
		return () => window.removeEventListener('hashchange', onChange);
	}, []);
	return route;
}
