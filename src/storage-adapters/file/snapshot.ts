import { open, readFile } from 'node:fs/promises';

/**
 * The snapshot file of a file-adapter namespace: one JSON object laid out as `{`, one `"key": value` member per line
 * (a comma after all but the last), `}`. Written and read a piece at a time, so neither the file's whole text nor a
 * tree of all its values ever has to exist at once; a file laid out any other way (edited by hand, written by an older
 * version) is still read, parsed whole.
 */

/** Lines written to disk per chunk: large enough to write fast, small enough that no huge string is ever built. */
const CHUNK_ENTRIES = 2000;
const READ_CHUNK_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;
const COMMA = 0x2c;
const OPEN = 0x7b;
const CLOSE = 0x7d;

export class SnapshotFormatError extends Error {}

/** Snapshot file text for `entries` (key -> JSON text) in chunks. */
export function* snapshotChunks(entries: ReadonlyMap<string, string>): Generator<string> {
	if (entries.size === 0) {
		yield '{}\n';
		return;
	}
	let lines: string[] = [];
	let first = true;
	for (const [key, text] of entries) {
		lines.push(`${JSON.stringify(key)}: ${text}`);
		if (lines.length === CHUNK_ENTRIES) {
			yield `${first ? '{\n' : ',\n'}${lines.join(',\n')}`;
			first = false;
			lines = [];
		}
	}
	if (lines.length > 0) yield `${first ? '{\n' : ',\n'}${lines.join(',\n')}`;
	yield '\n}\n';
}

/** A snapshot's entries as key -> JSON text; throws SnapshotFormatError naming `source` when it is not one JSON object. */
export function parseSnapshot(bytes: Buffer, source: string): Map<string, string> {
	const lines = new SnapshotLines();
	lines.add(bytes, lines.addComplete(bytes), bytes.length);
	return lines.finish() ?? parseWhole(bytes, source);
}

/** Reads a snapshot file a chunk at a time; throws ENOENT when there is none, SnapshotFormatError when it is damaged. */
export async function readSnapshotFile(path: string): Promise<{ entries: Map<string, string>; bytes: number }> {
	const handle = await open(path, 'r');
	const lines = new SnapshotLines();
	let bytes = 0;
	try {
		let carry = Buffer.alloc(0);
		const chunk = Buffer.allocUnsafe(READ_CHUNK_BYTES);
		for (;;) {
			const { bytesRead } = await handle.read(chunk, 0, READ_CHUNK_BYTES, null);
			if (bytesRead === 0) break;
			bytes += bytesRead;
			const data = Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
			const rest = lines.addComplete(data);
			if (!lines.ok) break;
			carry = Buffer.from(data.subarray(rest));
		}
		lines.add(carry, 0, carry.length);
	} finally {
		await handle.close();
	}
	const entries = lines.finish();
	if (entries) return { entries, bytes };
	const whole = await readFile(path);
	return { entries: parseWhole(whole, path), bytes: whole.length };
}

function parseWhole(bytes: Buffer, source: string): Map<string, string> {
	let parsed: unknown;
	try {
		parsed = JSON.parse(bytes.toString('utf8'));
	} catch {
		throw new SnapshotFormatError(`${source} is not valid JSON (${bytes.length === 0 ? 'the file is empty' : 'truncated or damaged'})`);
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw new SnapshotFormatError(`${source} does not hold a JSON object`);
	}
	return new Map(Object.entries(parsed).map(([key, value]) => [key, JSON.stringify(value)]));
}

/**
 * Our layout taken a line at a time, each given as a byte range without its newline (ranges, not Buffer views: a
 * view per line costs more than the line); `ok` turns false at the first line that does not fit.
 */
class SnapshotLines {
	public readonly entries = new Map<string, string>();
	public ok = true;
	private state: 'start' | 'members' | 'closed' | 'end' = 'start';
	private members = 0;
	private lastHadComma = false;

	public add(bytes: Buffer, start: number, end: number): void {
		if (this.ok) this.ok = this.take(bytes, start, end);
	}

	/** Takes every line of `bytes` that ends in a newline; returns where the unfinished rest starts. */
	public addComplete(bytes: Buffer): number {
		let start = 0;
		for (let end = bytes.indexOf(NEWLINE); end !== -1 && this.ok; end = bytes.indexOf(NEWLINE, start)) {
			this.add(bytes, start, end);
			start = end + 1;
		}
		return start;
	}

	/** The entries when the whole layout was seen, or null. */
	public finish(): Map<string, string> | null {
		return this.ok && (this.state === 'closed' || this.state === 'end') ? this.entries : null;
	}

	private take(bytes: Buffer, start: number, end: number): boolean {
		const length = end - start;
		switch (this.state) {
			case 'start': {
				const empty = length === 2 && bytes[start] === OPEN && bytes[start + 1] === CLOSE;
				this.state = empty ? 'closed' : 'members';
				return empty || (length === 1 && bytes[start] === OPEN);
			}
			case 'members':
				if (length === 1 && bytes[start] === CLOSE) {
					this.state = 'closed';
					return this.members === 0 || !this.lastHadComma;
				}
				if (this.members > 0 && !this.lastHadComma) return false;
				this.members++;
				this.lastHadComma = length > 0 && bytes[end - 1] === COMMA;
				return this.member(bytes, start, this.lastHadComma ? end - 1 : end);
			case 'closed':
				// Only the empty remainder after the final newline may follow.
				this.state = 'end';
				return length === 0;
			case 'end':
				return false;
		}
	}

	private member(bytes: Buffer, start: number, end: number): boolean {
		const text = bytes.toString('utf8', start, end);
		let parsed: Record<string, unknown>;
		try {
			parsed = JSON.parse(`{${text}}`) as Record<string, unknown>;
		} catch {
			return false;
		}
		const keys = Object.keys(parsed);
		if (keys.length !== 1) return false;
		const key = keys[0]!;
		const prefix = `${JSON.stringify(key)}: `;
		// The value's text decoded on its own: a slice of the line would keep the whole line alive beside it.
		this.entries.set(key, text.startsWith(prefix) ? bytes.toString('utf8', start + Buffer.byteLength(prefix), end) : JSON.stringify(parsed[key]));
		return true;
	}
}
