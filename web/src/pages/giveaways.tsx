import { useState } from 'preact/hooks';
import { post } from '../api.js';
import { Badge, Button, Card, ChannelSelect, ErrorNotice, errorText, Field, Loading, PageHeader } from '../components/ui.js';
import { useAction, useApi } from '../hooks.js';
import { formatDate, formatRelative, t } from '../i18n.js';
import type { Giveaway, GuildObjects, Giveaways } from '../types.js';
import type { GuildPageProps } from './guild.js';

/** The same durations /giveaway start takes: 30s, 10m, 1h30m, 2d. */
const DURATION = /^(\d+[smhdw])+$/i;

const at = (value: string | null | undefined) => (value === null || value === undefined ? null : new Date(value).getTime());

function StateBadge({ giveaway }: { giveaway: Giveaway }) {
	const { state } = giveaway;
	const tone =
		state === 'active' ? 'success' : state === 'paused' || state === 'scheduled' ? 'warning' : state === 'cancelled' ? 'danger' : 'neutral';
	return <Badge tone={tone}>{t(`dashboard:giveaways.states.${state}`)}</Badge>;
}

export function GiveawaysPage({ guild }: GuildPageProps) {
	const giveaways = useApi<Giveaways>(`/guilds/${guild.id}/giveaways`);
	const objects = useApi<GuildObjects>(`/guilds/${guild.id}/channels`);
	const { busy, run } = useAction();
	const channelName = (id: string) => objects.data?.channels.find((channel) => channel.id === id)?.name ?? id;

	const act = async (giveaway: Giveaway, action: 'end' | 'reroll' | 'pause' | 'resume' | 'cancel') => {
		if (await run(() => post(`/guilds/${guild.id}/giveaways/${giveaway.id}/${action}`), t(`dashboard:giveaways.done.${action}`), errorText))
			giveaways.reload();
	};

	return (
		<>
			<PageHeader title={t('dashboard:giveaways.title')} description={t('dashboard:giveaways.description')} />
			<div class="grid grid-3 grid-top">
				<div class="span-2 stack">
					<Card title={t('dashboard:giveaways.running')}>
						{giveaways.error && <ErrorNotice error={giveaways.error} />}
						{!giveaways.data && !giveaways.error && <Loading />}
						{giveaways.data && giveaways.data.running.length === 0 && <p class="empty">{t('dashboard:giveaways.noneRunning')}</p>}
						{giveaways.data && giveaways.data.running.length > 0 && (
							<ul class="list">
								{giveaways.data.running.map((giveaway) => {
									const ends = at(giveaway.endsAt);
									const paused = giveaway.state === 'paused';
									const scheduled = giveaway.state === 'scheduled';
									return (
										<li key={giveaway.id}>
											<span class="grow stack-tight">
												<strong>{giveaway.prize}</strong>
												<span class="muted small">
													#{channelName(giveaway.channelId)} ·{' '}
													{t('dashboard:giveaways.winnersCount', { count: giveaway.winnerCount })} ·{' '}
													{t('dashboard:giveaways.entrantsCount', { count: giveaway.entries })}
													{ends !== null &&
														!paused &&
														` · ${t('dashboard:giveaways.ends', { when: formatRelative(ends) })}`}
													{paused &&
														giveaway.remainingMs !== null &&
														` · ${t('dashboard:giveaways.remaining', { when: formatRelative(Date.now() + giveaway.remainingMs) })}`}
												</span>
											</span>
											<StateBadge giveaway={giveaway} />
											<div class="row">
												{!scheduled && (
													<Button size="small" disabled={busy} onClick={() => act(giveaway, paused ? 'resume' : 'pause')}>
														{paused ? t('dashboard:giveaways.resume') : t('dashboard:giveaways.pause')}
													</Button>
												)}
												<Button
													size="small"
													variant="ghost"
													disabled={busy}
													aria-label={t('dashboard:giveaways.cancelLabel', { prize: giveaway.prize })}
													onClick={() => act(giveaway, 'cancel')}
												>
													{t('dashboard:giveaways.cancel')}
												</Button>
												<Button
													size="small"
													variant="primary"
													disabled={busy || scheduled}
													aria-label={t('dashboard:giveaways.endLabel', { prize: giveaway.prize })}
													onClick={() => act(giveaway, 'end')}
												>
													{t('dashboard:giveaways.end')}
												</Button>
											</div>
										</li>
									);
								})}
							</ul>
						)}
					</Card>
					<Card title={t('dashboard:giveaways.ended')}>
						{giveaways.data && giveaways.data.ended.length === 0 && <p class="empty">{t('dashboard:giveaways.noneEnded')}</p>}
						{giveaways.data && giveaways.data.ended.length > 0 && (
							<ul class="list">
								{giveaways.data.ended.map((giveaway) => {
									const ended = at(giveaway.endedAt ?? giveaway.endsAt);
									return (
										<li key={giveaway.id}>
											<span class="grow stack-tight">
												<strong>{giveaway.prize}</strong>
												<span class="muted small">
													{ended !== null && `${formatDate(ended)} · `}
													{t('dashboard:giveaways.wonBy', { count: giveaway.winners.length })}
												</span>
											</span>
											<StateBadge giveaway={giveaway} />
											{giveaway.state !== 'cancelled' && (
												<Button
													size="small"
													icon="swap"
													disabled={busy || giveaway.entries === 0}
													aria-label={t('dashboard:giveaways.rerollLabel', { prize: giveaway.prize })}
													onClick={() => act(giveaway, 'reroll')}
												>
													{t('dashboard:giveaways.reroll')}
												</Button>
											)}
										</li>
									);
								})}
							</ul>
						)}
					</Card>
				</div>
				<StartGiveaway guildId={guild.id} objects={objects.data} onStarted={giveaways.reload} />
			</div>
		</>
	);
}

