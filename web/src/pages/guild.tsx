import { useEffect } from 'preact/hooks';
import { Icon, type IconName } from '../components/icons.js';
import { Avatar, ErrorNotice, Loading, MessagePage, Notice } from '../components/ui.js';
import { useApi } from '../hooks.js';
import { t } from '../i18n.js';
import { GUILD_PAGES, guildHref, type GuildPage } from '../router.js';
import type { GuildSummary, Session } from '../types.js';
import { AutorolesPage } from './autoroles.js';
import { DataPage } from './data.js';
import { GiveawaysPage } from './giveaways.js';
import { InvitesPage } from './invites.js';
import { OverviewPage } from './overview.js';
import { WelcomePage } from './welcome.js';

const PAGE_ICONS: Record<GuildPage, IconName> = {
	overview: 'overview',
	invites: 'invites',
	welcome: 'welcome',
	autoroles: 'autoroles',
	giveaways: 'giveaways',
	data: 'data'
};

export interface GuildPageProps {
	guild: GuildSummary;
	session: Session;
}

export function GuildShell({
	guildId,
	page,
	session,
	onLanguage
}: {
	guildId: string;
	page: GuildPage;
	session: Session;
	onLanguage: (language: string | null) => void;
}) {
	const guilds = useApi<{ guilds: GuildSummary[] }>('/guilds');
	const guild = guilds.data?.guilds.find((candidate) => candidate.id === guildId) ?? null;
	const language = guild?.language ?? null;
	useEffect(() => {
		if (language) onLanguage(language);
	}, [language, onLanguage]);

	useEffect(() => {
		document.title = guild ? `${t(`dashboard:nav.${page}`)} · ${guild.name} · Supreme Bot` : 'Supreme Bot';
	}, [guild, page, language]);

	if (guilds.loading && !guilds.data) return <Loading />;
	if (guilds.error) {
		return (
			<main id="main" class="main" tabIndex={-1}>
				<ErrorNotice error={guilds.error} />
			</main>
		);
	}
	if (!guild) {
		return (
			<MessagePage
				title={t('dashboard:servers.noAccessTitle')}
				text={t('dashboard:servers.noAccess')}
				href="#/servers"
				action={t('dashboard:servers.title')}
			/>
		);
	}
	const props: GuildPageProps = { guild, session };
	return (
		<div class="layout">
			<aside class="sidebar">
				<a class="guild-switch" href="#/servers" aria-label={t('dashboard:shell.switchServer', { server: guild.name })}>
					<Avatar url={guild.iconUrl} name={guild.name} />
					<span class="stack-tight">
						<span class="guild-switch-name">{guild.name}</span>
						<span class="guild-switch-hint">{t('dashboard:shell.switch')}</span>
					</span>
				</a>
				<nav aria-label={t('dashboard:shell.navigation')}>
					<ul class="nav">
						{GUILD_PAGES.map((name) => (
							<li key={name}>
								<a href={guildHref(guild.id, name)} aria-current={name === page ? 'page' : undefined}>
									<Icon name={PAGE_ICONS[name]} />
									{t(`dashboard:nav.${name}`)}
								</a>
							</li>
						))}
					</ul>
				</nav>
			</aside>
			<main id="main" class="main" tabIndex={-1} key={`${guild.id}-${page}`}>
				{page === 'overview' && <OverviewPage {...props} />}
				{page === 'invites' && <InvitesPage {...props} />}
				{page === 'welcome' && <WelcomePage {...props} />}
				{page === 'autoroles' && <AutorolesPage {...props} />}
				{page === 'giveaways' && <GiveawaysPage {...props} />}
				{page === 'data' && <DataPage {...props} />}
				{!GUILD_PAGES.includes(page) && <Notice tone="warning">{t('dashboard:errors.pageNotFound')}</Notice>}
			</main>
		</div>
	);
}
