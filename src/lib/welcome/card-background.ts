import { createHash } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { UserError } from '@sapphire/framework';
import type { Storage } from '../../storage-adapters/types.js';
import { loadCanvas } from '../canvas.js';
import { CARD_HEIGHT, CARD_WIDTH } from './card.js';
import { refusal } from '../interaction-reply.js';
import { sniffImage, type ImageInfo } from './image-format.js';

/**
 * The background image of a server's welcome card. It is downloaded once, when an admin sets it, checked, and stored
 * with the data (namespace `welcome-cards`, key `<guildId>`), so it is in every backup and restore and a card never
 * waits for (or breaks with) someone else's server at a member's join.
 */
export const CARD_BACKGROUND_NAMESPACE = 'welcome-cards';

/** 1 MiB, as downloaded or uploaded; what is stored is scaled to the card first (storeBackground). */
export const MAX_BACKGROUND_BYTES = 1024 * 1024;
/** Larger pictures are scaled down to 1000 pixels anyway, and decoding one costs width × height × 4 bytes of memory. */
export const MAX_BACKGROUND_SIDE = 4096;
const DOWNLOAD_TIMEOUT_MS = 10_000;
const MEGABYTE = 1024 * 1024;

export interface StoredBackground extends ImageInfo {
	/** The image file, base64. */
	data: string;
	bytes: number;
	sha256: string;
	source: 'upload' | 'url';
	storedAt: number;
}

const tooLarge = (bytes: number) =>
	// Rounded up, so that a file just over the limit never reads as the limit itself.
	refusal('welcome:card.backgroundTooLarge', { size: Math.ceil((bytes / MEGABYTE) * 10) / 10, limit: MAX_BACKGROUND_BYTES / MEGABYTE });

/**
 * Addresses of the bot's own host and network: loopback, private, link-local (cloud metadata), CGNAT, unspecified,
 * multicast, and the IPv6 forms that carry an IPv4 address (IPv4-compatible ::/96, NAT64 64:ff9b::/96, 6to4 2002::/16).
 */
const PRIVATE_ADDRESSES = new BlockList();
for (const [network, prefix] of [
	['0.0.0.0', 8],
	['10.0.0.0', 8],
	['100.64.0.0', 10],
	['127.0.0.0', 8],
	['169.254.0.0', 16],
	['172.16.0.0', 12],
	['192.168.0.0', 16],
	['198.18.0.0', 15],
	['224.0.0.0', 3]
] as const)
	PRIVATE_ADDRESSES.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
	['::', 96],
	['64:ff9b::', 96],
	['2002::', 16],
	['fc00::', 7],
	['fe80::', 10],
	['ff00::', 8]
] as const)
	PRIVATE_ADDRESSES.addSubnet(network, prefix, 'ipv6');

export function isPrivateAddress(address: string): boolean {
	const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
	if (mapped) return PRIVATE_ADDRESSES.check(mapped, 'ipv4');
	return PRIVATE_ADDRESSES.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

/** How names are resolved and which addresses are refused; tests give their own (a name that rebinds, a redirect). */
export interface AddressPolicy {
	resolve(hostname: string): Promise<string[]>;
	refused(address: string): boolean;
}

const SYSTEM_POLICY: AddressPolicy = {
	resolve: async (hostname) => (await lookup(hostname, { all: true })).map((entry) => entry.address),
	refused: isPrivateAddress
};

/** Thrown by the connect-time lookup; becomes the `backgroundPrivateHost` refusal. */
class PrivateAddressError extends Error {}

/**
 * A `lookup` for http(s).request: the name is resolved once, at connect time, and the connection goes to exactly the
 * address checked here, so a name that answers with a public address first and a private one next (DNS rebinding)
 * cannot slip through between a check and the connection.
 */
function guardedLookup(policy: AddressPolicy, allowPrivate: boolean): LookupFunction {
	return (hostname, options, callback) => {
		policy.resolve(hostname).then(
			(addresses) => {
				if (addresses.length === 0) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '', 4);
				if (!allowPrivate && addresses.some((address) => policy.refused(address))) return callback(new PrivateAddressError(hostname), '', 4);
				const entries = addresses.map((address) => ({ address, family: isIP(address) }));
				// With autoSelectFamily, net asks for every address; otherwise for one.
				if (options.all) return (callback as unknown as (error: null, entries: LookupAddress[]) => void)(null, entries);
				callback(null, entries[0]!.address, entries[0]!.family);
			},
			(error: NodeJS.ErrnoException) => callback(error, '', 4)
		);
	};
}

