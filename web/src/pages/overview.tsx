import { JoinLeaveChart, MeterBar } from '../components/chart.js';
import { Card, ErrorNotice, Loading, Notice, PageHeader, Stat } from '../components/ui.js';
import { useApi } from '../hooks.js';
import { formatNumber, t } from '../i18n.js';
import { guildHref } from '../router.js';
import type { Overview } from '../types.js';
import type { GuildPageProps } from './guild.js';
import { InviterName } from './invites.js';

export function OverviewPage({ guild }: GuildPageProps) {
	const overview = useApi<Overview>(`/guilds/${guild.id}/overview`);
	if (overview.error) return <ErrorNotice error={overview.error} />;
	if (!overview.data) return <Loading />;
	const { membersTracked, days, topInviters, problems } = overview.data;
	const joins = days.reduce((sum, day) => sum + day.joins, 0);
	const leaves = days.reduce((sum, day) => sum + day.leaves, 0);
	const net = joins - leaves;
	const best = Math.max(1, ...topInviters.map((inviter) => inviter.total));

	return (
		<>
			<PageHeader title={t('dashboard:overview.title')} description={t('dashboard:overview.description', { server: guild.name })} />
			<div class="grid grid-4">
				<Stat label={t('dashboard:overview.members')} value={formatNumber(overview.data.guild.memberCount)} />
				<Stat label={t('dashboard:overview.tracked')} value={formatNumber(membersTracked)} hint={t('dashboard:overview.trackedHint')} />
				<Stat label={t('dashboard:overview.joins30')} value={formatNumber(joins)} hint={t('dashboard:overview.last30')} />
				<Stat
					label={t('dashboard:overview.net30')}
					value={`${net > 0 ? '+' : ''}${formatNumber(net)}`}
					hint={t('dashboard:overview.leavesCount', { count: leaves })}
				/>
			</div>
			<div class="grid grid-3 section">
				<Card class="span-2" title={t('dashboard:overview.chartTitle')} description={t('dashboard:overview.chartDescription')}>
					<JoinLeaveChart days={days} />
				</Card>
				<Card title={t('dashboard:overview.problems')}>
					{problems.length === 0 ? (
						<Notice tone="success">{t('dashboard:overview.noProblems')}</Notice>
					) : (
						<div class="stack">
							{problems.map((problem) => (
								<Notice key={problem.code} tone={problem.severity === 'error' ? 'danger' : 'warning'}>
									{problem.message}
								</Notice>
							))}
						</div>
					)}
				</Card>
				<Card
					class="span-3"
					title={t('dashboard:overview.topInviters')}
					actions={
						<a class="button button-small" href={guildHref(guild.id, 'invites')}>
							{t('dashboard:overview.fullLeaderboard')}
						</a>
					}
				>
					{topInviters.length === 0 ? (
						<p class="empty">{t('dashboard:invites.emptyLeaderboard')}</p>
					) : (
						<ol class="list">
							{topInviters.map((inviter, index) => (
								<li key={inviter.userId}>
									<span class={`rank rank-${index + 1}`}>{index + 1}</span>
									<span class="grow stack-tight">
										<InviterName inviter={inviter} />
										<MeterBar
											value={inviter.total}
											max={best}
											label={t('dashboard:invites.totalCount', { count: inviter.total })}
										/>
									</span>
									<strong class="num">{t('dashboard:invites.totalCount', { count: inviter.total })}</strong>
								</li>
							))}
						</ol>
					)}
				</Card>
			</div>
		</>
	);
}
