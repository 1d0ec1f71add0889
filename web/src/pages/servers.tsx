import { Avatar, ErrorNotice, Loading } from '../components/ui.js';
import { useApi } from '../hooks.js';
import { t } from '../i18n.js';
import { guildHref } from '../router.js';
import type { GuildSummary } from '../types.js';

export function ServersPage() {
	const guilds = useApi<{ guilds: GuildSummary[] }>('/guilds');
	return (
		<main id="main" class="servers" tabIndex={-1}>
			<h1 id="page-title">{t('dashboard:servers.title')}</h1>
			<p class="muted">{t('dashboard:servers.description')}</p>
			{guilds.loading && !guilds.data && <Loading />}
			{guilds.error && <ErrorNotice error={guilds.error} />}
			{guilds.data && guilds.data.guilds.length === 0 && (
				<div class="card empty">
					<h2>{t('dashboard:servers.emptyTitle')}</h2>
					<p>{t('dashboard:servers.empty')}</p>
				</div>
			)}
			{guilds.data && guilds.data.guilds.length > 0 && (
				<ul class="server-grid" aria-labelledby="page-title">
					{guilds.data.guilds.map((guild) => (
						<li key={guild.id}>
							<a class="server-card" href={guildHref(guild.id)}>
								<Avatar url={guild.iconUrl} name={guild.name} large />
								<span>
									<strong>{guild.name}</strong>
									<span class="muted small">{t('dashboard:servers.members', { count: guild.memberCount })}</span>
								</span>
							</a>
						</li>
					))}
				</ul>
			)}
		</main>
	);
}