/** Refuses a URL that is not http(s), or (unless allowed) one whose host is a private address (names: at connect time). */
function checkUrl(url: URL, allowPrivate: boolean, policy: AddressPolicy): void {
	if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refusal('welcome:card.backgroundUrlInvalid', { url: url.href });
	const hostname = url.hostname.replace(/^\[|\]$/g, '');
	// An address in the URL is connected to without a lookup.
	if (!allowPrivate && isIP(hostname) && policy.refused(hostname)) throw refusal('welcome:card.backgroundPrivateHost', { host: url.host });
}

const MAX_REDIRECTS = 5;

/** One GET, its headers; the body is read by the caller. */
function get(url: URL, signal: AbortSignal, lookupAddress: LookupFunction): Promise<IncomingMessage> {
	return new Promise((resolve, reject) => {
		const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
			signal,
			lookup: lookupAddress,
			headers: { accept: 'image/*' }
		});
		request.once('response', resolve).once('error', reject).end();
	});
}

/**
 * Downloads an image with a time limit, refusing it as soon as it is known to be too large (the declared size, or
 * the bytes as they arrive); every failure is a refusal that says what went wrong. Redirects are followed by hand, and
 * every hop's address is checked when it is connected to (`allowPrivate` for URLs that come from Discord, not an admin).
 */
export async function downloadImage(
	url: string,
	{ allowPrivate, policy = SYSTEM_POLICY }: { allowPrivate: boolean; policy?: AddressPolicy }
): Promise<Buffer> {
	let current: URL;
	try {
		current = new URL(url);
	} catch {
		throw refusal('welcome:card.backgroundUrlInvalid', { url });
	}
	const signal = AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS);
	const lookupAddress = guardedLookup(policy, allowPrivate);
	let { host } = current;
	try {
		for (let hop = 0; ; hop++) {
			checkUrl(current, allowPrivate, policy);
			({ host } = current);
			const response = await get(current, signal, lookupAddress);
			const status = response.statusCode ?? 0;
			const { location } = response.headers;
			if (status >= 300 && status < 400 && location && hop < MAX_REDIRECTS) {
				response.destroy();
				current = new URL(location, current);
				continue;
			}
			return await readImageBody(response, host);
		}
	} catch (error) {
		if (error instanceof UserError) throw error;
		if (error instanceof PrivateAddressError) throw refusal('welcome:card.backgroundPrivateHost', { host });
		if (signal.aborted) throw refusal('welcome:card.backgroundTimeout', { host, seconds: DOWNLOAD_TIMEOUT_MS / 1000 });
		throw refusal('welcome:card.backgroundUnreachable', { host });
	}
}

async function readImageBody(response: IncomingMessage, host: string): Promise<Buffer> {
	const status = response.statusCode ?? 0;
	if (status < 200 || status >= 300) {
		response.destroy();
		throw refusal('welcome:card.backgroundStatus', { host, status });
	}
	const declared = Number(response.headers['content-length'] ?? Number.NaN);
	if (declared > MAX_BACKGROUND_BYTES) {
		response.destroy();
		throw tooLarge(declared);
	}
	const chunks: Buffer[] = [];
	let received = 0;
	for await (const chunk of response) {
		received += (chunk as Buffer).length;
		if (received > MAX_BACKGROUND_BYTES) {
			response.destroy();
			throw refusal('welcome:card.backgroundOverLimit', { limit: MAX_BACKGROUND_BYTES / MEGABYTE });
		}
		chunks.push(chunk as Buffer);
	}
	return Buffer.concat(chunks);
}

