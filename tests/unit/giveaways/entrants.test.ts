import { describe, expect, it } from 'vitest';
import { entrantsCsv } from '../../../src/lib/giveaways/entrants.js';

describe('entrant list CSV', () => {
	it('lists entrants oldest first with a header, ids as text', () => {
		const csv = entrantsCsv([
			{ userId: '222222222222222222', at: Date.UTC(2026, 0, 2), entries: 3, won: true },
			{ userId: '111111111111111111', at: Date.UTC(2026, 0, 1), entries: 1, won: false }
		]).toString('utf8');
		expect(csv).toBe(
			'"user_id","entered_at","entries","won"\n"111111111111111111","2026-01-01T00:00:00.000Z",1,"no"\n"222222222222222222","2026-01-02T00:00:00.000Z",3,"yes"\n'
		);
		expect(entrantsCsv([]).toString('utf8')).toBe('"user_id","entered_at","entries","won"\n');
	});
});
