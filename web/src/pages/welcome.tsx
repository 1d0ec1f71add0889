import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, del, post, put } from '../api.js';
import { Icon } from '../components/icons.js';
import { Badge, Button, Card, ChannelSelect, Checkbox, ErrorNotice, errorText, Field, Loading, Notice, PageHeader, Tabs } from '../components/ui.js';
import { useAction, useApi } from '../hooks.js';
import { formatDate, t } from '../i18n.js';
import type { Greeting, GreetingKind, GreetingPreview, GreetingSettings, GuildObjects, Session } from '../types.js';
import type { GuildPageProps } from './guild.js';

const PLACEHOLDERS = ['user', 'username', 'server', 'memberCount', 'inviter', 'inviterCount', 'inviteCode', 'accountAge'] as const;
const PREVIEW_DELAY_MS = 350;

const EMPTY: GreetingSettings = {
	channelId: '',
	message: '',
	banner: null,
	embed: true,
	title: null,
	footer: null,
	colour: null,
	content: null,
	dm: false,
	afterScreening: true
};

interface Draft extends GreetingSettings {
	enabled: boolean;
}

const draftOf = (greeting: Greeting): Draft => ({ ...EMPTY, ...greeting.settings, enabled: greeting.enabled });
/** The form's fields as the API takes them (without the on/off switch). */
const settingsOf = ({ enabled: _enabled, ...settings }: Draft): GreetingSettings => settings;

type BannerChoice = 'none' | 'generated' | 'url';
const bannerChoice = (banner: string | null): BannerChoice => (banner === null ? 'none' : banner === 'generated' ? 'generated' : 'url');
const DEFAULT_COLOURS: Record<GreetingKind, string> = { welcome: '#57F287', goodbye: '#ED4245' };
const hexColour = (colour: number | string | null | undefined, kind: GreetingKind) =>
	typeof colour === 'number' ? `#${colour.toString(16).padStart(6, '0')}` : (colour ?? DEFAULT_COLOURS[kind]);

export function WelcomePage({ guild, session }: GuildPageProps) {
	const [kind, setKind] = useState<GreetingKind>('welcome');
	const objects = useApi<GuildObjects>(`/guilds/${guild.id}/channels`);
	return (
		<>
			<PageHeader title={t('dashboard:welcome.title')} description={t('dashboard:welcome.description')} />
			<Tabs
				label={t('dashboard:welcome.kinds')}
				value={kind}
				onChange={setKind}
				tabs={[
					['welcome', t('dashboard:welcome.welcomeTab')],
					['goodbye', t('dashboard:welcome.goodbyeTab')]
				]}
			/>
			<div role="tabpanel" id={`panel-${kind}`} aria-labelledby={`tab-${kind}`}>
				<GreetingEditor key={kind} guildId={guild.id} kind={kind} objects={objects.data} session={session} />
			</div>
		</>
	);
}

