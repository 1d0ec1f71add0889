import { BrandMark, Icon } from '../components/icons.js';
import { Notice } from '../components/ui.js';
import { t } from '../i18n.js';

const LOGIN_ERRORS = ['denied', 'bad_state', 'exchange_failed'] as const;

export function LoginPage() {
	// The OAuth callback sends failures back as /?error=<code>.
	const code = new URLSearchParams(location.search).get('error');
	const error = LOGIN_ERRORS.find((known) => known === code);
	return (
		<main id="main" class="centered" tabIndex={-1}>
			<div class="card login-card">
				<BrandMark />
				<div class="stack">
					<h1>{t('dashboard:login.title')}</h1>
					<p>{t('dashboard:login.description')}</p>
				</div>
				{code && <Notice tone="danger">{t(`dashboard:login.errors.${error ?? 'exchange_failed'}`)}</Notice>}
				<a class="button button-large discord-button" href="/oauth/login">
					{t('dashboard:login.button')}
				</a>
				<ul class="features">
					{(['invites', 'welcome', 'giveaways', 'data'] as const).map((feature) => (
						<li key={feature}>
							<Icon name="check" />
							{t(`dashboard:login.features.${feature}`)}
						</li>
					))}
				</ul>
				<p class="small">{t('dashboard:login.permission')}</p>
			</div>
		</main>
	);
}
