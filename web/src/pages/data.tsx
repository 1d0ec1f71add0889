import { useState } from 'preact/hooks';
import { API_BASE, post } from '../api.js';
import { Icon } from '../components/icons.js';
import { Badge, Button, Card, Dialog, ErrorNotice, errorText, Field, Loading, Notice, PageHeader, Stat } from '../components/ui.js';
import { useAction, useApi } from '../hooks.js';
import { formatBytes, formatDate, formatNumber, formatRelative, t } from '../i18n.js';
import type { Backup, DataStatus } from '../types.js';
import type { GuildPageProps } from './guild.js';

/** `manual-<user id>` names who made it: the page says "manual" (the id means nothing to a reader). */
const backupReason = (reason: string) => reason.replace(/-\d{15,21}$/, '');

const recordTotal = (counts: Record<string, number>) => Object.values(counts).reduce((sum, count) => sum + count, 0);

export function DataPage({ guild }: GuildPageProps) {
	const data = useApi<DataStatus>(`/guilds/${guild.id}/data`);
	const [restoring, setRestoring] = useState<Backup | null>(null);
	const [typed, setTyped] = useState('');
	const { busy, run } = useAction();

	if (data.error) return <ErrorNotice error={data.error} />;
	if (!data.data) return <Loading />;
	const { storage: status, guild: facts } = data.data;
	const backups = data.data.backups ?? [];
	const { isOwner } = data.data;

	const makeBackup = async () => {
		if (await run(() => post('/data/backups'), t('dashboard:data.backupMade'), errorText)) data.reload();
	};
	const restore = async (event: Event) => {
		event.preventDefault();
		if (!restoring) return;
		const done = await run(
			() => post('/data/restore', { backupId: restoring.id, confirm: typed }),
			t('dashboard:data.restored', { id: restoring.id }),
			errorText
		);
		if (done) {
			setRestoring(null);
			setTyped('');
			data.reload();
		}
	};

	return (
		<>
			<PageHeader
				title={t('dashboard:data.title')}
				description={t('dashboard:data.description')}
				actions={
					isOwner && (
						<div class="row">
							<a class="button" href={`${API_BASE}/data/export`} download>
								<Icon name="download" />
								{t('dashboard:data.export')}
							</a>
							<Button variant="primary" icon="plus" disabled={busy} onClick={makeBackup}>
								{t('dashboard:data.makeBackup')}
							</Button>
						</div>
					)
				}
			/>
			{!isOwner && <Notice>{t('dashboard:data.ownerOnly')}</Notice>}
			<div class="grid grid-4 section">
				<div class="card stat">
					<span class="stat-label">{t('dashboard:data.health')}</span>
					<span class="stat-value">
						{status.healthy ? (
							<Badge tone="success">{t('dashboard:data.healthy')}</Badge>
						) : (
							<Badge tone="danger">{t('dashboard:data.unhealthy')}</Badge>
						)}
					</span>
					<span class="stat-hint">{t('dashboard:data.adapter', { adapter: status.adapter })}</span>
				</div>
				<Stat
					label={t('dashboard:data.records')}
					value={formatNumber(status.totalRecords)}
					hint={t('dashboard:data.namespaces', { count: Object.keys(status.counts).length })}
				/>
				<Stat label={t('dashboard:data.size')} value={formatBytes(status.sizeBytes)} />
				<Stat
					label={t('dashboard:data.lastBackup')}
					value={
						status.lastBackup
							? formatRelative(new Date(status.lastBackup.createdAt).getTime(), { style: 'short' })
							: t('dashboard:data.never')
					}
					hint={
						status.lastWriteAt
							? t('dashboard:data.lastWrite', { when: formatRelative(new Date(status.lastWriteAt).getTime()) })
							: undefined
					}
				/>
			</div>
			{status.problem && <Notice tone="danger">{status.problem}</Notice>}
			<div class="grid grid-2 section">
				<Card title={t('dashboard:data.serverTitle', { server: guild.name })}>
					<ul class="list">
						{(
							[
								['trackedMembers', facts.trackedMembers],
								['inviters', facts.inviters],
								['totalInvites', facts.totalInvites],
								['joinHistory', facts.joinHistory],
								['activeGiveaways', facts.activeGiveaways],
								['giveaways', facts.giveaways]
							] as const
						).map(([key, value]) => (
							<li key={key}>
								<span class="grow">{t(`dashboard:data.facts.${key}`)}</span>
								<strong class="num">{formatNumber(value)}</strong>
							</li>
						))}
					</ul>
					{[facts.inviteProblem, facts.greetingProblems.welcome, facts.greetingProblems.goodbye]
						.filter((problem): problem is string => problem !== null)
						.map((problem) => (
							<Notice key={problem} tone="warning">
								{problem}
							</Notice>
						))}
				</Card>
				<Card title={t('dashboard:data.recordsTitle')}>
					<ul class="list">
						{Object.entries(status.counts).map(([namespace, count]) => (
							<li key={namespace}>
								<span class="grow mono">{namespace}</span>
								<strong class="num">{formatNumber(count)}</strong>
							</li>
						))}
					</ul>
				</Card>
				{isOwner && (
					<Card
						class="span-3"
						title={t('dashboard:data.backups')}
						description={t('dashboard:data.backupsDescription', { count: backups.length })}
					>
						{backups.length === 0 ? (
							<p class="empty">{t('dashboard:data.noBackups')}</p>
						) : (
							<div class="table-wrap">
								<table>
									<thead>
										<tr>
											<th scope="col">{t('dashboard:data.backup')}</th>
											<th scope="col">{t('dashboard:data.reason')}</th>
											<th scope="col" class="num">
												{t('dashboard:data.records')}
											</th>
											{isOwner && (
												<th scope="col">
													<span class="visually-hidden">{t('dashboard:common.actions')}</span>
												</th>
											)}
										</tr>
									</thead>
									<tbody>
										{backups.map((backup) => (
											<tr key={backup.id}>
												<td>
													<div class="stack-tight">
														<strong>{formatDate(backup.createdAt)}</strong>
														<code class="small backup-id">{backup.id}</code>
													</div>
												</td>
												<td>
													<Badge>{backupReason(backup.reason)}</Badge>
												</td>
												<td class="num">{formatNumber(recordTotal(backup.counts))}</td>
												{isOwner && (
													<td class="num">
														<Button
															size="small"
															disabled={busy}
															aria-label={t('dashboard:data.restoreLabel', { id: backup.id })}
															onClick={() => {
																setTyped('');
																setRestoring(backup);
															}}
														>
															{t('dashboard:data.restore')}
														</Button>
													</td>
												)}
											</tr>
										))}
									</tbody>
								</table>
							</div>
						)}
					</Card>
				)}
			</div>
			<Dialog open={restoring !== null} onClose={() => setRestoring(null)} title={t('dashboard:data.restoreTitle')}>
				{restoring && (
					<form class="stack" onSubmit={restore}>
						<Notice tone="warning">{t('dashboard:data.restoreWarning', { date: formatDate(restoring.createdAt) })}</Notice>
						<Field label={t('dashboard:data.restoreConfirm', { id: restoring.id })} hint={t('dashboard:data.restoreHint')}>
							{(props) => (
								<input
									{...props}
									type="text"
									autoComplete="off"
									spellcheck={false}
									value={typed}
									onInput={(event) => setTyped(event.currentTarget.value)}
								/>
							)}
						</Field>
						<div class="form-actions">
							<Button onClick={() => setRestoring(null)}>{t('dashboard:common.cancel')}</Button>
							<Button type="submit" variant="danger" disabled={busy || typed !== restoring.id}>
								{t('dashboard:data.restoreSubmit')}
							</Button>
						</div>
					</form>
				)}
			</Dialog>
		</>
	);
}
