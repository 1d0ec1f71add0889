import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserError } from '@sapphire/framework';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadImage, isPrivateAddress, type AddressPolicy } from '../../../src/lib/welcome/card-background.js';

/** The refusal's language key, or the bytes. */
const outcome = (url: string, allowPrivate: boolean, policy?: AddressPolicy) =>
	downloadImage(url, { allowPrivate, policy }).then(
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
			if (request.url === '/inside') return void response.writeHead(302, { location: `http://inside.test:${port}/image` }).end();
			if (request.url === '/inside-ip') return void response.writeHead(301, { location: `http://127.0.0.2:${port}/image` }).end();
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
			'0.0.0.0',
			'[::7f00:1]',
			'[64:ff9b::a9fe:a9fe]',
			'[2002:7f00:1::]',
			'[fd00::1]'
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

	/**
	 * A stand-in for a public host: the test server is on 127.0.0.1, so this policy treats that one address as public
	 * and every other private address as what it is. `public.test` is that host; `inside.test` is 127.0.0.2;
	 * `rebind.test` answers public first and private after (DNS rebinding).
	 */
	function policy(): AddressPolicy & { lookups: string[] } {
		const lookups: string[] = [];
		return {
			lookups,
			resolve: (hostname) => {
				lookups.push(hostname);
				if (hostname === 'public.test') return Promise.resolve(['127.0.0.1']);
				if (hostname === 'inside.test') return Promise.resolve(['127.0.0.2']);
				if (hostname === 'rebind.test')
					return Promise.resolve([lookups.filter((name) => name === hostname).length === 1 ? '127.0.0.1' : '127.0.0.2']);
				return Promise.resolve([]);
			},
			refused: (address) => address !== '127.0.0.1' && isPrivateAddress(address)
		};
	}

	it('refuses a public host that redirects to a private address, by name or by address', async () => {
		expect(await outcome(`http://public.test:${port}/image`, false, policy())).toBe('image bytes');
		expect(await outcome(`http://public.test:${port}/inside`, false, policy())).toBe('welcome:card.backgroundPrivateHost');
		expect(await outcome(`http://public.test:${port}/inside-ip`, false, policy())).toBe('welcome:card.backgroundPrivateHost');
		expect(await outcome(`http://nowhere.test:${port}/image`, false, policy())).toBe('welcome:card.backgroundUnreachable');
	});

	it('connects to the very address it checked: a name is resolved once per connection', async () => {
		const rebinding = policy();
		expect(await outcome(`http://rebind.test:${port}/image`, false, rebinding)).toBe('image bytes');
		expect(rebinding.lookups).toEqual(['rebind.test']);
	});
});
