import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { objectMembers } from '../../../src/lib/legacy/json-members.js';
import { readLegacyFolder } from '../../../src/lib/legacy/sources.js';

const dir = mkdtempSync(join(tmpdir(), 'supreme-json-members-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function members(text: string): Promise<Array<[string, unknown]>> {
	const path = join(dir, 'file.json');
	writeFileSync(path, text);
	const found: Array<[string, unknown]> = [];
	for await (const [key, value] of objectMembers(path)) found.push([key, JSON.parse(value)]);
	return found;
}

describe('reading a JSON object member by member', () => {
	it('gives what JSON.parse gives, escapes, nesting and a BOM included, across 1 MB pieces', async () => {
		const value = {
			'a"b': { s: 'x}y,"z\\', n: [1, { deep: [] }], t: true },
			plain: 3,
			big: 'é'.repeat(700_000),
			'\u00e9\\': null,
			last: 'q'.repeat(1_500_000)
		};
		const text = `\uFEFF ${JSON.stringify(value, null, 2)} \n`;
		expect(Object.fromEntries(await members(text))).toEqual(value);
		expect(await members('{}')).toEqual([]);
	});

	it('refuses what JSON.parse refuses: a truncated file, a trailing comma, text after the end, a bad value', async () => {
		for (const text of ['{"a": {"b": 1}', '{"a": 1,}', '{"a": 1} x', '{"a": tru}', '', '{"a" 1}']) {
			const attempt = members(text);
			await expect(attempt, text).rejects.toThrow();
			expect(() => JSON.parse(text), text).toThrow();
		}
	});

	it('a key given twice is read whole, as JSON.parse reads it (the last one wins)', async () => {
		const counters = (regular: number) => ({ '300000000000000001': { regular, fake: 0, bonus: 0, left: 0 } });
		writeFileSync(
			join(dir, 'invites.json'),
			`{"111111111111111111": ${JSON.stringify(counters(1))}, "111111111111111111": ${JSON.stringify(counters(5))}}`
		);
		const data = await readLegacyFolder(dir, { files: ['invites.json'] });
		expect(data.counters.get('111111111111111111')?.get('300000000000000001')?.regular).toBe(5);
	});
});