function GreetingEditor({
	guildId,
	kind,
	objects,
	session
}: {
	guildId: string;
	kind: GreetingKind;
	objects: GuildObjects | null;
	session: Session;
}) {
	const path = `/guilds/${guildId}/greetings/${kind}`;
	const stored = useApi<Greeting>(path);
	const [draft, setDraft] = useState<Draft | null>(null);
	const [preview, setPreview] = useState<GreetingPreview | null>(null);
	const [previewError, setPreviewError] = useState<string | null>(null);
	const [bannerMode, setBannerMode] = useState<BannerChoice>('none');
	const templateRef = useRef<HTMLTextAreaElement>(null);
	const { busy, run } = useAction();

	useEffect(() => {
		if (!stored.data) return;
		const value = draftOf(stored.data);
		setDraft(value);
		setBannerMode(bannerChoice(value.banner));
	}, [stored.data]);

	// The preview follows the draft: the bot renders it (its own template and card code), a moment after typing stops.
	useEffect(() => {
		if (!draft || !draft.message.trim() || !draft.channelId) {
			setPreview(null);
			setPreviewError(null);
			return undefined;
		}
		let cancelled = false;
		const timer = setTimeout(() => {
			post<GreetingPreview>(`${path}/preview`, settingsOf(draft)).then(
				(value) => {
					if (cancelled) return;
					setPreview(value);
					setPreviewError(null);
				},
				(error: unknown) => {
					if (cancelled) return;
					setPreviewError(error instanceof ApiError && error.status === 400 ? error.message : errorText(error));
				}
			);
		}, PREVIEW_DELAY_MS);
		return () => {
			cancelled = true;
			clearTimeout(timer);
		};
	}, [draft, path]);

	if (stored.error) return <ErrorNotice error={stored.error} />;
	if (!draft) return <Loading />;

	const change = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });
	const insertPlaceholder = (name: string) => {
		const area = templateRef.current;
		const token = `{${name}}`;
		const start = area?.selectionStart ?? draft.message.length;
		const end = area?.selectionEnd ?? draft.message.length;
		change({ message: draft.message.slice(0, start) + token + draft.message.slice(end) });
		requestAnimationFrame(() => {
			area?.focus();
			area?.setSelectionRange(start + token.length, start + token.length);
		});
	};
	const save = async (event: Event) => {
		event.preventDefault();
		// Off is /welcome-disable (the settings are dropped); on is /setup-welcome with the form's options.
		const saved = await run(
			() => (draft.enabled ? put<Greeting>(path, settingsOf(draft)) : del<Greeting>(path)),
			t(draft.enabled ? 'dashboard:welcome.saved' : 'dashboard:welcome.disabled'),
			errorText
		);
		if (saved) stored.set(saved);
	};

	return (
		<div class="preview-grid">
			<form class="stack" onSubmit={save} aria-label={t(`dashboard:welcome.form.${kind}`)}>
				{stored.data?.problem && (
					<Notice tone="warning">
						{t('dashboard:welcome.deliveryProblem', {
							problem: stored.data.problem.message,
							count: stored.data.problem.missed,
							since: formatDate(stored.data.problem.since)
						})}
					</Notice>
				)}
				<Card
					title={t(`dashboard:welcome.heading.${kind}`)}
					actions={draft.enabled ? <Badge tone="success">{t('dashboard:common.on')}</Badge> : <Badge>{t('dashboard:common.off')}</Badge>}
				>
					<div class="stack">
						<Checkbox label={t(`dashboard:welcome.enable.${kind}`)} checked={draft.enabled} onChange={(enabled) => change({ enabled })} />
						<ChannelSelect
							channels={objects?.channels}
							value={draft.channelId}
							hint={t('dashboard:welcome.channelHint')}
							onChange={(channelId) => change({ channelId: channelId ?? '' })}
						/>
						<Field label={t('dashboard:welcome.message')} hint={t('dashboard:welcome.messageHint')} error={previewError}>
							{(props) => (
								<textarea
									{...props}
									ref={templateRef}
									rows={5}
									value={draft.message}
									onInput={(event) => change({ message: event.currentTarget.value })}
								/>
							)}
						</Field>
						<div class="placeholders" role="group" aria-label={t('dashboard:welcome.placeholders')}>
							{PLACEHOLDERS.map((name) => (
								<button
									key={name}
									type="button"
									title={t(`dashboard:welcome.placeholder.${name}`)}
									aria-label={t('dashboard:welcome.insert', {
										placeholder: `{${name}}`,
										description: t(`dashboard:welcome.placeholder.${name}`)
									})}
									onClick={() => insertPlaceholder(name)}
								>
									{`{${name}}`}
								</button>
							))}
						</div>
					</div>
				</Card>
				<Card title={t('dashboard:welcome.appearance')}>
					<div class="stack">
						<Checkbox
							label={t('dashboard:welcome.embed')}
							checked={draft.embed !== false}
							onChange={(embed) => change(embed ? { embed } : { embed, title: null, footer: null, content: null, colour: null })}
						/>
						{draft.embed !== false && (
							<div class="grid grid-2">
								<Field label={t('dashboard:welcome.embedTitle')}>
									{(props) => (
										<input
											{...props}
											type="text"
											value={draft.title ?? ''}
											onInput={(event) => change({ title: event.currentTarget.value || null })}
										/>
									)}
								</Field>
								<Field label={t('dashboard:welcome.color')}>
									{(props) => (
										<input
											{...props}
											type="color"
											value={hexColour(draft.colour, kind)}
											onInput={(event) => change({ colour: event.currentTarget.value.toUpperCase() })}
										/>
									)}
								</Field>
								<Field label={t('dashboard:welcome.footer')}>
									{(props) => (
										<input
											{...props}
											type="text"
											value={draft.footer ?? ''}
											onInput={(event) => change({ footer: event.currentTarget.value || null })}
										/>
									)}
								</Field>
								<Field label={t('dashboard:welcome.content')} hint={t('dashboard:welcome.contentHint')}>
									{(props) => (
										<input
											{...props}
											type="text"
											value={draft.content ?? ''}
											onInput={(event) => change({ content: event.currentTarget.value || null })}
										/>
									)}
								</Field>
							</div>
						)}
						<Field label={t('dashboard:welcome.banner')}>
							{(props) => (
								<select
									{...props}
									value={bannerMode}
									onChange={(event) => {
										const mode = event.currentTarget.value as BannerChoice;
										setBannerMode(mode);
										change({ banner: mode === 'none' ? null : mode === 'generated' ? 'generated' : '' });
									}}
								>
									<option value="none">{t('dashboard:welcome.bannerNone')}</option>
									<option value="generated">{t('dashboard:welcome.bannerGenerated')}</option>
									<option value="url">{t('dashboard:welcome.bannerUrl')}</option>
								</select>
							)}
						</Field>
						{bannerMode === 'url' && (
							<Field label={t('dashboard:welcome.bannerUrlLabel')}>
								{(props) => (
									<input
										{...props}
										type="url"
										placeholder="https://"
										value={draft.banner ?? ''}
										onInput={(event) => change({ banner: event.currentTarget.value })}
									/>
								)}
							</Field>
						)}
						{kind === 'welcome' && (
							<>
								<Checkbox label={t('dashboard:welcome.dm')} checked={Boolean(draft.dm)} onChange={(dm) => change({ dm })} />
								<Checkbox
									label={t('dashboard:welcome.afterScreening')}
									hint={t('dashboard:welcome.afterScreeningHint')}
									checked={draft.afterScreening !== false}
									onChange={(afterScreening) => change({ afterScreening })}
								/>
							</>
						)}
					</div>
				</Card>
				<div class="form-actions">
					<Button
						onClick={() => {
							if (stored.data) {
								setDraft(draftOf(stored.data));
								setBannerMode(bannerChoice(stored.data.settings?.banner ?? null));
							}
						}}
					>
						{t('dashboard:common.reset')}
					</Button>
					<Button type="submit" variant="primary" disabled={busy || (draft.enabled && (!draft.channelId || !draft.message.trim()))}>
						{t('dashboard:common.save')}
					</Button>
				</div>
			</form>
			<div class="stack sticky">
				<Card title={t('dashboard:welcome.preview')} description={t('dashboard:welcome.previewDescription')}>
					<MessagePreview preview={preview} draft={draft} kind={kind} session={session} />
				</Card>
				{draft.banner === 'generated' && (
					<Card title={t('dashboard:welcome.cardPreview')}>
						{preview?.card ? (
							<img class="card-preview" src={preview.card} alt={t('dashboard:welcome.cardAlt')} data-testid="card-preview" />
						) : (
							<Loading />
						)}
					</Card>
				)}
			</div>
		</div>
	);
}

