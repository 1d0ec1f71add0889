import { readFile, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.mjs': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.json': 'application/json; charset=utf-8',
	'.svg': 'image/svg+xml',
	'.png': 'image/png',
	'.jpg': 'image/jpeg',
	'.webp': 'image/webp',
	'.ico': 'image/x-icon',
	'.woff2': 'font/woff2',
	'.woff': 'font/woff',
	'.txt': 'text/plain; charset=utf-8',
	'.map': 'application/json; charset=utf-8'
};

/** Paths the API owns: never answered with a page. */
export function isApiPath(pathname: string): boolean {
	return pathname === '/api' || pathname.startsWith('/api/') || pathname === '/oauth' || pathname.startsWith('/oauth/');
}

/**
 * Serves the built pages (dist/dashboard/): a file if it exists, `index.html` for page paths without an extension
 * (the front-end routes them). Returns false when nothing was sent.
 */
export async function serveStatic(root: string, pathname: string, method: string, response: ServerResponse): Promise<boolean> {
	let decoded: string;
	try {
		decoded = decodeURIComponent(pathname);
	} catch {
		return false;
	}
	if (decoded.includes('\0')) return false;
	const wanted = normalize(join(root, decoded));
	// No way out of the folder (`/../`), whatever the encoding.
	if (wanted !== root && !wanted.startsWith(root.endsWith(sep) ? root : `${root}${sep}`)) return false;
	let file = wanted;
	if (!(await isFile(file))) {
		if (extname(decoded) !== '') return false;
		file = join(root, 'index.html');
		if (!(await isFile(file))) return false;
	}
	const body = await readFile(file);
	response.statusCode = 200;
	response.setHeader('Content-Type', CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream');
	response.setHeader('Content-Length', body.length);
	// Hashed asset names may be cached; the page itself is always fetched fresh so a new build shows at once.
	response.setHeader('Cache-Control', file.endsWith('.html') ? 'no-cache' : 'public, max-age=3600');
	response.end(method === 'HEAD' ? undefined : body);
	return true;
}

async function isFile(path: string): Promise<boolean> {
	try {
		return (await stat(path)).isFile();
	} catch {
		return false;
	}
}
