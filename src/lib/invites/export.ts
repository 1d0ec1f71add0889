import { stringify } from 'csv-stringify/sync';
import type { LeaderboardRow } from './index-state.js';

export const LEADERBOARD_CSV_COLUMNS = ['id', 'name', 'total', 'regular', 'left', 'fake', 'bonus'] as const;

/** A spreadsheet runs a cell that starts with one of these as a formula (CSV injection); a leading ' keeps it text. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * The leaderboard as CSV (RFC 4180 through csv-stringify), in rank order, with a header line. Ids stay quoted text so a
 * spreadsheet does not round them; a name is empty where none is known (the CLI runs without Discord).
 */
export function leaderboardCsv(rows: readonly LeaderboardRow[], names: ReadonlyMap<string, string> = new Map()): Buffer {
	const name = (id: string) => {
		const known = names.get(id) ?? '';
		return FORMULA_START.test(known) ? `'${known}` : known;
	};
	return Buffer.from(
		stringify(
			rows.map((row) => [
				row.inviterId,
				name(row.inviterId),
				row.total,
				row.counts.regular,
				row.counts.left,
				row.counts.fake,
				row.counts.bonus
			]),
			{ header: true, columns: [...LEADERBOARD_CSV_COLUMNS], quoted_string: true }
		),
		'utf8'
	);
}
