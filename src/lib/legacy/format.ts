/**
 * Supreme-BOT2's data, as its JSON files (and later its MySQL-compatible tables) held it, read into one neutral shape.
 * Nothing here writes: every entry that cannot be read is kept out with a line naming the file, the entry and why.
 * The facts of the format are in issue 15 and README ("Coming from Supreme-BOT2").
 */

export interface LegacyCounter {
	regular: number;
	fake: number;
	bonus: number;
	left: number;
}

export interface LegacyJoin {
	guildId: string;
	memberId: string;
	inviterId: string | null;
	how: 'normal' | 'vanity' | 'unknown';
	isFake: boolean;
	/** ms since epoch, when it recorded one. */
	joinedAt: number | null;
	/** Only the table layout knows leaves (`has_left`). */
	hasLeft: boolean;
}

export interface LegacyInviteConfig {
	fakeAccountAgeHours: number;
	requireAvatar: boolean;
}

export interface Skipped {
	/** `<file>: <entry>` */
	where: string;
	reason: string;
}

export interface LegacyData {
	counters: Map<string, Map<string, LegacyCounter>>;
	joins: LegacyJoin[];
	inviteConfig: LegacyInviteConfig | null;
	settings: Map<string, Record<string, unknown>>;
	skipped: Skipped[];
}

export function emptyLegacyData(): LegacyData {
	return { counters: new Map(), joins: [], inviteConfig: null, settings: new Map(), skipped: [] };
}

const SNOWFLAKE = /^\d{17,20}$/;
export const isSnowflake = (value: unknown): value is string => typeof value === 'string' && SNOWFLAKE.test(value);

/** Its default fake-account age. */
export const LEGACY_DEFAULT_FAKE_HOURS = 168;

