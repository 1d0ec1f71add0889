import { useEffect, useState } from 'preact/hooks';
import { del, get, post, put } from '../api.js';
import { Avatar, Button, Card, Checkbox, ErrorNotice, errorText, Field, Loading, PageHeader, Pagination, RoleDot } from '../components/ui.js';
import { type Loaded, useAction, useApi } from '../hooks.js';
import { formatDate, formatNumber, t } from '../i18n.js';
import type { GuildObjects, InviteConfig, Inviter, Leaderboard, MemberCounts, Role } from '../types.js';
import type { GuildPageProps } from './guild.js';

const SNOWFLAKE = /^\d{15,21}$/;

export function InviterName({ inviter }: { inviter: Pick<Inviter, 'userId' | 'name'> }) {
	const name = inviter.name ?? t('dashboard:invites.unknownMember', { id: inviter.userId });
	return (
		<span class="member-cell">
			<Avatar name={name} />
			<span>{name}</span>
		</span>
	);
}

export function roleName(roles: Role[] | undefined, roleId: string): string {
	return roles?.find((role) => role.id === roleId)?.name ?? t('dashboard:common.deletedRole', { id: roleId });
}

export const roleColor = (roles: Role[] | undefined, roleId: string) => roles?.find((role) => role.id === roleId)?.color ?? null;

export function InvitesPage({ guild }: GuildPageProps) {
	const [page, setPage] = useState(1);
	const [selected, setSelected] = useState<string | null>(null);
	const leaderboard = useApi<Leaderboard>(`/guilds/${guild.id}/invites/leaderboard?page=${page}`);
	const objects = useApi<GuildObjects>(`/guilds/${guild.id}/channels`);
	const config = useApi<InviteConfig>(`/guilds/${guild.id}/invites/config`);

	return (
		<>
			<PageHeader title={t('dashboard:invites.title')} description={t('dashboard:invites.description')} />
			<div class="grid grid-3 grid-top">
				<Card class="span-2" title={t('dashboard:invites.leaderboard')} description={t('dashboard:invites.leaderboardDescription')}>
					{leaderboard.error && <ErrorNotice error={leaderboard.error} />}
					{!leaderboard.data && !leaderboard.error && <Loading />}
					{leaderboard.data && <LeaderboardTable leaderboard={leaderboard.data} onSelect={setSelected} onPage={setPage} />}
				</Card>
				<div class="stack">
					<MemberLookup guildId={guild.id} selected={selected} onSelect={setSelected} />
					<BonusInvites guildId={guild.id} selected={selected} onDone={leaderboard.reload} />
				</div>
				<InviteConfigCard guildId={guild.id} config={config} />
				<RankRolesCard guildId={guild.id} roles={objects.data?.roles} config={config} />
			</div>
		</>
	);
}

function LeaderboardTable({
	leaderboard,
	onSelect,
	onPage
}: {
	leaderboard: Leaderboard;
	onSelect: (id: string) => void;
	onPage: (page: number) => void;
}) {
	if (leaderboard.entries.length === 0) return <p class="empty">{t('dashboard:invites.emptyLeaderboard')}</p>;
	return (
		<>
			<div class="table-wrap">
				<table>
					<thead>
						<tr>
							<th scope="col">#</th>
							<th scope="col">{t('dashboard:invites.member')}</th>
							<th scope="col" class="num">
								{t('dashboard:invites.counts.total')}
							</th>
							<th scope="col" class="num">
								{t('dashboard:invites.counts.regular')}
							</th>
							<th scope="col" class="num">
								{t('dashboard:invites.counts.left')}
							</th>
							<th scope="col" class="num">
								{t('dashboard:invites.counts.fake')}
							</th>
							<th scope="col" class="num">
								{t('dashboard:invites.counts.bonus')}
							</th>
							<th scope="col">
								<span class="visually-hidden">{t('dashboard:common.actions')}</span>
							</th>
						</tr>
					</thead>
					<tbody>
						{leaderboard.entries.map((entry) => (
							<tr key={entry.userId}>
								<td>
									<span class={`rank rank-${entry.rank}`}>{entry.rank}</span>
								</td>
								<td>
									<InviterName inviter={entry} />
								</td>
								<td class="num">
									<strong>{formatNumber(entry.total)}</strong>
								</td>
								<td class="num">{formatNumber(entry.regular)}</td>
								<td class="num">{formatNumber(entry.left)}</td>
								<td class="num">{formatNumber(entry.fake)}</td>
								<td class="num">{formatNumber(entry.bonus)}</td>
								<td class="num">
									<Button size="small" variant="ghost" onClick={() => onSelect(entry.userId)}>
										{t('dashboard:invites.details')}
									</Button>
								</td>
							</tr>
						))}
					</tbody>
				</table>
			</div>
			<Pagination page={leaderboard.page} pageCount={leaderboard.pageCount} onPage={onPage} />
		</>
	);
}

