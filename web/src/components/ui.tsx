import type { ButtonHTMLAttributes, ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api.js';
import { t } from '../i18n.js';
import type { Channel } from '../types.js';
import { Icon } from './icons.js';

export function Card({
	title,
	description,
	actions,
	children,
	class: className
}: {
	title?: string;
	description?: string;
	actions?: ComponentChildren;
	children: ComponentChildren;
	class?: string;
}) {
	const headingId = useId();
	return (
		<section class={`card ${className ?? ''}`} aria-labelledby={title ? headingId : undefined}>
			{(title || actions) && (
				<div class="card-header">
					<div>
						{title && <h2 id={headingId}>{title}</h2>}
						{description && <p>{description}</p>}
					</div>
					{actions}
				</div>
			)}
			{children}
		</section>
	);
}

export function PageHeader({ title, description, actions }: { title: string; description?: string; actions?: ComponentChildren }) {
	return (
		<header class="page-header">
			<div>
				<h1 id="page-title">{title}</h1>
				{description && <p>{description}</p>}
			</div>
			{actions}
		</header>
	);
}

export function Stat({ label, value, hint }: { label: string; value: string; hint?: string }) {
	return (
		<div class="card stat">
			<span class="stat-label">{label}</span>
			<span class="stat-value">{value}</span>
			{hint && <span class="stat-hint">{hint}</span>}
		</div>
	);
}

export function Badge({
	tone = 'neutral',
	children
}: {
	tone?: 'neutral' | 'success' | 'warning' | 'danger' | 'accent';
	children: ComponentChildren;
}) {
	return <span class={`badge badge-${tone}`}>{children}</span>;
}

export function Notice({ tone = 'info', children }: { tone?: 'info' | 'warning' | 'danger' | 'success'; children: ComponentChildren }) {
	const icon = tone === 'success' ? 'check' : tone === 'info' ? 'info' : 'alert';
	return (
		<div class={`notice notice-${tone}`} role={tone === 'danger' ? 'alert' : undefined}>
			<Icon name={icon} />
			<div>{children}</div>
		</div>
	);
}

export function Loading({ label }: { label?: string }) {
	return (
		<div class="loading" role="status">
			<span class="spinner" aria-hidden="true" />
			<span>{label ?? t('dashboard:common.loading')}</span>
		</div>
	);
}

export function errorText(error: unknown): string {
	if (error instanceof ApiError) {
		if (error.status === 403) return error.code === 'owner_only' ? t('dashboard:errors.ownerOnly') : t('dashboard:errors.forbidden');
		if (error.status === 401) return t('dashboard:errors.unauthenticated');
		if (error.status === 429) return t('dashboard:errors.rateLimited');
		// A shard away (503 shard_unavailable) or slow (504): the bot's own words, in the server's language.
		if (error.status === 503 && error.code !== 'shard_unavailable') return t('dashboard:errors.storageUnavailable');
		if (error.status === 404) return t('dashboard:errors.notFound');
		return error.message || t('dashboard:errors.generic');
	}
	return t('dashboard:errors.generic');
}

export function ErrorNotice({ error }: { error: unknown }) {
	return <Notice tone="danger">{errorText(error)}</Notice>;
}

export function Field({
	label,
	hint,
	error,
	children
}: {
	label: string;
	hint?: string;
	error?: string | null;
	children: (props: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: 'true' }) => ComponentChildren;
}) {
	const id = useId();
	const hintId = hint ? `${id}-hint` : undefined;
	const errorId = error ? `${id}-error` : undefined;
	const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
	return (
		<div class="field">
			<label for={id}>{label}</label>
			{children({ id, 'aria-describedby': describedBy, ...(error ? { 'aria-invalid': 'true' as const } : {}) })}
			{hint && (
				<span class="field-hint" id={hintId}>
					{hint}
				</span>
			)}
			{error && (
				<span class="field-error" id={errorId}>
					{error}
				</span>
			)}
		</div>
	);
}

export function Checkbox({ label, checked, onChange, hint }: { label: string; checked: boolean; onChange: (value: boolean) => void; hint?: string }) {
	const id = useId();
	return (
		<div class="field">
			<label class="check" for={id}>
				<input id={id} type="checkbox" checked={checked} onChange={(event) => onChange(event.currentTarget.checked)} />
				{label}
			</label>
			{hint && <span class="field-hint">{hint}</span>}
		</div>
	);
}

export function Button({
	variant = 'default',
	size,
	icon,
	children,
	...props
}: {
	variant?: 'default' | 'primary' | 'danger' | 'ghost';
	size?: 'small' | 'large';
	icon?: Parameters<typeof Icon>[0]['name'];
	children?: ComponentChildren;
} & Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'size' | 'icon'>) {
	const classes = ['button', variant !== 'default' && `button-${variant}`, size && `button-${size}`, !children && 'icon-button']
		.filter(Boolean)
		.join(' ');
	return (
		<button type="button" class={classes} {...props}>
			{icon && <Icon name={icon} />}
			{children}
		</button>
	);
}