/** Refuses a file over the limit; Discord tells an upload's size, so it is checked before the download too. */
export function checkBackgroundSize(bytes: number): void {
	if (bytes > MAX_BACKGROUND_BYTES) throw tooLarge(bytes);
}

/** Checks an image for the card: size, format by its bytes, declared dimensions, and that it really decodes. */
export async function checkBackground(bytes: Buffer): Promise<ImageInfo> {
	checkBackgroundSize(bytes.length);
	const info = sniffImage(bytes);
	if (!info) throw refusal('welcome:card.backgroundNotImage');
	if (info.width > MAX_BACKGROUND_SIDE || info.height > MAX_BACKGROUND_SIDE || info.width === 0 || info.height === 0)
		throw refusal('welcome:card.backgroundDimensions', { width: info.width, height: info.height, limit: MAX_BACKGROUND_SIDE });
	try {
		const { loadImage } = await loadCanvas();
		const image = await loadImage(bytes);
		if (image.width === 0 || image.height === 0) throw new Error('empty image');
	} catch {
		throw refusal('welcome:card.backgroundDamaged', { type: info.type.toUpperCase() });
	}
	return info;
}

/**
 * A picture larger than the card is scaled down once, here, to just cover CARD_WIDTH × CARD_HEIGHT (the card crops the
 * rest): every join then decodes about 1000 × 360 pixels instead of up to 4096², and the stored copy (base64 in every
 * backup) shrinks with it. JPEG stays JPEG; the others become PNG, which keeps their transparency.
 */
async function scaleToCard(bytes: Buffer, info: ImageInfo): Promise<{ bytes: Buffer; info: ImageInfo }> {
	const scale = Math.max(CARD_WIDTH / info.width, CARD_HEIGHT / info.height);
	if (scale >= 1) return { bytes, info };
	const width = Math.max(CARD_WIDTH, Math.round(info.width * scale));
	const height = Math.max(CARD_HEIGHT, Math.round(info.height * scale));
	const { createCanvas, loadImage } = await loadCanvas();
	const canvas = createCanvas(width, height);
	canvas.getContext('2d').drawImage(await loadImage(bytes), 0, 0, width, height);
	if (info.type === 'jpeg') return { bytes: await canvas.encode('jpeg', 90), info: { type: 'jpeg', width, height } };
	return { bytes: await canvas.encode('png'), info: { type: 'png', width, height } };
}

/** Stores the background (scaled to the card first); what was stored, with the size and format it has now. */
export async function storeBackground(
	storage: Storage,
	guildId: string,
	original: Buffer,
	originalInfo: ImageInfo,
	source: StoredBackground['source']
): Promise<StoredBackground> {
	const { bytes, info } = await scaleToCard(original, originalInfo);
	const stored: StoredBackground = {
		...info,
		data: bytes.toString('base64'),
		bytes: bytes.length,
		sha256: createHash('sha256').update(bytes).digest('hex'),
		source,
		storedAt: Date.now()
	};
	await storage.namespace<StoredBackground>(CARD_BACKGROUND_NAMESPACE).set(guildId, stored);
	return stored;
}

/** The stored image bytes, or null; a stored copy whose checksum is off is not drawn (it would be garbage). */
export async function readBackground(storage: Storage, guildId: string): Promise<Buffer | null> {
	const stored = await storage.namespace<StoredBackground>(CARD_BACKGROUND_NAMESPACE).get(guildId);
	if (!stored) return null;
	const bytes = Buffer.from(stored.data, 'base64');
	return createHash('sha256').update(bytes).digest('hex') === stored.sha256 ? bytes : null;
}

export async function deleteBackground(storage: Storage, guildId: string): Promise<boolean> {
	return storage.namespace(CARD_BACKGROUND_NAMESPACE).delete(guildId);
}