function MemberLookup({ guildId, selected, onSelect }: { guildId: string; selected: string | null; onSelect: (id: string) => void }) {
	const [input, setInput] = useState('');
	const [member, setMember] = useState<MemberCounts | null>(null);
	const [error, setError] = useState<unknown>(null);
	useEffect(() => {
		if (!selected) return;
		setInput(selected);
		setError(null);
		get<MemberCounts>(`/guilds/${guildId}/invites/members/${selected}`).then(setMember, (failure: unknown) => {
			setMember(null);
			setError(failure);
		});
	}, [guildId, selected]);
	const invalid = input !== '' && !SNOWFLAKE.test(input.trim());
	return (
		<Card title={t('dashboard:invites.memberTitle')} description={t('dashboard:invites.memberDescription')}>
			<form
				class="stack"
				onSubmit={(event) => {
					event.preventDefault();
					if (!invalid && input.trim()) onSelect(input.trim());
				}}
			>
				<Field label={t('dashboard:invites.memberId')} error={invalid ? t('dashboard:common.invalidId') : null}>
					{(props) => (
						<input {...props} type="text" inputMode="numeric" value={input} onInput={(event) => setInput(event.currentTarget.value)} />
					)}
				</Field>
				<div class="form-actions">
					<Button type="submit" disabled={invalid || !input.trim()}>
						{t('dashboard:invites.lookUp')}
					</Button>
				</div>
			</form>
			{error !== null && error !== undefined && <ErrorNotice error={error} />}
			{member && (
				<div class="stack member-summary" aria-live="polite">
					<InviterName inviter={member} />
					<dl class="counts">
						{(['total', 'regular', 'left', 'fake', 'bonus'] as const).map((key) => (
							<div key={key}>
								<dt>{t(`dashboard:invites.counts.${key}`)}</dt>
								<dd>{formatNumber(member[key])}</dd>
							</div>
						))}
					</dl>
					<p class="small muted">
						{member.invitedBy?.userId
							? t('dashboard:invites.invitedBy', {
									inviter: member.invitedBy.name ?? member.invitedBy.userId,
									date: formatDate(member.invitedBy.at, { dateStyle: 'medium' })
								})
							: t('dashboard:invites.invitedByUnknown')}
					</p>
				</div>
			)}
		</Card>
	);
}

function BonusInvites({ guildId, selected, onDone }: { guildId: string; selected: string | null; onDone: () => void }) {
	const [userId, setUserId] = useState('');
	const [amount, setAmount] = useState('5');
	const { busy, run } = useAction();
	useEffect(() => {
		if (selected) setUserId(selected);
	}, [selected]);
	const amountValue = Number.parseInt(amount, 10);
	const invalidUser = userId !== '' && !SNOWFLAKE.test(userId.trim());
	const invalidAmount = !Number.isInteger(amountValue) || amountValue === 0;
	return (
		<Card title={t('dashboard:invites.bonusTitle')} description={t('dashboard:invites.bonusDescription')}>
			<form
				class="stack"
				onSubmit={async (event) => {
					event.preventDefault();
					const done = await run(
						() => post(`/guilds/${guildId}/invites/bonus`, { userId: userId.trim(), amount: amountValue }),
						t('dashboard:invites.bonusDone', { count: amountValue }),
						errorText
					);
					if (done) onDone();
				}}
			>
				<Field label={t('dashboard:invites.memberId')} error={invalidUser ? t('dashboard:common.invalidId') : null}>
					{(props) => (
						<input {...props} type="text" inputMode="numeric" value={userId} onInput={(event) => setUserId(event.currentTarget.value)} />
					)}
				</Field>
				<Field label={t('dashboard:invites.bonusAmount')} hint={t('dashboard:invites.bonusHint')}>
					{(props) => <input {...props} type="number" step="1" value={amount} onInput={(event) => setAmount(event.currentTarget.value)} />}
				</Field>
				<div class="form-actions">
					<Button type="submit" variant="primary" disabled={busy || invalidUser || !userId || invalidAmount}>
						{t('dashboard:invites.bonusSubmit')}
					</Button>
				</div>
			</form>
		</Card>
	);
}