export function Avatar({ url, name, large }: { url?: string | null; name: string; large?: boolean }) {
	const [failed, setFailed] = useState(false);
	return (
		<span class={`avatar${large ? ' avatar-l' : ''}`} aria-hidden="true">
			{url && !failed ? <img src={url} alt="" onError={() => setFailed(true)} /> : (name.trim()[0] ?? '?').toUpperCase()}
		</span>
	);
}

export function Pagination({ page, pageCount, onPage }: { page: number; pageCount: number; onPage: (page: number) => void }) {
	return (
		<nav class="pagination" aria-label={t('dashboard:common.pagination')}>
			<Button size="small" disabled={page <= 1} onClick={() => onPage(page - 1)}>
				{t('dashboard:common.previous')}
			</Button>
			<span class="muted small" aria-live="polite">
				{t('dashboard:common.pageOf', { page, pages: Math.max(pageCount, 1) })}
			</span>
			<Button size="small" disabled={page >= pageCount} onClick={() => onPage(page + 1)}>
				{t('dashboard:common.next')}
			</Button>
		</nav>
	);
}

/** A modal <dialog>: the browser traps focus, Escape closes it, focus returns to the opener. */
export function Dialog({ open, onClose, title, children }: { open: boolean; onClose: () => void; title: string; children: ComponentChildren }) {
	const ref = useRef<HTMLDialogElement>(null);
	const headingId = useId();
	useEffect(() => {
		const dialog = ref.current;
		if (!dialog) return;
		if (open && !dialog.open) dialog.showModal();
		if (!open && dialog.open) dialog.close();
	}, [open]);
	return (
		<dialog ref={ref} aria-labelledby={headingId} onClose={onClose}>
			<div class="dialog-body">
				<h2 id={headingId}>{title}</h2>
				{children}
			</div>
		</dialog>
	);
}

/** Small tab list with arrow-key navigation (WAI-ARIA tabs pattern). */
export function Tabs<T extends string>({
	tabs,
	value,
	onChange,
	label
}: {
	tabs: Array<[T, string]>;
	value: T;
	onChange: (value: T) => void;
	label: string;
}) {
	const onKeyDown = (event: KeyboardEvent) => {
		const index = tabs.findIndex(([key]) => key === value);
		let next = index;
		if (event.key === 'ArrowRight') next = (index + 1) % tabs.length;
		else if (event.key === 'ArrowLeft') next = (index - 1 + tabs.length) % tabs.length;
		else if (event.key === 'Home') next = 0;
		else if (event.key === 'End') next = tabs.length - 1;
		else return;
		event.preventDefault();
		onChange(tabs[next]![0]);
		(event.currentTarget as HTMLElement).querySelectorAll<HTMLButtonElement>('[role=tab]')[next]?.focus();
	};
	return (
		<div class="tabs" role="tablist" aria-label={label} onKeyDown={onKeyDown}>
			{tabs.map(([key, text]) => (
				<button
					key={key}
					type="button"
					role="tab"
					class="tab"
					id={`tab-${key}`}
					aria-selected={key === value}
					aria-controls={`panel-${key}`}
					tabIndex={key === value ? 0 : -1}
					onClick={() => onChange(key)}
				>
					{text}
				</button>
			))}
		</div>
	);
}

/** A whole-page message (not found, no access) with one way onwards. */
export function MessagePage({ title, text, href, action }: { title: string; text?: string; href: string; action: string }) {
	return (
		<main id="main" class="centered" tabIndex={-1}>
			<div class="card login-card">
				<h1>{title}</h1>
				{text && <p>{text}</p>}
				<a class="button button-primary" href={href}>
					{action}
				</a>
			</div>
		</main>
	);
}

export function ChannelSelect({
	channels,
	value,
	onChange,
	hint
}: {
	channels: Channel[] | undefined;
	value: string | null;
	onChange: (channelId: string | null) => void;
	hint?: string;
}) {
	return (
		<Field label={t('dashboard:welcome.channel')} hint={hint}>
			{(props) => (
				<select {...props} value={value ?? ''} onChange={(event) => onChange(event.currentTarget.value || null)}>
					<option value="">{t('dashboard:welcome.chooseChannel')}</option>
					{(channels ?? []).map((channel) => (
						<option key={channel.id} value={channel.id}>
							{channel.botCanSend ? `#${channel.name}` : t('dashboard:common.channelClosed', { channel: channel.name })}
						</option>
					))}
				</select>
			)}
		</Field>
	);
}

/** A role's colour dot: the colour is the server's, set through the CSSOM (the CSP forbids style attributes). */
export function RoleDot({ color }: { color: string | null | undefined }) {
	const ref = useRef<HTMLSpanElement>(null);
	useEffect(() => {
		if (color) ref.current?.style.setProperty('--role-color', color);
		else ref.current?.style.removeProperty('--role-color');
	}, [color]);
	return <span class="role-dot" ref={ref} aria-hidden="true" />;
}
