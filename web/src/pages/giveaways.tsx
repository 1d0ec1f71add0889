import { useId, useRef, useState } from 'preact/hooks';
import { post } from '../api.js';
import { Badge, Button, Card, ChannelSelect, Checkbox, ErrorNotice, errorText, Field, Loading, PageHeader, RoleDot } from '../components/ui.js';
import { useAction, useApi } from '../hooks.js';
import { formatDate, formatRelative, t } from '../i18n.js';
import type { Giveaway, GuildObjects, Giveaways, Role } from '../types.js';
import type { GuildPageProps } from './guild.js';
import { roleName } from './invites.js';

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

/** One bonus row: a role (or `boosters`) and the entries its members have. */
interface BonusRow {
	key: number;
	roleId: string;
	entries: string;
}

const BOOSTERS = 'boosters';

/** The start form as typed; sent in /giveaway start's notation, which the bot reads and checks as for the command. */
interface StartDraft {
	channelId: string;
	prize: string;
	description: string;
	duration: string;
	winners: string;
	requiredRoles: string[];
	rolesMode: 'any' | 'all';
	blockedRoles: string[];
	minAccountAge: string;
	minServerAge: string;
	boostersOnly: boolean;
	minInvites: string;
	invitesDuring: boolean;
	bonus: BonusRow[];
	bonusMode: 'stack' | 'highest';
	startsAt: string;
	drop: boolean;
	claimWindow: string;
}

const EMPTY_DRAFT: StartDraft = {
	channelId: '',
	prize: '',
	description: '',
	duration: '1d',
	winners: '1',
	requiredRoles: [],
	rolesMode: 'any',
	blockedRoles: [],
	minAccountAge: '',
	minServerAge: '',
	boostersOnly: false,
	minInvites: '',
	invitesDuring: false,
	bonus: [],
	bonusMode: 'stack',
	startsAt: '',
	drop: false,
	claimWindow: ''
};

/** The POST body: empty fields are options left out. */
function startBody(draft: StartDraft) {
	const text = (value: string) => value.trim() || null;
	const minInvites = Number.parseInt(draft.minInvites, 10);
	return {
		channelId: draft.channelId,
		prize: draft.prize.trim(),
		description: text(draft.description),
		winners: Number.parseInt(draft.winners, 10),
		duration: draft.duration.trim(),
		requiredRoles: draft.requiredRoles.join(' ') || null,
		rolesMode: draft.requiredRoles.length > 1 ? draft.rolesMode : null,
		blockedRoles: draft.blockedRoles.join(' ') || null,
		minAccountAge: text(draft.minAccountAge),
		minServerAge: text(draft.minServerAge),
		boostersOnly: draft.boostersOnly,
		minInvites: Number.isInteger(minInvites) ? minInvites : null,
		invitesDuring: draft.invitesDuring,
		bonusRoles: draft.bonus.map((row) => `${row.roleId} x${row.entries.trim()}`).join(', ') || null,
		bonusMode: draft.bonus.length > 1 ? draft.bonusMode : null,
		// The browser's local time, sent as an exact moment.
		startsAt: draft.startsAt ? new Date(draft.startsAt).toISOString() : null,
		drop: draft.drop,
		claimWindow: text(draft.claimWindow)
	};
}

/** Checkboxes for a set of roles, in the server's order. */
function RolePicker({
	label,
	hint,
	roles,
	selected,
	onChange
}: {
	label: string;
	hint?: string;
	roles: Role[];
	selected: string[];
	onChange: (roleIds: string[]) => void;
}) {
	const hintId = useId();
	return (
		<fieldset class="field role-picker" aria-describedby={hint ? hintId : undefined}>
			<legend class="field-label">{label}</legend>
			{roles.length === 0 ? (
				<p class="small muted">{t('dashboard:giveaways.noRoles')}</p>
			) : (
				<div class="role-options">
					{roles.map((role) => (
						<label class="check" key={role.id}>
							<input
								type="checkbox"
								checked={selected.includes(role.id)}
								onChange={(event) =>
									onChange(event.currentTarget.checked ? [...selected, role.id] : selected.filter((id) => id !== role.id))
								}
							/>
							<RoleDot color={role.color} />
							<span class="role-name">{role.name}</span>
						</label>
					))}
				</div>
			)}
			{hint && (
				<span class="field-hint" id={hintId}>
					{hint}
				</span>
			)}
		</fieldset>
	);
}

