import { ApplyOptions } from '@sapphire/decorators';
import { Middleware } from '@sapphire/plugin-api';
import { fileURLToPath } from 'node:url';
import { SECURITY_HEADERS } from '../lib/dashboard/http.js';
import { isApiPath, serveStatic } from '../lib/dashboard/static-files.js';

/** The built front-end (i21-web's `npm run build` output): dist/dashboard/, this file being dist/middlewares/*.js. */
const PAGES_DIRECTORY = fileURLToPath(new URL('../dashboard/', import.meta.url)).replace(/[/\\]$/, '');

/** First of all middlewares: security headers on every answer, then the pages (anything outside /api and /oauth). */
@ApplyOptions<Middleware.Options>({ position: 5 })
export class DashboardSecurityMiddleware extends Middleware {
	public override async run(request: Middleware.Request, response: Middleware.Response): Promise<void> {
		for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
		const { pathname } = new URL(request.url ?? '/', 'http://dashboard.local');
		if (pathname.startsWith('/oauth/')) response.setHeader('Referrer-Policy', 'no-referrer');
		if ((request.method === 'GET' || request.method === 'HEAD') && !isApiPath(pathname)) {
			if (!(await serveStatic(PAGES_DIRECTORY, pathname, request.method, response))) {
				response.statusCode = 404;
				response.setHeader('Content-Type', 'text/plain; charset=utf-8');
				response.end('Not found');
			}
		}
	}
}
