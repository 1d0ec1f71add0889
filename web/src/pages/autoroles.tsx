import { useState } from 'preact/hooks';
import { del, put } from '../api.js';
import { Badge, Button, Card, ErrorNotice, errorText, Field, Loading, Notice, PageHeader, RoleDot } from '../components/ui.js';
import { useAction, useApi } from '../hooks.js';
import { t } from '../i18n.js';
import type { AutoRoles, GuildObjects } from '../types.js';
import type { GuildPageProps } from './guild.js';
import { roleColor, roleName } from './invites.js';

/** Each unit with its size in seconds and its letter in /autorole's delay syntax (30s, 10m, 1h, 2d). */
const UNITS = [
	['seconds', 1, 's'],
	['minutes', 60, 'm'],
	['hours', 3_600, 'h'],
	['days', 86_400, 'd']
] as const;
type Unit = (typeof UNITS)[number][0];
/** /autorole add allows delays up to 7 days. */
const MAX_DELAY_SECONDS = 7 * 86_400;

function describeDelay(delayMs: number): string {
	const seconds = Math.round(delayMs / 1000);
	if (!seconds) return t('dashboard:autoroles.immediately');
	for (const [unit, size] of [...UNITS].reverse())
		if (seconds % size === 0) return t(`dashboard:autoroles.after.${unit}`, { count: seconds / size });
	return t('dashboard:autoroles.after.seconds', { count: seconds });
}

export function AutorolesPage({ guild }: GuildPageProps) {
	const autoroles = useApi<AutoRoles>(`/guilds/${guild.id}/autoroles`);
	const objects = useApi<GuildObjects>(`/guilds/${guild.id}/channels`);
	const [roleId, setRoleId] = useState('');
	const [target, setTarget] = useState<'all' | 'humans' | 'bots'>('all');
	const [amount, setAmount] = useState('0');
	const [unit, setUnit] = useState<Unit>('minutes');
	const { busy, run } = useAction();
	const roles = objects.data?.roles;
	const [, unitSeconds, unitLetter] = UNITS.find(([name]) => name === unit)!;
	const delayAmount = Number.parseInt(amount || '0', 10) || 0;
	const delaySeconds = delayAmount * unitSeconds;
	const delayTooLong = delaySeconds > MAX_DELAY_SECONDS;

	return (
		<>
			<PageHeader title={t('dashboard:autoroles.title')} description={t('dashboard:autoroles.description')} />
			<div class="grid grid-3 grid-top">
				<Card
					class="span-2"
					title={t('dashboard:autoroles.listTitle')}
					actions={
						autoroles.data && autoroles.data.pendingGrants > 0 ? (
							<Badge tone="warning">{t('dashboard:autoroles.pending', { count: autoroles.data.pendingGrants })}</Badge>
						) : undefined
					}
				>
					{autoroles.error && <ErrorNotice error={autoroles.error} />}
					{autoroles.data?.problems.map((problem) => (
						<Notice key={problem} tone="warning">
							{problem}
						</Notice>
					))}
					{!autoroles.data && !autoroles.error && <Loading />}
					{autoroles.data && autoroles.data.roles.length === 0 && <p class="empty">{t('dashboard:autoroles.empty')}</p>}
					{autoroles.data && autoroles.data.roles.length > 0 && (
						<ul class="list">
							{autoroles.data.roles.map((role) => (
								<li key={role.roleId}>
									<RoleDot color={roleColor(roles, role.roleId)} />
									<span class="grow">
										<strong>{roleName(roles, role.roleId)}</strong>
										<span class="muted small"> · {describeDelay(role.delayMs)}</span>
									</span>
									<Badge tone="accent">{t(`dashboard:autoroles.targets.${role.for}`)}</Badge>
									<Button
										size="small"
										variant="ghost"
										icon="trash"
										disabled={busy}
										aria-label={t('dashboard:autoroles.remove', { role: roleName(roles, role.roleId) })}
										onClick={async () => {
											if (
												await run(
													() => del(`/guilds/${guild.id}/autoroles/${role.roleId}`),
													t('dashboard:common.removed'),
													errorText
												)
											)
												autoroles.reload();
										}}
									/>
								</li>
							))}
						</ul>
					)}
				</Card>
				<Card title={t('dashboard:autoroles.addTitle')} description={t('dashboard:autoroles.addDescription')}>
					<form
						class="stack"
						onSubmit={async (event) => {
							event.preventDefault();
							const body = { roleId, for: target, delay: `${delayAmount}${unitLetter}` };
							const saved = await run(
								() => put<AutoRoles>(`/guilds/${guild.id}/autoroles`, body),
								t('dashboard:common.saved'),
								errorText
							);
							if (saved) {
								setRoleId('');
								autoroles.set(saved);
							}
						}}
					>
						<Field label={t('dashboard:common.role')} hint={t('dashboard:autoroles.roleHint')}>
							{(props) => (
								<select {...props} value={roleId} onChange={(event) => setRoleId(event.currentTarget.value)}>
									<option value="">{t('dashboard:common.chooseRole')}</option>
									{(roles ?? [])
										.filter((role) => role.assignable)
										.map((role) => (
											<option key={role.id} value={role.id}>
												{role.name}
											</option>
										))}
								</select>
							)}
						</Field>
						<Field label={t('dashboard:autoroles.forLabel')}>
							{(props) => (
								<select {...props} value={target} onChange={(event) => setTarget(event.currentTarget.value as typeof target)}>
									<option value="all">{t('dashboard:autoroles.targets.all')}</option>
									<option value="humans">{t('dashboard:autoroles.targets.humans')}</option>
									<option value="bots">{t('dashboard:autoroles.targets.bots')}</option>
								</select>
							)}
						</Field>
						<div class="grid grid-2">
							<Field label={t('dashboard:autoroles.delay')} error={delayTooLong ? t('dashboard:autoroles.delayTooLong') : null}>
								{(props) => (
									<input
										{...props}
										type="number"
										min={0}
										value={amount}
										onInput={(event) => setAmount(event.currentTarget.value)}
									/>
								)}
							</Field>
							<Field label={t('dashboard:autoroles.unit')}>
								{(props) => (
									<select {...props} value={unit} onChange={(event) => setUnit(event.currentTarget.value as Unit)}>
										{UNITS.map(([name]) => (
											<option key={name} value={name}>
												{t(`dashboard:autoroles.units.${name}`)}
											</option>
										))}
									</select>
								)}
							</Field>
						</div>
						<div class="form-actions">
							<Button type="submit" variant="primary" icon="plus" disabled={busy || !roleId || delayTooLong}>
								{t('dashboard:autoroles.add')}
							</Button>
						</div>
					</form>
				</Card>
			</div>
		</>
	);
}
