import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardAltText, CARD_HEIGHT, CARD_WIDTH, defaultCardText, fetchAvatar, initialOf, renderCard } from '../../../src/lib/welcome/card.js';
import { languageT } from '../../helpers/i18n.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function solidPng(color: string): Buffer {
	const canvas = createCanvas(64, 64);
	const context = canvas.getContext('2d');
	context.fillStyle = color;
	context.fillRect(0, 0, 64, 64);
	return canvas.toBuffer('image/png');
}

/** The color at the avatar's center, where the avatar (or the drawn initial's background) is. */
async function avatarCenterPixel(png: Buffer): Promise<number[]> {
	const image = await loadImage(png);
	const canvas = createCanvas(CARD_WIDTH, CARD_HEIGHT);
	const context = canvas.getContext('2d');
	context.drawImage(image, 0, 0);
	// Left of the center: the initial's letter is drawn in the middle.
	return [...context.getImageData(100, CARD_HEIGHT / 2, 1, 1).data];
}

describe('welcome card', () => {
	it('is a PNG of the card size, with the avatar drawn in', async () => {
		const png = await renderCard({
			title: 'WELCOME',
			name: 'bob',
			subtitle: 'to Cool Server',
			footer: 'Member #42',
			avatar: solidPng('#ff0000')
		});
		expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
		const image = await loadImage(png);
		expect([image.width, image.height]).toEqual([CARD_WIDTH, CARD_HEIGHT]);
		expect(await avatarCenterPixel(png)).toEqual([255, 0, 0, 255]);
	});

	it('draws the initial when there is no avatar or it is not an image', async () => {
		for (const avatar of [null, Buffer.from('not an image')]) {
			const png = await renderCard({ title: 'GOODBYE', name: 'élodie', subtitle: 'left Cool Server', footer: '41 members now', avatar });
			expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
			const [red, green, blue] = await avatarCenterPixel(png);
			expect([red, green, blue]).not.toEqual([255, 0, 0]);
		}
		expect(initialOf('élodie')).toBe('É');
		expect(initialOf('👩‍👩‍👧 family')).toBe('👩‍👩‍👧');
		expect(initialOf('  ')).toBe('?');
	});

	it('fits a long name and server without failing', async () => {
		const png = await renderCard({
			title: 'WELCOME',
			name: 'W'.repeat(32),
			subtitle: `to ${'S'.repeat(100)}`,
			footer: 'Member #999999999',
			avatar: null
		});
		expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
	});
});

describe("the card's text", () => {
	const facts = { name: 'bob', serverName: 'Cool Server', memberCount: 1234 };

	it('comes from the language files, numbers written the way the language does', () => {
		expect(defaultCardText(languageT('en-US'), 'welcome', facts)).toEqual({
			title: 'WELCOME',
			name: 'bob',
			subtitle: 'to Cool Server',
			footer: 'Member #1,234'
		});
		expect(defaultCardText(languageT('de'), 'welcome', facts)).toMatchObject({ title: 'WILLKOMMEN', footer: 'Mitglied Nr. 1.234' });
		expect(defaultCardText(languageT('fr'), 'goodbye', facts)).toMatchObject({ title: 'AU REVOIR', footer: '1\u202f234 membres désormais' });
		expect(defaultCardText(languageT('pt-BR'), 'goodbye', { ...facts, memberCount: 1 }).footer).toBe('Agora 1 membro');
		expect(cardAltText(languageT('es-ES'), 'welcome', 'bob')).toBe('Tarjeta de bienvenida para bob');
	});
});

describe('fetchAvatar', () => {
	let server: Server;
	let base: string;
	const avatar = solidPng('#00ff00');

	beforeAll(async () => {
		server = createServer((request, response) => {
			if (request.url === '/ok.png') return void response.end(avatar);
			if (request.url === '/hang.png') return; // never answers
			response.statusCode = 404;
			response.end();
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});

	afterAll(async () => {
		server.closeAllConnections();
		await new Promise((resolve) => server.close(resolve));
	});

	it('returns the bytes, or null for an error status, a server that hangs, or no server', async () => {
		expect(await fetchAvatar(`${base}/ok.png`)).toEqual(avatar);
		expect(await fetchAvatar(`${base}/missing.png`)).toBeNull();
		expect(await fetchAvatar(`${base}/hang.png`, 200)).toBeNull();
		expect(await fetchAvatar('http://127.0.0.1:1/avatar.png')).toBeNull();
		expect(await fetchAvatar('not a url')).toBeNull();
	});
});