function BonusRows({ rows, roles, onChange }: { rows: BonusRow[]; roles: Role[]; onChange: (rows: BonusRow[]) => void }) {
	const nameOf = (roleId: string) => (roleId === BOOSTERS ? t('dashboard:giveaways.boosters') : roleName(roles, roleId));
	const add = () => {
		const used = new Set(rows.map((row) => row.roleId));
		const roleId = [BOOSTERS, ...roles.map((role) => role.id)].find((id) => !used.has(id)) ?? BOOSTERS;
		onChange([...rows, { key: Math.max(0, ...rows.map((row) => row.key)) + 1, roleId, entries: '2' }]);
	};
	const change = (key: number, patch: Partial<BonusRow>) => onChange(rows.map((row) => (row.key === key ? { ...row, ...patch } : row)));
	return (
		<div class="stack-tight">
			{rows.map((row, index) => (
				<div class="bonus-row" key={row.key}>
					<select
						aria-label={t('dashboard:giveaways.bonusRoleLabel', { number: index + 1 })}
						value={row.roleId}
						onChange={(event) => change(row.key, { roleId: event.currentTarget.value })}
					>
						<option value={BOOSTERS}>{t('dashboard:giveaways.boosters')}</option>
						{roles.map((role) => (
							<option key={role.id} value={role.id}>
								{role.name}
							</option>
						))}
					</select>
					<input
						type="number"
						min={2}
						max={100}
						aria-label={t('dashboard:giveaways.bonusEntriesLabel', { number: index + 1 })}
						value={row.entries}
						onInput={(event) => change(row.key, { entries: event.currentTarget.value })}
					/>
					<Button
						size="small"
						variant="ghost"
						icon="trash"
						aria-label={t('dashboard:giveaways.removeBonus', { role: nameOf(row.roleId) })}
						onClick={() => onChange(rows.filter((other) => other.key !== row.key))}
					/>
				</div>
			))}
			<div>
				<Button size="small" icon="plus" onClick={add}>
					{t('dashboard:giveaways.addBonus')}
				</Button>
			</div>
		</div>
	);
}

