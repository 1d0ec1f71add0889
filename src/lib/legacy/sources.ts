import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { classifyFile } from '../../storage-adapters/file/ownership.js';
import { redactUrl } from '../../config.js';
import { objectMembers, startsWithObject } from './json-members.js';
import {
	addCounter,
	addJoin,
	emptyLegacyData,
	isSnowflake,
	isLegacyValue,
	LEGACY_DATA_FILES,
	LEGACY_MEMBER_READERS,
	LEGACY_READERS,
	LEGACY_SIDE_FILES,
	looksLikeLegacy,
	parseCounter,
	readSettings,
	type LegacyData
} from './format.js';

/** Where Supreme-BOT2's data is read from: a copy of its `data/` folder, or its MySQL-compatible tables. */

/** Larger files are not read (they would take the bot's memory at start); they stay in the backup and the folder. */
export const MAX_LEGACY_FILE_BYTES = 512 * 1024 * 1024;

const LEGACY_NAMES = new Set<string>([...LEGACY_DATA_FILES, ...LEGACY_SIDE_FILES]);
const isOldCopy = (name: string) => name.endsWith('.json.backup');

export interface FoundLegacyFile {
	name: string;
	bytes: number;
}

/**
 * Supreme-BOT2's files at the top of `directory`, recognised by content: a file of one of its names that is not ours
 * (ownership.ts) and has its shape, or an empty one beside them, plus its `*.json.backup` copies. Reads only.
 */
export async function findLegacyFiles(directory: string): Promise<FoundLegacyFile[]> {
	let names: string[];
	try {
		names = await readdir(directory);
	} catch (error) {
		// No folder there (or a file in its path): nothing to import; opening storage reports the path itself.
		const { code } = error as NodeJS.ErrnoException;
		if (code === 'ENOENT' || code === 'ENOTDIR') return [];
		throw error;
	}
	const found: FoundLegacyFile[] = [];
	let recognised = false;
	for (const name of names.sort()) {
		if (!LEGACY_NAMES.has(name) && !isOldCopy(name)) continue;
		const path = join(directory, name);
		const info = await stat(path).catch(() => null);
		if (!info?.isFile()) continue;
		if (isOldCopy(name)) {
			found.push({ name, bytes: info.size });
			recognised = true;
			continue;
		}
		const ownership = await classifyFile(path);
		if (ownership.kind === 'ours') continue;
		// A namespace of ours with a journal is ours even while its snapshot says nothing.
		if (names.includes(name.replace(/\.json$/, '.journal'))) continue;
		if (ownership.kind === 'foreign') recognised = true;
		if (ownership.kind !== 'unknown' || info.size > 0) found.push({ name, bytes: info.size });
	}
	return recognised ? found : [];
}

/** What the old bot's other files were, for the report (their data is not converted; the originals are kept). */
function sideFileReason(name: string, parsed: unknown): string {
	const entries = Array.isArray(parsed) ? parsed.length : typeof parsed === 'object' && parsed !== null ? Object.keys(parsed).length : 0;
	if (isOldCopy(name)) return 'an old copy the old bot made of one of its files (kept with the originals)';
	if (name === 'counter.json') return 'the ticket counter (a feature this bot does not have)';
	if (name === 'history.json') return `a list of ${entries} ids the old bot kept (join-history.json and the counters hold the history)`;
	return `${entries} entries of a per-kind list the old bot kept beside invites.json (its counters are what it counted)`;
}

interface ReadOptions {
	settingsFile?: string;
	files?: string[];
	maxFileBytes?: number;
}

/**
 * The legacy files of `directory` (those `findLegacyFiles` named, or every one of its names), one part per file, read
 * only when the previous part is done with: an import holds one file's data at a time, never the whole folder's.
 */