function InviteConfigCard({ guildId, config }: { guildId: string; config: Loaded<InviteConfig> }) {
	const [draft, setDraft] = useState<InviteConfig | null>(null);
	const { busy, run } = useAction();
	useEffect(() => {
		if (config.data) setDraft(config.data);
	}, [config.data]);
	return (
		<Card title={t('dashboard:invites.configTitle')} description={t('dashboard:invites.configDescription')}>
			{config.error && <ErrorNotice error={config.error} />}
			{!draft && !config.error && <Loading />}
			{draft && (
				<form
					class="stack"
					onSubmit={async (event) => {
						event.preventDefault();
						const saved = await run(
							() => put<InviteConfig>(`/guilds/${guildId}/invites/config`, draft),
							t('dashboard:common.saved'),
							errorText
						);
						if (saved) config.set(saved);
					}}
				>
					<Field label={t('dashboard:invites.fakeDays')} hint={t('dashboard:invites.fakeDaysHint')}>
						{(props) => (
							<input
								{...props}
								type="number"
								min={0}
								max={365}
								value={draft.fakeAccountDays}
								onInput={(event) => setDraft({ ...draft, fakeAccountDays: Number.parseInt(event.currentTarget.value || '0', 10) })}
							/>
						)}
					</Field>
					<Checkbox
						label={t('dashboard:invites.fakeWithoutAvatar')}
						checked={draft.fakeWithoutAvatar}
						onChange={(value) => setDraft({ ...draft, fakeWithoutAvatar: value })}
					/>
					<Checkbox
						label={t('dashboard:invites.followTotal')}
						hint={t('dashboard:invites.followTotalHint')}
						checked={draft.removeRankRolesBelow}
						onChange={(value) => setDraft({ ...draft, removeRankRolesBelow: value })}
					/>
					<div class="form-actions">
						<Button type="submit" variant="primary" disabled={busy}>
							{t('dashboard:common.save')}
						</Button>
					</div>
				</form>
			)}
		</Card>
	);
}

function RankRolesCard({ guildId, roles, config }: { guildId: string; roles: Role[] | undefined; config: Loaded<InviteConfig> }) {
	const [invites, setInvites] = useState('10');
	const [roleId, setRoleId] = useState('');
	const { busy, run } = useAction();
	const assignable = (roles ?? []).filter((role) => role.assignable);
	return (
		<Card class="span-2" title={t('dashboard:invites.rankRolesTitle')} description={t('dashboard:invites.rankRolesDescription')}>
			{config.error && <ErrorNotice error={config.error} />}
			{config.data && config.data.rankRoles.length === 0 && <p class="empty">{t('dashboard:invites.noRankRoles')}</p>}
			{config.data && config.data.rankRoles.length > 0 && (
				<ul class="list">
					{config.data.rankRoles.map((rank) => (
						<li key={rank.roleId}>
							<RoleDot color={roleColor(roles, rank.roleId)} />
							<span class="grow">
								<strong>{roleName(roles, rank.roleId)}</strong>
								<span class="muted small"> · {t('dashboard:invites.atInvites', { count: rank.total })}</span>
							</span>
							<Button
								size="small"
								variant="ghost"
								icon="trash"
								disabled={busy}
								aria-label={t('dashboard:invites.removeRankRole', { role: roleName(roles, rank.roleId) })}
								onClick={async () => {
									const saved = await run(
										() => del<InviteConfig>(`/guilds/${guildId}/invites/rank-roles`, { roleId: rank.roleId }),
										t('dashboard:common.removed'),
										errorText
									);
									if (saved) config.set(saved);
								}}
							/>
						</li>
					))}
				</ul>
			)}
			<form
				class="inline-form section-tight"
				onSubmit={async (event) => {
					event.preventDefault();
					const body = { total: Number.parseInt(invites, 10), roleId };
					const saved = await run(
						() => put<InviteConfig>(`/guilds/${guildId}/invites/rank-roles`, body),
						t('dashboard:common.saved'),
						errorText
					);
					if (saved) config.set(saved);
				}}
			>
				<Field label={t('dashboard:invites.rankInvites')}>
					{(props) => (
						<input
							{...props}
							type="number"
							min={1}
							max={1_000_000}
							value={invites}
							onInput={(event) => setInvites(event.currentTarget.value)}
						/>
					)}
				</Field>
				<Field label={t('dashboard:common.role')}>
					{(props) => (
						<select {...props} value={roleId} onChange={(event) => setRoleId(event.currentTarget.value)}>
							<option value="">{t('dashboard:common.chooseRole')}</option>
							{assignable.map((role) => (
								<option key={role.id} value={role.id}>
									{role.name}
								</option>
							))}
						</select>
					)}
				</Field>
				<Button type="submit" variant="primary" icon="plus" disabled={busy || !roleId || !(Number.parseInt(invites, 10) >= 1)}>
					{t('dashboard:invites.addRankRole')}
				</Button>
			</form>
		</Card>
	);
}