/** Discord's mention syntax (<@id>, <@&id>, <#id>) shown as pills, the rest as text. */
function renderText(text: string, session: Session): ComponentChildren[] {
	const parts: ComponentChildren[] = [];
	let last = 0;
	for (const match of text.matchAll(/<(@!?|@&|#)(\d+)>/g)) {
		parts.push(text.slice(last, match.index));
		const label =
			match[1] === '#'
				? '#channel'
				: match[1] === '@&'
					? '@role'
					: `@${match[2] === session.user?.id ? (session.user.globalName ?? session.user.username) : t('dashboard:welcome.someone')}`;
		parts.push(
			<span class="discord-mention" key={match.index}>
				{label}
			</span>
		);
		last = match.index + match[0].length;
	}
	parts.push(text.slice(last));
	return parts;
}

function MessagePreview({ preview, draft, kind, session }: { preview: GreetingPreview | null; draft: Draft; kind: GreetingKind; session: Session }) {
	const embedRef = useRef<HTMLDivElement>(null);
	const embed = preview?.embeds[0] ?? null;
	const colour = hexColour(embed?.color ?? draft.colour, kind);
	// The embed's colour is the admin's choice: set through the CSSOM, which the CSP allows (style attributes it does not).
	useEffect(() => {
		embedRef.current?.style.setProperty('--embed-color', colour);
	}, [colour, preview]);
	if (!draft.channelId) return <p class="empty">{t('dashboard:welcome.previewNeedsChannel')}</p>;
	if (!draft.message.trim()) return <p class="empty">{t('dashboard:welcome.previewEmpty')}</p>;
	if (!preview) return <Loading label={t('dashboard:welcome.rendering')} />;
	// The generated card is an attachment (attachment://…) in the real message: the preview shows the rendered PNG.
	const imageUrl = embed?.image?.url ?? null;
	const image = imageUrl?.startsWith('attachment://') ? preview.card : (imageUrl ?? preview.card);
	return (
		<div class="discord" data-testid="message-preview" aria-live="polite">
			<div class="discord-message">
				<span class="discord-avatar" aria-hidden="true">
					<Icon name="bot" />
				</span>
				<div class="discord-body">
					<div class="discord-head">
						<span class="discord-name">Supreme Bot</span>
						<span class="discord-tag">{t('dashboard:welcome.botTag')}</span>
						<span class="discord-time">{formatDate(Date.now(), { timeStyle: 'short' })}</span>
					</div>
					{preview.content && <div class="discord-content">{renderText(preview.content, session)}</div>}
					{embed && (
						<div class="discord-embed" ref={embedRef}>
							{embed.title && <div class="discord-embed-title">{renderText(embed.title, session)}</div>}
							{embed.description && (
								<div class="discord-content" data-testid="preview-description">
									{renderText(embed.description, session)}
								</div>
							)}
							{image && <img class="discord-image" src={image} alt="" />}
							{embed.footer?.text && <div class="discord-embed-footer">{renderText(embed.footer.text, session)}</div>}
						</div>
					)}
					{!embed && image && <img class="discord-image" src={image} alt="" />}
				</div>
			</div>
		</div>
	);
}
