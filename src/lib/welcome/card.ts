import type { Image, SKRSContext2D } from '@napi-rs/canvas';

/** What a welcome (or goodbye) card shows. */
export interface CardContent {
	/** "WELCOME" or "GOODBYE". */
	title: string;
	name: string;
	/** The line under the name, e.g. "to My Server". */
	subtitle: string;
	/** The last line, e.g. "Member #42". */
	footer: string;
	/** The avatar image bytes; null draws the name's initial instead. */
	avatar: Buffer | null;
}

export const CARD_WIDTH = 1000;
export const CARD_HEIGHT = 360;
const AVATAR_RADIUS = 120;
const AVATAR_CENTER = { x: 60 + AVATAR_RADIUS, y: CARD_HEIGHT / 2 };
const TEXT_LEFT = AVATAR_CENTER.x + AVATAR_RADIUS + 50;
const TEXT_WIDTH = CARD_WIDTH - TEXT_LEFT - 50;
const FONT = '"DejaVu Sans", "Noto Sans", "Liberation Sans", Arial, sans-serif';
/** Avatars are a few hundred kB at most; anything bigger is not an avatar. */
const MAX_AVATAR_BYTES = 8 * 1024 * 1024;

/**
 * Skia and its fonts take about 25 MB once loaded: loaded on the first card, not at startup, so bots that never send
 * a card never pay for it.
 */
const loadCanvas = () => import('@napi-rs/canvas');

/** Renders the card as a PNG. Never needs the network: the avatar bytes are fetched (or not) beforehand. */
export async function renderCard(content: CardContent): Promise<Buffer> {
	const { createCanvas } = await loadCanvas();
	const canvas = createCanvas(CARD_WIDTH, CARD_HEIGHT);
	const context = canvas.getContext('2d');

	const background = context.createLinearGradient(0, 0, CARD_WIDTH, CARD_HEIGHT);
	background.addColorStop(0, '#23272a');
	background.addColorStop(1, '#3b3f8f');
	context.fillStyle = background;
	context.fillRect(0, 0, CARD_WIDTH, CARD_HEIGHT);

	await drawAvatar(context, content);

	context.fillStyle = '#b9bbbe';
	context.textBaseline = 'alphabetic';
	context.font = `bold 34px ${FONT}`;
	context.fillText(content.title, TEXT_LEFT, 105, TEXT_WIDTH);
	context.fillStyle = '#ffffff';
	fitText(context, content.name, 'bold', 64, 28);
	context.fillText(content.name, TEXT_LEFT, 185, TEXT_WIDTH);
	context.fillStyle = '#dcddde';
	fitText(context, content.subtitle, '', 34, 18);
	context.fillText(content.subtitle, TEXT_LEFT, 240, TEXT_WIDTH);
	context.fillStyle = '#8e9297';
	context.font = `28px ${FONT}`;
	context.fillText(content.footer, TEXT_LEFT, 295, TEXT_WIDTH);

	return canvas.encode('png');
}

/** The largest font size between `max` and `min` at which the text fits the text column. */
function fitText(context: SKRSContext2D, text: string, weight: string, max: number, min: number): void {
	let size = max;
	for (; size > min; size -= 2) {
		context.font = `${weight} ${size}px ${FONT}`.trim();
		if (context.measureText(text).width <= TEXT_WIDTH) return;
	}
	context.font = `${weight} ${min}px ${FONT}`.trim();
}

async function drawAvatar(context: SKRSContext2D, content: CardContent): Promise<void> {
	const { x, y } = AVATAR_CENTER;
	const image = content.avatar ? await decodeImage(content.avatar) : null;
	context.save();
	context.beginPath();
	context.arc(x, y, AVATAR_RADIUS, 0, Math.PI * 2);
	context.closePath();
	context.clip();
	if (image) {
		context.drawImage(image, x - AVATAR_RADIUS, y - AVATAR_RADIUS, AVATAR_RADIUS * 2, AVATAR_RADIUS * 2);
	} else {
		context.fillStyle = colorFor(content.name);
		context.fillRect(x - AVATAR_RADIUS, y - AVATAR_RADIUS, AVATAR_RADIUS * 2, AVATAR_RADIUS * 2);
		context.fillStyle = '#ffffff';
		context.font = `bold 120px ${FONT}`;
		context.textAlign = 'center';
		context.textBaseline = 'middle';
		context.fillText(initialOf(content.name), x, y + 6);
	}
	context.restore();
	context.strokeStyle = '#ffffff';
	context.lineWidth = 6;
	context.beginPath();
	context.arc(x, y, AVATAR_RADIUS, 0, Math.PI * 2);
	context.stroke();
}

async function decodeImage(bytes: Buffer): Promise<Image | null> {
	try {
		const { loadImage } = await loadCanvas();
		return await loadImage(bytes);
	} catch {
		return null;
	}
}

/** The first character (a whole emoji or accented letter, not half of one), upper-cased; "?" for an empty name. */
export function initialOf(name: string): string {
	const [first] = new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(name.trim());
	return first ? first.segment.toUpperCase() : '?';
}

/** The same name always gets the same color. */
function colorFor(name: string): string {
	let hash = 0;
	for (const char of name) hash = (hash * 31 + char.codePointAt(0)!) >>> 0;
	return `hsl(${hash % 360}, 55%, 45%)`;
}

/**
 * Fetches an avatar with a short timeout; null when it cannot be had (no network, an error status, not an image
 * size), so the card falls back to the initial instead of failing or waiting.
 */
export async function fetchAvatar(url: string, timeoutMs = 2000): Promise<Buffer | null> {
	try {
		const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
		if (!response.ok) return null;
		const declared = Number(response.headers.get('content-length') ?? 0);
		if (declared > MAX_AVATAR_BYTES) return null;
		const bytes = Buffer.from(await response.arrayBuffer());
		return bytes.length > 0 && bytes.length <= MAX_AVATAR_BYTES ? bytes : null;
	} catch {
		return null;
	}
}
