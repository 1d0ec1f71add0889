import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Where page screenshots go (ignored by git; CI keeps the folder as the run's artifacts). */
export const ARTIFACTS_DIRECTORY = fileURLToPath(new URL('../../test-artifacts/dashboard/', import.meta.url));

/** Debian's Chromium (`apt-get install chromium`, which .ci/run does when it is missing), or CHROMIUM_PATH. */
export function chromiumPath(): string {
	const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((path): path is string => Boolean(path));
	const found = candidates.find((path) => existsSync(path));
	if (!found) throw new Error(`No Chromium found (looked at ${candidates.join(', ')}): apt-get install chromium, or set CHROMIUM_PATH`);
	return found;
}

/**
 * Headless Chromium as a test browser: no sandbox (tests run as root in containers), and none of the browser's own
 * traffic (updates, safe browsing, metrics), so a test talks only to 127.0.0.1.
 */
export function launchBrowser(): Promise<Browser> {
	return chromium.launch({
		executablePath: chromiumPath(),
		headless: true,
		args: [
			'--no-sandbox',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-default-apps',
			'--disable-sync',
			'--metrics-recording-only',
			'--no-first-run',
			'--disable-dev-shm-usage'
		]
	});
}

export async function newPage(
	browser: Browser,
	options: { locale?: string; colorScheme?: 'light' | 'dark' } = {}
): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
	const context = await browser.newContext({
		viewport: { width: 1360, height: 900 },
		deviceScaleFactor: 1,
		locale: options.locale ?? 'en-US',
		colorScheme: options.colorScheme ?? 'light',
		timezoneId: 'UTC'
	});
	const page = await context.newPage();
	// A CSP violation or a script error is a bug of the pages: collected, and asserted empty by the tests.
	const problems: string[] = [];
	page.on('console', (message) => {
		if (message.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(message.text()))
			problems.push(`console: ${message.text()}`);
	});
	page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
	return { context, page, problems };
}

/**
 * A screenshot kept as an artifact: test-artifacts/dashboard/<name>.png; the whole page, or only the viewport (a modal
 * dialog's backdrop covers the viewport).
 */
export async function screenshot(page: Page, name: string, { fullPage = true } = {}): Promise<string> {
	mkdirSync(ARTIFACTS_DIRECTORY, { recursive: true });
	const path = join(ARTIFACTS_DIRECTORY, `${name}.png`);
	// Toasts come and go: wait for them to leave so a screenshot shows the page, not a moment.
	await page
		.locator('.toast')
		.first()
		.waitFor({ state: 'detached', timeout: 10_000 })
		.catch(() => undefined);
	// A click may have scrolled: from the top, the sticky top bar sits where it belongs in a full-page picture.
	await page.evaluate('window.scrollTo(0, 0)');
	await page.screenshot({ path, fullPage, animations: 'disabled' });
	return path;
}
