import type { Image, SKRSContext2D } from '@napi-rs/canvas';
import type { TFunction } from '@sapphire/plugin-i18next';
import { CANVAS_FONT, loadCanvas } from '../canvas.js';

/** What a welcome (or goodbye) card shows. */
export interface CardContent {
	/** The heading, e.g. "WELCOME" (in the server's language, or the admin's first text line). */
	title: string;
	/** The big line; its first letter stands in for a missing avatar. */
	name: string;
	/** The line under the name, e.g. "to My Server". */
	subtitle: string;
	/** The last line, e.g. "Member #42". */
	footer: string;
	/** The avatar image bytes; null draws the initial of `initialOf` (default: `name`) instead. */
	avatar: Buffer | null;
	/** The member's name, when the big line is an admin's text rather than the name. */
	initialOf?: string;
}

/** How a server's cards look (/welcome-card); DEFAULT_CARD_STYLE is the card without a design. */
export interface CardStyle {
	/** Stored image bytes, drawn to cover the card; null: the gradient of `backgroundColor`. */
	background: Buffer | null;
	backgroundColor: string;
	/** The heading and the ring around the avatar. */
	accentColor: string;
	textColor: string;
	avatar: boolean;
}

export const DEFAULT_CARD_STYLE: CardStyle = {
	background: null,
	backgroundColor: '#23272a',
	accentColor: '#b9bbbe',
	textColor: '#ffffff',
	avatar: true
};

/** What the default text of a card is made of. */
export interface CardFacts {
	name: string;
	serverName: string;
	memberCount: number;
}

/** The card's own text in the server's language (numbers through Intl); the admin's lines replace it when set. */
export function defaultCardText(t: TFunction, kind: 'welcome' | 'goodbye', facts: CardFacts): Omit<CardContent, 'avatar'> {
	const vars = { server: facts.serverName, count: facts.memberCount };
	return kind === 'welcome'
		? {
				title: t('welcome:card.welcomeTitle'),
				name: facts.name,
				subtitle: t('welcome:card.welcomeSubtitle', vars),
				footer: t('welcome:card.memberNumber', vars)
			}
		: {
				title: t('welcome:card.goodbyeTitle'),
				name: facts.name,
				subtitle: t('welcome:card.goodbyeSubtitle', vars),
				footer: t('welcome:card.membersNow', vars)
			};
}

/** The attachment's alt text (Discord's attachment `description`), for screen readers. */
export function cardAltText(t: TFunction, kind: 'welcome' | 'goodbye', name: string): string {
	return t(kind === 'welcome' ? 'welcome:card.welcomeAlt' : 'welcome:card.goodbyeAlt', { name });
}

export const CARD_WIDTH = 1000;
export const CARD_HEIGHT = 360;
const AVATAR_RADIUS = 120;
const AVATAR_CENTER = { x: 60 + AVATAR_RADIUS, y: CARD_HEIGHT / 2 };
const MARGIN = 50;
/** Avatars are a few hundred kB at most; anything bigger is not an avatar. */
const MAX_AVATAR_BYTES = 8 * 1024 * 1024;

/** Renders the card as a PNG. Never needs the network: the avatar and background bytes are at hand beforehand. */
export async function renderCard(content: CardContent, style: CardStyle = DEFAULT_CARD_STYLE): Promise<Buffer> {
	const { createCanvas } = await loadCanvas();
	const canvas = createCanvas(CARD_WIDTH, CARD_HEIGHT);
	const context = canvas.getContext('2d');

	await drawBackground(context, style);
	if (style.avatar) await drawAvatar(context, content, style);

	const left = style.avatar ? AVATAR_CENTER.x + AVATAR_RADIUS + MARGIN : 60;
	const width = CARD_WIDTH - left - MARGIN;
	context.textBaseline = 'alphabetic';
	context.fillStyle = style.accentColor;
	fitText(context, content.title, 'bold', 34, 18, width);
	context.fillText(content.title, left, 105, width);
	context.fillStyle = style.textColor;
	fitText(context, content.name, 'bold', 64, 28, width);
	context.fillText(content.name, left, 185, width);
	fitText(context, content.subtitle, '', 34, 18, width);
	context.fillText(content.subtitle, left, 240, width);
	context.globalAlpha = 0.75;
	fitText(context, content.footer, '', 28, 16, width);
	context.fillText(content.footer, left, 295, width);
	context.globalAlpha = 1;

	return canvas.encode('png');
}

async function drawBackground(context: SKRSContext2D, style: CardStyle): Promise<void> {
	const image = style.background ? await decodeImage(style.background) : null;
	if (image) {
		// Cover: scaled to fill the card, centred, the overflow cut off.
		const scale = Math.max(CARD_WIDTH / image.width, CARD_HEIGHT / image.height);
		const width = image.width * scale;
		const height = image.height * scale;
		context.drawImage(image, (CARD_WIDTH - width) / 2, (CARD_HEIGHT - height) / 2, width, height);
		// A dark veil keeps light text readable on any picture.
		context.fillStyle = 'rgba(0, 0, 0, 0.35)';
		context.fillRect(0, 0, CARD_WIDTH, CARD_HEIGHT);
		return;
	}
	const gradient = context.createLinearGradient(0, 0, CARD_WIDTH, CARD_HEIGHT);
	gradient.addColorStop(0, style.backgroundColor);
	gradient.addColorStop(1, '#3b3f8f');
	context.fillStyle = gradient;
	context.fillRect(0, 0, CARD_WIDTH, CARD_HEIGHT);
}

/** The largest font size between `max` and `min` at which the text fits the text column. */
function fitText(context: SKRSContext2D, text: string, weight: string, max: number, min: number, width: number): void {
	let size = max;
	for (; size > min; size -= 2) {
		context.font = `${weight} ${size}px ${CANVAS_FONT}`.trim();
		if (context.measureText(text).width <= width) return;
	}
	context.font = `${weight} ${min}px ${CANVAS_FONT}`.trim();
}

async function drawAvatar(context: SKRSContext2D, content: CardContent, style: CardStyle): Promise<void> {
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
		context.fillStyle = colorFor(content.initialOf ?? content.name);
		context.fillRect(x - AVATAR_RADIUS, y - AVATAR_RADIUS, AVATAR_RADIUS * 2, AVATAR_RADIUS * 2);
		context.fillStyle = '#ffffff';
		context.font = `bold 120px ${CANVAS_FONT}`;
		context.textAlign = 'center';
		context.textBaseline = 'middle';
		context.fillText(initialOf(content.initialOf ?? content.name), x, y + 6);
	}
	context.restore();
	context.strokeStyle = style.accentColor;
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
