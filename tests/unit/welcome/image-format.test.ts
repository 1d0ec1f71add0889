import { createCanvas } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import { sniffImage } from '../../../src/lib/welcome/image-format.js';

describe('image format and size from the first bytes', () => {
	const canvas = createCanvas(321, 123);
	canvas.getContext('2d').fillRect(0, 0, 321, 123);

	it('reads PNG, JPEG, lossy and lossless WebP and GIF headers', async () => {
		expect(sniffImage(await canvas.encode('png'))).toEqual({ type: 'png', width: 321, height: 123 });
		expect(sniffImage(await canvas.encode('jpeg'))).toEqual({ type: 'jpeg', width: 321, height: 123 });
		expect(sniffImage(await canvas.encode('webp', 80))).toEqual({ type: 'webp', width: 321, height: 123 });
		expect(sniffImage(await canvas.encode('webp', 100))).toMatchObject({ type: 'webp', width: 321, height: 123 });
		const gif = Buffer.concat([Buffer.from('GIF89a'), Buffer.from([0x41, 0x01, 0x7b, 0x00]), Buffer.alloc(8)]);
		expect(sniffImage(gif)).toEqual({ type: 'gif', width: 321, height: 123 });
	});

	it('knows nothing else, whatever its name', () => {
		for (const bytes of [Buffer.alloc(0), Buffer.from('<html>'), Buffer.from('ffd8ff', 'hex'), Buffer.from('RIFF0000WAVEfmt ')])
			expect(sniffImage(bytes)).toBeNull();
	});
});
