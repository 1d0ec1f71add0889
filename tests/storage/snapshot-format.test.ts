import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SnapshotFormatError, parseSnapshot, readSnapshotFile, snapshotChunks } from '../../src/storage-adapters/file/snapshot.js';

const asTexts = (record: Record<string, unknown>) => new Map(Object.entries(record).map(([key, value]) => [key, JSON.stringify(value)]));

/** What JSON.parse makes of the same bytes: the reference every way of reading a snapshot must agree with. */
function reference(text: string): Map<string, string> | 'damaged' {
	try {
		const parsed: unknown = JSON.parse(text);
		return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? asTexts(parsed as Record<string, unknown>) : 'damaged';
	} catch {
		return 'damaged';
	}
}

describe('file adapter snapshot format', () => {
	let dir: string;

	beforeEach(async () => {
		dir = await mkdtemp(join(tmpdir(), 'snapshot-format-'));
	});

	afterEach(async () => {
		await rm(dir, { recursive: true, force: true });
	});

	async function readBack(text: string | Buffer): Promise<Map<string, string> | 'damaged'> {
		const path = join(dir, 'ns.json');
		await writeFile(path, text);
		try {
			return (await readSnapshotFile(path)).entries;
		} catch (error) {
			if (error instanceof SnapshotFormatError) return 'damaged';
			throw error;
		}
	}

	it('reads back what it wrote, across read chunks, with newlines, commas, quotes and multi-byte characters in values', async () => {
		const record: Record<string, unknown> = { '': 'empty key', 'a,b': 'x\n}\n{', 'émoji 🎉': { nested: ['é', 1.5, null, true] } };
		// About 3 MB, so lines and multi-byte characters straddle the 1 MB read chunks.
		for (let index = 0; index < 12_000; index++) record[`member:${index}`] = { at: index, note: '🎉é'.repeat(index % 50), quote: '"' };
		const text = [...snapshotChunks(asTexts(record))].join('');
		expect(await readBack(text)).toEqual(asTexts(record));
		expect(parseSnapshot(Buffer.from(text), 'copy')).toEqual(asTexts(record));
		expect(reference(text)).toEqual(asTexts(record));
	});

	it('reads a file laid out another way (pretty-printed, on one line, CRLF) as JSON.parse does', async () => {
		const record = { a: { deep: [1, { b: 'c' }] }, 'd,e': 'f', g: null };
		for (const text of [
			JSON.stringify(record, null, 2),
			JSON.stringify(record),
			JSON.stringify(record, null, 1).replaceAll('\n', '\r\n'),
			'{\n"a": 1, "b": 2\n}\n'
		]) {
			expect(await readBack(text)).toEqual(reference(text));
			expect(parseSnapshot(Buffer.from(text), 'copy')).toEqual(reference(text));
		}
	});

	it('agrees with JSON.parse on every truncation of a snapshot: whole or damaged, never half read', async () => {
		const text = [...snapshotChunks(asTexts({ a: 1, 'b,c': { d: 'e\nf' }, g: [1, 2], h: 'é' }))].join('');
		const bytes = Buffer.from(text);
		for (let length = 0; length <= bytes.length; length++) {
			const cut = bytes.subarray(0, length);
			const expected = reference(cut.toString('utf8'));
			expect(await readBack(cut), `cut at ${length} bytes`).toEqual(expected);
		}
	});

	it('calls zero-filled and garbage files damaged', async () => {
		const text = [...snapshotChunks(asTexts({ a: 1, b: 2 }))].join('');
		expect(await readBack(Buffer.alloc(text.length))).toBe('damaged');
		expect(await readBack('{\n"a": 1,\n\u0000\u0000\n}\n')).toBe('damaged');
		expect(await readBack('{\n"a": 1,\n"b": 2,\n}\n')).toBe('damaged');
		expect(await readBack('[1, 2]')).toBe('damaged');
		expect(() => parseSnapshot(Buffer.from('{\n"a": 1\n'), 'backup copy')).toThrow(/backup copy is not valid JSON/);
	});
});