export async function* readLegacyParts(directory: string, options: ReadOptions = {}): AsyncGenerator<LegacyData> {
	const names = options.files ?? (await readdir(directory)).filter((name) => LEGACY_NAMES.has(name) || isOldCopy(name)).sort();
	for (const name of names) {
		if (name === 'settings.json' && options.settingsFile) continue;
		const member = LEGACY_MEMBER_READERS[name as keyof typeof LEGACY_MEMBER_READERS];
		if (member) {
			const streamed = await checkMembers(join(directory, name), options.maxFileBytes);
			if (streamed !== null) {
				if (typeof streamed !== 'string') {
					yield* readMembers(join(directory, name), name, member);
					continue;
				}
				yield { ...emptyLegacyData(), skipped: [{ where: name, reason: streamed }] };
				continue;
			}
		}
		const data = emptyLegacyData();
		const parsed = await readJson(join(directory, name), name, data, options.maxFileBytes);
		if (parsed !== undefined) readPart(name, parsed, data);
		yield data;
	}
	if (options.settingsFile) {
		const data = emptyLegacyData();
		const parsed = await readJson(options.settingsFile, options.settingsFile, data, options.maxFileBytes);
		if (parsed !== undefined) readSettings(options.settingsFile, parsed, data);
		yield data;
	}
}

/** Members converted per part: a few MB of the old data at a time. */
const MEMBERS_PER_PART = 1000;

/**
 * Whether a large file can be read member by member, checked in a first pass that parses every value (and so names a
 * file that is not valid JSON before anything of it is imported, as a whole-file read would): `true`, a reason it
 * imports nothing, or null to read it whole (too large, not an object, or a key given twice, where JSON.parse keeps
 * the last one and only a whole read says the same).
 */
async function checkMembers(path: string, maxBytes = MAX_LEGACY_FILE_BYTES): Promise<true | string | null> {
	const info = await stat(path).catch(() => null);
	if (!info || info.size > maxBytes || !(await startsWithObject(path))) return null;
	const keys = new Set<string>();
	let legacy = false;
	try {
		for await (const [key, text] of objectMembers(path)) {
			if (keys.has(key)) return null;
			keys.add(key);
			legacy ||= isLegacyValue(JSON.parse(text));
		}
	} catch (error) {
		return `is not valid JSON (${(error as Error).message}); nothing of it imported, the original is kept`;
	}
	return legacy || keys.size === 0 ? true : "does not have Supreme-BOT2's layout for this file; nothing of it imported";
}

async function* readMembers(path: string, name: string, reader: (file: string, key: string, value: unknown, data: LegacyData) => void) {
	let data = emptyLegacyData();
	let count = 0;
	for await (const [key, text] of objectMembers(path)) {
		reader(name, key, JSON.parse(text), data);
		if (++count % MEMBERS_PER_PART === 0) {
			yield data;
			data = emptyLegacyData();
		}
	}
	yield data;
}

function readPart(name: string, parsed: unknown, data: LegacyData): void {
	const reader = LEGACY_READERS[name as keyof typeof LEGACY_READERS];
	if (!reader) {
		if (!(typeof parsed === 'object' && parsed !== null && Object.keys(parsed).length === 0))
			data.skipped.push({ where: name, reason: sideFileReason(name, parsed) });
		return;
	}
	if (!looksLikeLegacy(name, parsed)) {
		data.skipped.push({ where: name, reason: "does not have Supreme-BOT2's layout for this file; nothing of it imported" });
		return;
	}
	reader(name, parsed, data);
}

/** Reads the legacy files of `directory` into one whole (the CLI's report and dry run). */
export async function readLegacyFolder(directory: string, options: ReadOptions = {}): Promise<LegacyData> {
	const data = emptyLegacyData();
	for await (const part of readLegacyParts(directory, options)) {
		for (const [guildId, inviters] of part.counters) for (const [inviterId, counter] of inviters) addCounter(data, guildId, inviterId, counter);
		for (const join of part.joins) data.joins.push(join);
		for (const [guildId, values] of part.settings) data.settings.set(guildId, { ...data.settings.get(guildId), ...values });
		data.inviteConfig = part.inviteConfig ?? data.inviteConfig;
		data.skipped.push(...part.skipped);
	}
	return data;
}

/** The parsed file, or undefined with a line in the report naming the file and why. */
async function readJson(path: string, label: string, data: LegacyData, maxBytes = MAX_LEGACY_FILE_BYTES): Promise<unknown> {
	let info;
	try {
		info = await stat(path);
	} catch (error) {
		data.skipped.push({ where: label, reason: `cannot be read: ${(error as Error).message}` });
		return undefined;
	}
	if (info.size > maxBytes) {
		data.skipped.push({
			where: label,
			reason: `is ${info.size} bytes, more than the ${maxBytes} an import reads; nothing of it imported, the original is kept`
		});
		return undefined;
	}
	const text = await readFile(path, 'utf8');
	try {
		return JSON.parse(text.replace(/^\uFEFF/, ''));
	} catch (error) {
		data.skipped.push({
			where: label,
			reason: `is not valid JSON (${text.trim() === '' ? 'empty' : (error as Error).message}); nothing of it imported, the original is kept`
		});
		return undefined;
	}
}

