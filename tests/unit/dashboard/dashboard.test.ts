import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { ServerResponse, IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serveStatic } from '../../../src/lib/dashboard/static-files.js';
import { serializeCookie } from '../../../src/lib/dashboard/http.js';
import { DashboardService, dashboardServedHere } from '../../../src/lib/dashboard/service.js';
import { DashboardSessions } from '../../../src/lib/dashboard/sessions.js';

const user = { id: '123456789012345678', username: 'admin', globalName: null, avatar: null };

describe('dashboard sessions', () => {
	it('accepts only the cookie it signed, until the session expires or is destroyed', () => {
		let now = 1_000_000;
		const sessions = new DashboardSessions(() => now);
		const session = sessions.create(user, 'access-token', 3600);
		const cookie = sessions.cookieValue(session);
		expect(sessions.fromCookie(cookie)).toBe(session);
		const [id, signature] = cookie.split('.');
		expect(sessions.fromCookie(`${id}.${signature!.slice(0, -2)}xx`)).toBeNull();
		expect(sessions.fromCookie(`${id}`)).toBeNull();
		// Another process' (or a restart's) key signs differently.
		expect(new DashboardSessions(() => now).fromCookie(cookie)).toBeNull();
		now += 3600_000;
		expect(sessions.fromCookie(cookie)).toBeNull();
		const second = sessions.create(user, 'access-token', 3600);
		sessions.destroy(second);
		expect(sessions.fromCookie(sessions.cookieValue(second))).toBeNull();
	});

	it('limits requests per bucket and window', () => {
		let now = 0;
		const sessions = new DashboardSessions(() => now);
		for (let index = 0; index < 3; index++) expect(sessions.allow('a', 3, 60_000).ok).toBe(true);
		expect(sessions.allow('a', 3, 60_000)).toEqual({ ok: false, retryAfterSeconds: 60 });
		expect(sessions.allow('b', 3, 60_000).ok).toBe(true);
		now = 60_000;
		expect(sessions.allow('a', 3, 60_000).ok).toBe(true);
	});
});

describe('dashboard static files', () => {
	const parent = mkdtempSync(join(tmpdir(), 'supreme-pages-'));
	const root = join(parent, 'dashboard');
	mkdirSync(join(root, 'assets'), { recursive: true });
	writeFileSync(join(root, 'index.html'), '<!doctype html><title>Dashboard</title>');
	writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
	writeFileSync(join(parent, 'outside-secret.txt'), 'secret');
	afterAll(() => rmSync(parent, { recursive: true, force: true }));

	async function get(path: string) {
		const response = new ServerResponse(new IncomingMessage(new Socket()));
		let body = '';
		response.end = ((chunk?: Buffer) => {
			body = chunk?.toString() ?? '';
			return response;
		}) as never;
		const served = await serveStatic(root, path, 'GET', response);
		return { served, status: response.statusCode, type: response.getHeader('content-type'), body };
	}

	it('serves files, index.html for page paths, and nothing outside its folder', async () => {
		expect(await get('/assets/app.js')).toMatchObject({ served: true, type: 'text/javascript; charset=utf-8', body: 'console.log(1)' });
		expect(await get('/')).toMatchObject({ served: true, type: 'text/html; charset=utf-8' });
		expect((await get('/guilds/123/welcome')).body).toContain('<title>Dashboard</title>');
		expect((await get('/missing.js')).served).toBe(false);
		for (const path of ['/../outside-secret.txt', '/%2e%2e/outside-secret.txt', '/assets/..%2f..%2foutside-secret.txt']) {
			const answer = await get(path);
			expect(answer.body, path).not.toContain('secret');
		}
	});
});

describe('which process serves the dashboard', () => {
	it('is a plain start, or shard 0 of a sharded one: two shards never both bind the port', () => {
		expect(dashboardServedHere({})).toBe(true);
		expect(dashboardServedHere({ SHARDS: '0' })).toBe(true);
		expect(dashboardServedHere({ SHARDS: '1' })).toBe(false);
		expect(dashboardServedHere({ SHARDS: '3' })).toBe(false);
	});
});

describe('dashboard cookies', () => {
	it('are httpOnly and SameSite=Lax, and Secure exactly when DASHBOARD_URL is https', () => {
		const dashboard = (url: string) => new DashboardService({ port: 8080, host: '127.0.0.1', url, clientId: '1', clientSecret: 'x' }, null, []);
		expect(dashboard('https://bot.example.com').secureCookies).toBe(true);
		expect(dashboard('http://127.0.0.1:8080').secureCookies).toBe(false);
		expect(serializeCookie('sb_session', 'a.b', { maxAgeSeconds: 60, secure: true })).toBe(
			'sb_session=a.b; Path=/; Max-Age=60; HttpOnly; SameSite=Lax; Secure'
		);
		expect(serializeCookie('sb_session', '', { maxAgeSeconds: 0, secure: false })).toBe('sb_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax');
	});
});
