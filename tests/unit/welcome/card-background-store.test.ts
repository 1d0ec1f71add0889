import { describe, expect, it } from 'vitest';
import { loadCanvas } from '../../../src/lib/canvas.js';
import { checkBackground, readBackground, storeBackground } from '../../../src/lib/welcome/card-background.js';
import { sniffImage } from '../../../src/lib/welcome/image-format.js';
import { createStorageFixture } from '../../helpers/storage.js';

async function picture(width: number, height: number, format: 'png' | 'jpeg'): Promise<Buffer> {
	const { createCanvas } = await loadCanvas();
	const canvas = createCanvas(width, height);
	const context = canvas.getContext('2d');
	context.fillStyle = '#3366cc';
	context.fillRect(0, 0, width, height);
	context.fillStyle = '#ffcc00';
	context.fillRect(width / 4, height / 4, width / 2, height / 2);
	return format === 'png' ? canvas.encode('png') : canvas.encode('jpeg', 90);
}

/** Review of issue 19, P2.6: a large background is scaled to the card once, when stored, not decoded in full per join. */
describe('storing a card background', () => {
	/** Stores the picture in fresh file storage; what was stored, what reads back, and its format and size. */
	async function store(bytes: Buffer) {
		const fixture = await createStorageFixture('file');
		try {
			const storage = await fixture.open();
			const stored = await storeBackground(storage, 'guild', bytes, await checkBackground(bytes), 'upload');
			const read = (await readBackground(storage, 'guild'))!;
			return { stored, read, info: sniffImage(read) };
		} finally {
			await fixture.dispose();
		}
	}

	it('keeps just enough to cover 1000×360: a 4000×3000 PNG becomes 1000×750, a wide JPEG stays JPEG at 360 high', async () => {
		const big = await store(await picture(4000, 3000, 'png'));
		expect(big.info).toEqual({ type: 'png', width: 1000, height: 750 });
		expect(big.stored).toMatchObject({ type: 'png', width: 1000, height: 750, bytes: big.read.length });
		const wide = await store(await picture(3000, 400, 'jpeg'));
		expect(wide.info).toEqual({ type: 'jpeg', width: 2700, height: 360 });
	});

	it('stores a picture no larger than the card as it came', async () => {
		const small = await picture(400, 200, 'png');
		const { read, stored } = await store(small);
		expect(read.equals(small)).toBe(true);
		expect(stored).toMatchObject({ width: 400, height: 200 });
	});
});