type Row = Record<string, unknown>;
const column = (row: Row, ...names: string[]) => names.map((name) => row[name]).find((value) => value !== undefined);
const asId = (value: unknown) => (typeof value === 'bigint' || typeof value === 'number' ? String(value) : value);

/**
 * The later table layout (TiDB / MySQL): `invites` (guild_id, inviter_id, regular, fake, bonus, left), `join_history`
 * (guild_id, member_id, inviter_id, is_fake, joined_at, has_left), `settings` (guild_id, key, value as a JSON string).
 * camelCase column names are read too. A table that is missing is reported, not fatal.
 */
export async function readLegacyMysql(url: string): Promise<LegacyData> {
	const mysql = await import('mysql2/promise');
	const connection = await mysql.createConnection({ uri: url, supportBigNumbers: true, bigNumberStrings: true, dateStrings: false });
	const data = emptyLegacyData();
	const where = redactUrl(url);
	try {
		const rows = async (table: string): Promise<Row[] | null> => {
			try {
				const [result] = await connection.query(`SELECT * FROM \`${table}\``);
				return result as Row[];
			} catch (error) {
				data.skipped.push({ where: `${where} table ${table}`, reason: `cannot be read: ${(error as Error).message}` });
				return null;
			}
		};
		for (const [index, row] of ((await rows('invites')) ?? []).entries()) {
			const guildId = asId(column(row, 'guild_id', 'guildId'));
			const inviterId = asId(column(row, 'inviter_id', 'inviterId', 'user_id', 'userId'));
			const label = `table invites row ${index + 1} (${String(guildId)}/${String(inviterId)})`;
			if (!isSnowflake(guildId)) data.skipped.push({ where: label, reason: 'not a server id' });
			else if (isSnowflake(inviterId)) {
				const counter = parseCounter({
					regular: column(row, 'regular'),
					fake: column(row, 'fake'),
					bonus: column(row, 'bonus'),
					left: column(row, 'left', 'leaves')
				});
				if (typeof counter === 'string') data.skipped.push({ where: label, reason: counter });
				else addCounter(data, guildId, inviterId, counter);
			} else data.skipped.push({ where: label, reason: 'not a user id (VANITY and UNKNOWN have no counts of their own)' });
		}
		for (const [index, row] of ((await rows('join_history')) ?? []).entries()) {
			const fields = {
				guildId: asId(column(row, 'guild_id', 'guildId')),
				memberId: asId(column(row, 'member_id', 'memberId', 'user_id', 'userId')),
				inviterId: asId(column(row, 'inviter_id', 'inviterId')),
				isFake: Number(column(row, 'is_fake', 'isFake') ?? 0) === 1 || column(row, 'is_fake', 'isFake') === true,
				joinedAt: column(row, 'joined_at', 'joinedAt'),
				hasLeft: Number(column(row, 'has_left', 'hasLeft') ?? 0) === 1 || column(row, 'has_left', 'hasLeft') === true
			};
			addJoin(data, `table join_history row ${index + 1} (${String(fields.guildId)}/${String(fields.memberId)})`, fields);
		}
		const settings: Record<string, Record<string, unknown>> = {};
		for (const [index, row] of ((await rows('settings')) ?? []).entries()) {
			const guildId = String(asId(column(row, 'guild_id', 'guildId')));
			const key = column(row, 'key', 'setting_key', 'name');
			const raw = column(row, 'value', 'setting_value');
			const label = `table settings row ${index + 1} (${guildId}/${String(key)})`;
			if (typeof key !== 'string') {
				data.skipped.push({ where: label, reason: 'no key' });
				continue;
			}
			let value: unknown = raw;
			if (typeof raw === 'string') {
				try {
					value = JSON.parse(raw);
				} catch {
					data.skipped.push({ where: label, reason: 'its value is not the JSON string the old bot wrote' });
					continue;
				}
			}
			(settings[guildId] ??= {})[key] = value;
		}
		readSettings('table settings', settings, data);
	} finally {
		await connection.end();
	}
	return data;
}
