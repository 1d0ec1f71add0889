import { stringify } from 'csv-stringify/sync';

/** One row of a giveaway's entrant list. */
export interface EntrantRow {
	userId: string;
	/** When they entered (ms since epoch). */
	at: number;
	/** Entries they had when they entered (bonus roles); the draw looks them up again. */
	entries: number;
	/** Whether they won (the draw or a reroll). */
	won: boolean;
}

/**
 * The entrant list as CSV (RFC 4180, through csv-stringify: quoting is the library's, not ours), oldest entry first,
 * with a header line. User ids stay text, so a spreadsheet does not round them.
 */
export function entrantsCsv(rows: readonly EntrantRow[]): Buffer {
	const sorted = [...rows].sort((a, b) => a.at - b.at || (a.userId < b.userId ? -1 : 1));
	return Buffer.from(
		stringify(
			sorted.map((row) => [row.userId, new Date(row.at).toISOString(), row.entries, row.won ? 'yes' : 'no']),
			{ header: true, columns: ['user_id', 'entered_at', 'entries', 'won'], quoted_string: true }
		),
		'utf8'
	);
}