function StartGiveaway({ guildId, objects, onStarted }: { guildId: string; objects: GuildObjects | null; onStarted: () => void }) {
	const [channelId, setChannelId] = useState('');
	const [prize, setPrize] = useState('');
	const [duration, setDuration] = useState('1d');
	const [winners, setWinners] = useState('1');
	const { busy, run } = useAction();
	const badDuration = duration !== '' && !DURATION.test(duration.trim());
	const winnerCount = Number.parseInt(winners, 10);
	return (
		<Card title={t('dashboard:giveaways.startTitle')} description={t('dashboard:giveaways.startDescription')}>
			<form
				class="stack"
				onSubmit={async (event) => {
					event.preventDefault();
					const body = { channelId, prize: prize.trim(), duration: duration.trim(), winners: winnerCount };
					if (await run(() => post(`/guilds/${guildId}/giveaways`, body), t('dashboard:giveaways.started'), errorText)) {
						setPrize('');
						onStarted();
					}
				}}
			>
				<Field label={t('dashboard:giveaways.prize')}>
					{(props) => (
						<input {...props} type="text" maxLength={256} value={prize} onInput={(event) => setPrize(event.currentTarget.value)} />
					)}
				</Field>
				<ChannelSelect channels={objects?.channels} value={channelId} onChange={(value) => setChannelId(value ?? '')} />
				<div class="grid grid-2">
					<Field
						label={t('dashboard:giveaways.duration')}
						hint={t('dashboard:giveaways.durationHint')}
						error={badDuration ? t('dashboard:giveaways.badDuration') : null}
					>
						{(props) => <input {...props} type="text" value={duration} onInput={(event) => setDuration(event.currentTarget.value)} />}
					</Field>
					<Field label={t('dashboard:giveaways.winners')}>
						{(props) => (
							<input
								{...props}
								type="number"
								min={1}
								max={50}
								value={winners}
								onInput={(event) => setWinners(event.currentTarget.value)}
							/>
						)}
					</Field>
				</div>
				<p class="small muted">{t('dashboard:giveaways.moreOptions')}</p>
				<div class="form-actions">
					<Button type="submit" variant="primary" disabled={busy || !channelId || !prize.trim() || badDuration || !(winnerCount >= 1)}>
						{t('dashboard:giveaways.start')}
					</Button>
				</div>
			</form>
		</Card>
	);
}
