/**
 * What an image file is, read from its first bytes: the format by its signature (never by the name or the
 * Content-Type a server or client claims) and the size its header declares, so that a small file declaring a huge
 * picture is refused before anything decodes it.
 */

export const IMAGE_TYPES = ['png', 'jpeg', 'webp', 'gif'] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];

export interface ImageInfo {
	type: ImageType;
	width: number;
	height: number;
}

/** The format and declared size, or null when the bytes are not a PNG, JPEG, WebP or GIF we can read the size of. */
export function sniffImage(bytes: Buffer): ImageInfo | null {
	if (bytes.length >= 24 && bytes.readUInt32BE(0) === 0x89504e47 && bytes.subarray(12, 16).toString('latin1') === 'IHDR')
		return { type: 'png', width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
	if (bytes.length >= 10 && /^GIF8[79]a$/.test(bytes.subarray(0, 6).toString('latin1')))
		return { type: 'gif', width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) };
	if (bytes.length >= 30 && bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP')
		return webpSize(bytes);
	if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return jpegSize(bytes);
	return null;
}

/** The first chunk of a WebP says its size: VP8X (extended), VP8L (lossless) or VP8 (lossy). */
function webpSize(bytes: Buffer): ImageInfo | null {
	const chunk = bytes.subarray(12, 16).toString('latin1');
	if (chunk === 'VP8X') return { type: 'webp', width: bytes.readUIntLE(24, 3) + 1, height: bytes.readUIntLE(27, 3) + 1 };
	if (chunk === 'VP8L' && bytes[20] === 0x2f) {
		const bits = bytes.readUInt32LE(21);
		return { type: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
	}
	if (chunk === 'VP8 ' && bytes.readUIntBE(23, 3) === 0x9d012a)
		return { type: 'webp', width: bytes.readUInt16LE(26) & 0x3fff, height: bytes.readUInt16LE(28) & 0x3fff };
	return null;
}

/** A JPEG's size is in its start-of-frame segment (SOF0…SOF15 but DHT, JPG and DAC), after any others. */
function jpegSize(bytes: Buffer): ImageInfo | null {
	let offset = 2;
	while (offset + 9 < bytes.length) {
		if (bytes[offset] !== 0xff) return null;
		const marker = bytes[offset + 1]!;
		if (marker === 0xff) {
			offset++;
			continue;
		}
		const length = bytes.readUInt16BE(offset + 2);
		if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
			return { type: 'jpeg', height: bytes.readUInt16BE(offset + 5), width: bytes.readUInt16BE(offset + 7) };
		offset += 2 + length;
	}
	return null;
}
