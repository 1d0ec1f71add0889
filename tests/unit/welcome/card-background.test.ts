import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserError } from '@sapphire/framework';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadImage } from '../../../src/lib/welcome/card-background.js';

/** The refusal's language key, or the bytes. */
const outcome = (url: string, allowPrivate: boolean) =>
	downloadImage(url, { allowPrivate }).then(
		(bytes) => bytes.toString(),
		(error: unknown) => (error instanceof UserError ? error.identifier : String(error))
	);

describe('downloading a card background', () => {
	let server: Server;
	let port: number;

	beforeAll(async () => {
		server = createServer((request, response) => {
			if (request.url === '/image') return void response.end('image bytes');
			if (request.url === '/hop') return void response.writeHead(302, { location: '/image' }).end();
			if (request.url === '/loop') return void response.writeHead(302, { location: '/loop' }).end();
			response.writeHead(404).end();
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		port = (server.address() as AddressInfo).port;
	});

	afterAll(async () => {
		server.closeAllConnections();
		await new Promise((resolve) => server.close(resolve));
	});

	it("refuses the bot's own network by default: loopback by address or by name, private, link-local, mapped", async () => {
		for (const host of [
			`127.0.0.1:${port}`,
			`localhost:${port}`,
			'[::1]',
			'10.1.2.3',
			'169.254.169.254',
			'192.168.0.9',
			'[::ffff:127.0.0.1]',
			'0.0.0.0'
		])
			expect(await outcome(`http://${host}/image`, false), host).toBe('welcome:card.backgroundPrivateHost');
		expect(await outcome('ftp://example.com/image', false)).toBe('welcome:card.backgroundUrlInvalid');
		expect(await outcome('not a url', false)).toBe('welcome:card.backgroundUrlInvalid');
	});

	it('downloads where allowed, following redirects a few hops, and names a failed status', async () => {
		expect(await outcome(`http://127.0.0.1:${port}/image`, true)).toBe('image bytes');
		expect(await outcome(`http://127.0.0.1:${port}/hop`, true)).toBe('image bytes');
		expect(await outcome(`http://127.0.0.1:${port}/loop`, true)).toBe('welcome:card.backgroundStatus');
		expect(await outcome(`http://127.0.0.1:${port}/missing`, true)).toBe('welcome:card.backgroundStatus');
		expect(await outcome('http://127.0.0.1:1/image', true)).toBe('welcome:card.backgroundUnreachable');
	});
});
