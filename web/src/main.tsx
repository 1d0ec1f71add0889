import { render } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { get, post, setCsrfToken } from './api.js';
import { Avatar, Button, Loading, MessagePage } from './components/ui.js';
import { BrandMark, Icon } from './components/icons.js';
import { type Toast, ToastContext } from './hooks.js';
import { browserLanguage, currentLanguage, initI18n, type Language, languageFor, setLanguage, t } from './i18n.js';
import { LoginPage } from './pages/login.js';
import { ServersPage } from './pages/servers.js';
import { GuildShell } from './pages/guild.js';
import { navigate, useRoute } from './router.js';
import type { Session } from './types.js';

const THEME_KEY = 'supreme-theme';

function useTheme(): [string, () => void] {
	const [theme, setTheme] = useState(
		() => localStorage.getItem(THEME_KEY) ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light')
	);
	useEffect(() => {
		document.documentElement.dataset.theme = theme;
	}, [theme]);
	const toggle = useCallback(() => {
		setTheme((current) => {
			const next = current === 'dark' ? 'light' : 'dark';
			localStorage.setItem(THEME_KEY, next);
			return next;
		});
	}, []);
	return [theme, toggle];
}

function Topbar({ session, theme, onToggleTheme, onLogout }: { session: Session; theme: string; onToggleTheme: () => void; onLogout: () => void }) {
	return (
		<header class="topbar">
			<a class="brand" href={session.user ? '#/servers' : '#/'}>
				<BrandMark />
				<span>Supreme Bot</span>
			</a>
			<span class="topbar-spacer" />
			<Button
				variant="ghost"
				icon={theme === 'dark' ? 'sun' : 'moon'}
				aria-label={theme === 'dark' ? t('dashboard:shell.lightTheme') : t('dashboard:shell.darkTheme')}
				title={theme === 'dark' ? t('dashboard:shell.lightTheme') : t('dashboard:shell.darkTheme')}
				onClick={onToggleTheme}
			/>
			{session.user && (
				<>
					<span class="user-chip">
						<Avatar url={session.user.avatarUrl} name={session.user.globalName ?? session.user.username} />
						<span>{session.user.globalName ?? session.user.username}</span>
					</span>
					<Button variant="ghost" icon="logout" onClick={onLogout}>
						{t('dashboard:shell.logout')}
					</Button>
				</>
			)}
		</header>
	);
}

function App() {
	const route = useRoute();
	const [session, setSession] = useState<Session | null>(null);
	const [failed, setFailed] = useState(false);
	const [theme, toggleTheme] = useTheme();
	const [toasts, setToasts] = useState<Toast[]>([]);

	const toast = useCallback((tone: Toast['tone'], text: string) => {
		const id = Date.now() + Math.random();
		setToasts((current) => [...current, { id, tone, text }]);
		setTimeout(() => setToasts((current) => current.filter((item) => item.id !== id)), tone === 'error' ? 8000 : 4000);
	}, []);

	useEffect(() => {
		get<Session>('/session').then(
			(value) => {
				setCsrfToken(value.csrfToken);
				setSession(value);
			},
			() => setFailed(true)
		);
	}, []);

	// Logged out: every page is the login page; logged in: the login page is the server list.
	useEffect(() => {
		if (!session) return;
		if (!session.user && route.name !== 'login') navigate('#/');
		if (session.user && route.name === 'login') navigate('#/servers');
	}, [session, route.name]);

	// Outside a server the page speaks the browser's language; a server page switches to the server's. The texts load
	// first; then the state change renders every page again in the new language (the last choice wins a race).
	const [, setRenderedLanguage] = useState<Language>(currentLanguage());
	const wantedLanguage = useRef<Language>(currentLanguage());
	const switchLanguage = useCallback((language: Language) => {
		wantedLanguage.current = language;
		void setLanguage(language).then(() => {
			if (wantedLanguage.current === language) setRenderedLanguage(language);
		});
	}, []);
	useEffect(() => {
		if (route.name !== 'guild') switchLanguage(browserLanguage());
	}, [route.name, switchLanguage]);

	const logout = async () => {
		try {
			await post('/oauth/logout');
		} finally {
			setCsrfToken(null);
			setSession({ user: null, csrfToken: null, isOwner: false });
			navigate('#/');
		}
	};

	const onGuildLanguage = useCallback((language: string | null) => switchLanguage(languageFor(language) ?? browserLanguage()), [switchLanguage]);

	let content;
	if (failed) content = <Loading label={t('dashboard:errors.unreachable')} />;
	else if (!session) content = <Loading />;
	else if (!session.user || route.name === 'login') content = <LoginPage />;
	else if (route.name === 'servers') content = <ServersPage />;
	else if (route.name === 'guild')
		content = <GuildShell guildId={route.guildId} page={route.page} session={session} onLanguage={onGuildLanguage} />;
	else content = <MessagePage title={t('dashboard:errors.pageNotFound')} href="#/servers" action={t('dashboard:servers.title')} />;

	return (
		<ToastContext.Provider value={toast}>
			<a class="skip-link" href="#main" onClick={skipToMain}>
				{t('dashboard:shell.skip')}
			</a>
			<Topbar
				session={session ?? { user: null, csrfToken: null, isOwner: false }}
				theme={theme}
				onToggleTheme={toggleTheme}
				onLogout={logout}
			/>
			{content}
			<div class="toasts" aria-live="polite">
				{toasts.map((item) => (
					<div key={item.id} class={`toast toast-${item.tone}`} role={item.tone === 'error' ? 'alert' : 'status'}>
						<Icon name={item.tone === 'error' ? 'alert' : 'check'} />
						<p>{item.text}</p>
					</div>
				))}
			</div>
		</ToastContext.Provider>
	);
}

/** The skip link moves focus to the content without changing the route (routes live in the fragment). */
function skipToMain(event: MouseEvent) {
	event.preventDefault();
	document.getElementById('main')?.focus();
}

void initI18n(browserLanguage()).then(() => render(<App />, document.getElementById('app')!));
