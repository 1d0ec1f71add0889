import { open } from 'node:fs/promises';

/**
 * Tells this bot's snapshot files from foreign files that happen to share their names (another bot's `invites.json`,
 * a hand-made list) by content: every value we write is a stored entry `{"value": …}` (Keyv's shape), so the first
 * member of our snapshot opens with `"<key>": {"value"` (or `"expires"`). A file that cannot tell (empty, zeros,
 * garbage) is ours only when something else of ours vouches for it (a journal beside it, a backup holding it).
 */
export type Ownership = { kind: 'ours' } | { kind: 'empty' } | { kind: 'unknown' } | { kind: 'foreign'; looksLike: string };

/** Enough of a file to see its first member, however long its key. */
const HEAD_BYTES = 64 * 1024;
const FIRST_MEMBER = /^\{\s*("(?:[^"\\]|\\.)*")\s*:\s*/;
const ENTRY_START = /^\{\s*"(value|expires)"\s*:/;

export function classifyHead(head: string): Ownership {
	const text = head.replace(/^\uFEFF/, '').trimStart();
	if (text.length === 0 || text.includes('\0')) return { kind: 'unknown' };
	if (/^\{\s*\}\s*$/.test(text)) return { kind: 'empty' };
	if (text.startsWith('[')) return { kind: 'foreign', looksLike: 'a JSON array (this bot only writes JSON objects of records)' };
	if (!text.startsWith('{')) return { kind: 'unknown' };
	const member = FIRST_MEMBER.exec(text);
	if (!member) return { kind: 'unknown' };
	const rest = text.slice(member[0].length);
	if (ENTRY_START.test(rest)) return { kind: 'ours' };
	// A member cut off right after its key (a truncated file) says nothing either way.
	if (/^\{?\s*$/.test(rest)) return { kind: 'unknown' };
	const key = member[1]!.length > 42 ? `${member[1]!.slice(0, 40)}…"` : member[1]!;
	const valueKind = rest.startsWith('{') ? 'an object that is not a stored record' : rest.startsWith('[') ? 'a list' : 'a plain value';
	return { kind: 'foreign', looksLike: `a JSON object whose first entry ${key} holds ${valueKind}, not this bot's records` };
}

/** Reads the head of a file and classifies it; ENOENT is thrown to the caller. */
export async function classifyFile(path: string): Promise<Ownership> {
	const handle = await open(path, 'r');
	try {
		const buffer = Buffer.alloc(HEAD_BYTES);
		const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
		return classifyHead(buffer.toString('utf8', 0, bytesRead));
	} finally {
		await handle.close();
	}
}