/** The files Supreme-BOT2 kept in `data/` (the first four hold what is converted). */
export const LEGACY_DATA_FILES = ['invites.json', 'join-history.json', 'invite-config.json', 'settings.json'] as const;
export const LEGACY_SIDE_FILES = ['counter.json', 'history.json', 'fakes.json', 'joins.json', 'lefts.json', 'regulars.json'] as const;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function describeValue(value: unknown): string {
	if (Array.isArray(value)) return 'a list';
	if (value === null) return 'null';
	return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)?.slice(0, 40)}`;
}

/** A counter field: a whole number, 0 when missing; `allowNegative` for bonus (admins took invites away with it). */
function counterField(value: unknown, allowNegative: boolean): number | string {
	if (value === undefined || value === null) return 0;
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof number !== 'number' || !Number.isInteger(number)) return `is ${describeValue(value)}, not a whole number`;
	if (number < 0 && !allowNegative) return `is negative (${number})`;
	return number;
}

export function parseCounter(value: unknown): LegacyCounter | string {
	if (!isObject(value)) return `holds ${describeValue(value)}, not counters`;
	const fields = {
		regular: counterField(value.regular, false),
		fake: counterField(value.fake, false),
		bonus: counterField(value.bonus, true),
		left: counterField(value.left, false)
	};
	for (const [name, field] of Object.entries(fields)) if (typeof field === 'string') return `"${name}" ${field}`;
	return fields as LegacyCounter;
}

/** Adds one inviter's counters; a second row for the same inviter (tables) adds up. */
export function addCounter(data: LegacyData, guildId: string, inviterId: string, counter: LegacyCounter): void {
	let guild = data.counters.get(guildId);
	if (!guild) data.counters.set(guildId, (guild = new Map()));
	const previous = guild.get(inviterId);
	guild.set(
		inviterId,
		previous
			? {
					regular: previous.regular + counter.regular,
					fake: previous.fake + counter.fake,
					bonus: previous.bonus + counter.bonus,
					left: previous.left + counter.left
				}
			: counter
	);
}

/** `invites.json`: `{ guildId: { inviterId: { regular, fake, bonus, left } } }`, junk included. */
export function readInvites(file: string, parsed: unknown, data: LegacyData): void {
	if (!isObject(parsed)) return void data.skipped.push({ where: file, reason: `holds ${describeValue(parsed)}, not servers` });
	for (const [guildId, inviters] of Object.entries(parsed)) readInvitesMember(file, guildId, inviters, data);
}

/** One server of `invites.json`. */
export function readInvitesMember(file: string, guildId: string, inviters: unknown, data: LegacyData): void {
	if (!isSnowflake(guildId)) {
		const reason = /^\d{17,20}_\d{17,20}$/.test(guildId) ? 'flat counters under a "<server>_<user>" key, not a server' : 'not a server id';
		return void data.skipped.push({ where: `${file}: ${guildId}`, reason });
	}
	if (!isObject(inviters))
		return void data.skipped.push({ where: `${file}: ${guildId}`, reason: `holds ${describeValue(inviters)}, not inviters` });
	for (const [inviterId, value] of Object.entries(inviters)) {
		if (!isSnowflake(inviterId)) {
			data.skipped.push({ where: `${file}: ${guildId}/${inviterId}`, reason: 'not a user id' });
			continue;
		}
		const counter = parseCounter(value);
		if (typeof counter === 'string') data.skipped.push({ where: `${file}: ${guildId}/${inviterId}`, reason: counter });
		else addCounter(data, guildId, inviterId, counter);
	}
}

/** Inviter ids as the old bot stored them: a user id, or VANITY / UNKNOWN (tables), or nothing. */
export function parseInviter(value: unknown): Pick<LegacyJoin, 'inviterId' | 'how'> | null {
	if (value === null || value === undefined || value === '') return { inviterId: null, how: 'unknown' };
	if (typeof value !== 'string') return null;
	const text: string = value;
	if (SNOWFLAKE.test(text)) return { inviterId: text, how: 'normal' };
	if (text.toUpperCase() === 'VANITY') return { inviterId: null, how: 'vanity' };
	if (text.toUpperCase() === 'UNKNOWN') return { inviterId: null, how: 'unknown' };
	return null;
}

export function parseJoinedAt(value: unknown): number | null | string {
	if (value === null || value === undefined) return null;
	if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'is not a date' : value.getTime();
	const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : typeof value === 'string' ? Date.parse(value) : value;
	if (typeof number !== 'number' || !Number.isFinite(number) || number <= 0) return `is ${describeValue(value)}, not a time`;
	return number;
}

export function addJoin(
	data: LegacyData,
	where: string,
	fields: { guildId: unknown; memberId: unknown; inviterId: unknown; isFake: unknown; joinedAt: unknown; hasLeft?: unknown }
): void {
	const { guildId, memberId } = fields;
	if (!isSnowflake(guildId) || !isSnowflake(memberId)) return void data.skipped.push({ where, reason: 'server or member id is not an id' });
	const inviter = parseInviter(fields.inviterId);
	if (!inviter) return void data.skipped.push({ where, reason: `inviter ${JSON.stringify(fields.inviterId)?.slice(0, 40)} is not a user id` });
	const joinedAt = parseJoinedAt(fields.joinedAt);
	if (typeof joinedAt === 'string') return void data.skipped.push({ where, reason: `joinedAt ${joinedAt}` });
	data.joins.push({
		guildId,
		memberId,
		...inviter,
		isFake: fields.isFake === true || fields.isFake === 1 || fields.isFake === '1',
		joinedAt,
		hasLeft: fields.hasLeft === true || fields.hasLeft === 1 || fields.hasLeft === '1'
	});
}

/** `join-history.json`: `{ "<guildId>_<memberId>": { inviterId, isFake, joinedAt } }`. */
export function readJoinHistory(file: string, parsed: unknown, data: LegacyData): void {
	if (!isObject(parsed)) return void data.skipped.push({ where: file, reason: `holds ${describeValue(parsed)}, not join records` });
	for (const [key, value] of Object.entries(parsed)) readJoinHistoryMember(file, key, value, data);
}

/** One member of `join-history.json`. */
export function readJoinHistoryMember(file: string, key: string, value: unknown, data: LegacyData): void {
	const where = `${file}: ${key}`;
	const separator = key.indexOf('_');
	if (separator === -1) return void data.skipped.push({ where, reason: 'not a "<server>_<member>" key' });
	if (!isObject(value)) return void data.skipped.push({ where, reason: `holds ${describeValue(value)}, not a join record` });
	addJoin(data, where, {
		guildId: key.slice(0, separator),
		memberId: key.slice(separator + 1),
		inviterId: value.inviterId,
		isFake: value.isFake,
		joinedAt: value.joinedAt
	});
}

/** `invite-config.json`: one object for every server. */
export function readInviteConfig(file: string, parsed: unknown, data: LegacyData): void {
	if (!isObject(parsed)) return void data.skipped.push({ where: file, reason: `holds ${describeValue(parsed)}, not settings` });
	let hours = LEGACY_DEFAULT_FAKE_HOURS;
	if (parsed.fakeAccountAgeHours !== undefined) {
		const value = parsed.fakeAccountAgeHours;
		if (typeof value === 'number' && Number.isFinite(value) && value >= 0) hours = value;
		else
			data.skipped.push({
				where: `${file}: fakeAccountAgeHours`,
				reason: `is ${describeValue(value)}, not a number of hours; the old default (${LEGACY_DEFAULT_FAKE_HOURS} hours) is used`
			});
	}
	for (const key of Object.keys(parsed)) {
		if (key === 'autoFarmWindowMinutes' || key === 'suspiciousUsernamePatterns')
			data.skipped.push({ where: `${file}: ${key}`, reason: 'a rule this bot does not have' });
		else if (key !== 'fakeAccountAgeHours' && key !== 'requireAvatar') data.skipped.push({ where: `${file}: ${key}`, reason: 'unknown setting' });
	}
	data.inviteConfig = { fakeAccountAgeHours: hours, requireAvatar: parsed.requireAvatar === true };
}

/** `settings.json`: `{ guildId: { key: value } }`; the keys are sorted out in convert.ts. */
export function readSettings(file: string, parsed: unknown, data: LegacyData): void {
	if (!isObject(parsed)) return void data.skipped.push({ where: file, reason: `holds ${describeValue(parsed)}, not servers` });
	for (const [guildId, values] of Object.entries(parsed)) readSettingsMember(file, guildId, values, data);
}

/** One server of `settings.json`. */
export function readSettingsMember(file: string, guildId: string, values: unknown, data: LegacyData): void {
	if (!isSnowflake(guildId)) data.skipped.push({ where: `${file}: ${guildId}`, reason: 'not a server id' });
	else if (isObject(values)) data.settings.set(guildId, { ...data.settings.get(guildId), ...values });
	else data.skipped.push({ where: `${file}: ${guildId}`, reason: `holds ${describeValue(values)}, not settings` });
}

/** The files whose members can be read one at a time (the large ones); the others are read whole. */
export const LEGACY_MEMBER_READERS: Partial<
	Record<(typeof LEGACY_DATA_FILES)[number], (file: string, key: string, value: unknown, data: LegacyData) => void>
> = {
	'invites.json': readInvitesMember,
	'join-history.json': readJoinHistoryMember,
	'settings.json': readSettingsMember
};

export const LEGACY_READERS: Record<(typeof LEGACY_DATA_FILES)[number], (file: string, parsed: unknown, data: LegacyData) => void> = {
	'invites.json': readInvites,
	'join-history.json': readJoinHistory,
	'invite-config.json': readInviteConfig,
	'settings.json': readSettings
};

/** Ours hold {"value": …} entries; theirs hold plain objects (counters, join records, settings) or lists. */
export const isLegacyValue = (value: unknown) => !isObject(value) || !('value' in value);

/**
 * Whether parsed JSON has the shape Supreme-BOT2 gave this file name (how the start tells its files from ours, which
 * ownership.ts already told apart from foreign ones).
 */
export function looksLikeLegacy(name: string, parsed: unknown): boolean {
	if (name === 'history.json') return Array.isArray(parsed);
	if (!isObject(parsed)) return false;
	const values = Object.values(parsed);
	if (values.length === 0) return true;
	switch (name) {
		case 'invite-config.json':
			return 'fakeAccountAgeHours' in parsed || 'requireAvatar' in parsed || 'autoFarmWindowMinutes' in parsed;
		case 'counter.json':
			return 'ticketCount' in parsed;
		default:
			return values.some(isLegacyValue);
	}
}