function StartGiveaway({ guildId, objects, onStarted }: { guildId: string; objects: GuildObjects | null; onStarted: () => void }) {
	const [draft, setDraft] = useState<StartDraft>(EMPTY_DRAFT);
	const change = (patch: Partial<StartDraft>) => setDraft((current) => ({ ...current, ...patch }));
	const { busy, run } = useAction();
	const advanced = useRef<HTMLDetailsElement>(null);
	const roles = objects?.roles ?? [];
	const winnerCount = Number.parseInt(draft.winners, 10);
	const textField = (label: string, name: 'duration' | 'minAccountAge' | 'minServerAge' | 'claimWindow', hint?: string) => (
		<Field label={label} hint={hint}>
			{(props) => (
				<input {...props} type="text" maxLength={50} value={draft[name]} onInput={(event) => change({ [name]: event.currentTarget.value })} />
			)}
		</Field>
	);
	const numberField = (label: string, name: 'winners' | 'minInvites', max: number, hint?: string) => (
		<Field label={label} hint={hint}>
			{(props) => (
				<input
					{...props}
					type="number"
					min={1}
					max={max}
					value={draft[name]}
					onInput={(event) => change({ [name]: event.currentTarget.value })}
				/>
			)}
		</Field>
	);
	/** A choice that matters only with several roles or bonuses; its words are dashboard:giveaways.<name>s.<choice>. */
	const choiceField = <K extends 'rolesMode' | 'bonusMode'>(name: K, choices: ReadonlyArray<StartDraft[K]>) => (
		<Field label={t(`dashboard:giveaways.${name}`)}>
			{(props) => (
				<select {...props} value={draft[name]} onChange={(event) => change({ [name]: event.currentTarget.value })}>
					{choices.map((choice) => (
						<option key={choice} value={choice}>
							{t(`dashboard:giveaways.${name}s.${choice}`)}
						</option>
					))}
				</select>
			)}
		</Field>
	);
	return (
		<Card title={t('dashboard:giveaways.startTitle')} description={t('dashboard:giveaways.startDescription')}>
			<form
				class="stack"
				onSubmit={async (event) => {
					event.preventDefault();
					const success = draft.startsAt ? t('dashboard:giveaways.scheduled') : t('dashboard:giveaways.started');
					if (await run(() => post(`/guilds/${guildId}/giveaways`, startBody(draft)), success, errorText)) {
						// A fresh form for the next one, in the same channel.
						setDraft({ ...EMPTY_DRAFT, channelId: draft.channelId });
						if (advanced.current) advanced.current.open = false;
						onStarted();
					}
				}}
			>
				<Field label={t('dashboard:giveaways.prize')}>
					{(props) => (
						<input
							{...props}
							type="text"
							maxLength={200}
							value={draft.prize}
							onInput={(event) => change({ prize: event.currentTarget.value })}
						/>
					)}
				</Field>
				<ChannelSelect channels={objects?.channels} value={draft.channelId} onChange={(value) => change({ channelId: value ?? '' })} />
				<div class="grid grid-2">
					{textField(t('dashboard:giveaways.duration'), 'duration', t('dashboard:giveaways.durationHint'))}
					{numberField(t('dashboard:giveaways.winners'), 'winners', 50)}
				</div>
				<Field label={t('dashboard:giveaways.descriptionField')} hint={t('dashboard:giveaways.optional')}>
					{(props) => (
						<textarea
							{...props}
							class="prose"
							rows={2}
							maxLength={1000}
							value={draft.description}
							onInput={(event) => change({ description: event.currentTarget.value })}
						/>
					)}
				</Field>
				<details class="advanced" ref={advanced}>
					<summary>{t('dashboard:giveaways.advanced')}</summary>
					<div class="stack">
						<p class="small muted">{t('dashboard:giveaways.advancedHint')}</p>
						<h3 class="subheading">{t('dashboard:giveaways.requirementsTitle')}</h3>
						<RolePicker
							label={t('dashboard:giveaways.requiredRoles')}
							roles={roles}
							selected={draft.requiredRoles}
							onChange={(requiredRoles) => change({ requiredRoles })}
						/>
						{draft.requiredRoles.length > 1 && choiceField('rolesMode', ['any', 'all'])}
						<RolePicker
							label={t('dashboard:giveaways.blockedRoles')}
							roles={roles}
							selected={draft.blockedRoles}
							onChange={(blockedRoles) => change({ blockedRoles })}
						/>
						<div class="grid grid-2">
							{textField(t('dashboard:giveaways.minAccountAge'), 'minAccountAge', t('dashboard:giveaways.ageHint'))}
							{textField(t('dashboard:giveaways.minServerAge'), 'minServerAge', t('dashboard:giveaways.ageHint'))}
						</div>
						{numberField(t('dashboard:giveaways.minInvites'), 'minInvites', 100000, t('dashboard:giveaways.optional'))}
						<Checkbox
							label={t('dashboard:giveaways.invitesDuring')}
							checked={draft.invitesDuring}
							onChange={(invitesDuring) => change({ invitesDuring })}
						/>
						<Checkbox
							label={t('dashboard:giveaways.boostersOnly')}
							checked={draft.boostersOnly}
							onChange={(boostersOnly) => change({ boostersOnly })}
						/>
						<h3 class="subheading">{t('dashboard:giveaways.bonusTitle')}</h3>
						<p class="small muted">{t('dashboard:giveaways.bonusHint')}</p>
						<BonusRows rows={draft.bonus} roles={roles} onChange={(bonus) => change({ bonus })} />
						{draft.bonus.length > 1 && choiceField('bonusMode', ['stack', 'highest'])}
						<h3 class="subheading">{t('dashboard:giveaways.timingTitle')}</h3>
						<Field label={t('dashboard:giveaways.startsAt')} hint={t('dashboard:giveaways.startsAtHint')}>
							{(props) => (
								<input
									{...props}
									type="datetime-local"
									value={draft.startsAt}
									onInput={(event) => change({ startsAt: event.currentTarget.value })}
								/>
							)}
						</Field>
						{textField(t('dashboard:giveaways.claimWindow'), 'claimWindow', t('dashboard:giveaways.claimWindowHint'))}
						<Checkbox
							label={t('dashboard:giveaways.drop')}
							hint={t('dashboard:giveaways.dropHint')}
							checked={draft.drop}
							onChange={(drop) => change({ drop })}
						/>
					</div>
				</details>
				<div class="form-actions">
					<Button
						type="submit"
						variant="primary"
						disabled={busy || !draft.channelId || !draft.prize.trim() || !draft.duration.trim() || !(winnerCount >= 1)}
					>
						{t('dashboard:giveaways.start')}
					</Button>
				</div>
			</form>
		</Card>
	);
}
