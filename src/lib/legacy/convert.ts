import type { AutoRole, GreetingSettings, GuildSettings } from '../guild-settings.js';
import { SETTINGS_NAMESPACE } from '../guild-settings.js';
import { inviterKey, memberKey, type InviterRecord, type MemberRecord } from '../invites/records.js';
import { DEFAULT_INVITE_CONFIG, INVITE_NAMESPACES, type InviteConfig } from '../invites/tracker.js';
import type { Reason } from '../templates/reasons.js';
import { bannerExpiry, greetingProblem, normalizeBanner } from '../welcome/message.js';
import { isSnowflake, type LegacyData, type Skipped } from './format.js';
import { LEGACY_GIVEAWAYS_NAMESPACE, type StagedLegacyGiveaway } from './giveaway-records.js';

/** Supreme-BOT2's data turned into our records: what each namespace gets, and the report of what was and was not kept. */

export interface ConversionReport {
	servers: number;
	inviters: number;
	joinRecords: number;
	/** Servers whose settings (welcome, goodbye, auto-role) were converted. */
	settings: number;
	welcome: number;
	goodbye: number;
	autoRoles: number;
	giveawaysImported: number;
	/**
	 * Giveaways whose prize, end and winners lived only in their Discord message: staged (legacy-giveaways) with their
	 * entrants, and looked for after login (src/lib/legacy/giveaways.ts).
	 */
	giveawaysListed: Array<{ guildId: string; messageId: string; entrants: number }>;
	warnings: string[];
	skipped: Skipped[];
}

export interface Conversion {
	/** namespace -> [key, value] */
	namespaces: Map<string, Array<[string, unknown]>>;
	/** Servers that get data: an import is refused when the target already holds data for one of them. */
	guildIds: Set<string>;
	report: ConversionReport;
}

/** What the old bot sent (issue 15): content above an embed with a title, the description, a footer, green, a timestamp. */
const LEGACY_WELCOME_CONTENT = '{user} Welcome To {server}';
const LEGACY_FOOTER = 'Thank you for choosing {server}!';
const LEGACY_INVITED_BY = '**Invited by:** {inviter}';
const GREEN = 0x57f287;
const RED = 0xed4245;

const STALE_WELCOME_KEYS = new Set([
	'welcomeChannelId',
	'welcomeTitle',
	'welcomeDescription',
	'welcomeBanner',
	'welcomeBannerUrl',
	'welcomeContent',
	'welcomeFooter'
]);
const FOREIGN_FEATURES = [/^tickets_/, /^ticket_state_/, /^ai_disabled_/];

/** The same message setup repeats across servers: each distinct one is checked once per conversion. */
type GreetingCheck = (greeting: GreetingSettings) => Reason | null;

function cachedGreetingCheck(): GreetingCheck {
	const seen = new Map<string, Reason | null>();
	return (greeting) => {
		const key = JSON.stringify([greeting.template, greeting.banner, greeting.title, greeting.footer, greeting.content]);
		let problem = seen.get(key);
		if (problem === undefined) seen.set(key, (problem = greetingProblem(greeting)));
		return problem;
	};
}

/** The namespaces an import writes (an import is refused when the target holds data of one of its servers there). */
export const LEGACY_TARGET_NAMESPACES = [
	INVITE_NAMESPACES.counts,
	INVITE_NAMESPACES.history,
	SETTINGS_NAMESPACE,
	INVITE_NAMESPACES.config,
	LEGACY_GIVEAWAYS_NAMESPACE
] as const;

export type LegacyRecord = [namespace: string, key: string, value: unknown];

function emptyReport(): ConversionReport {
	return {
		servers: 0,
		inviters: 0,
		joinRecords: 0,
		settings: 0,
		welcome: 0,
		goodbye: 0,
		autoRoles: 0,
		giveawaysImported: 0,
		giveawaysListed: [],
		warnings: [],
		skipped: []
	};
}

/**
 * The conversion, one part of the old data at a time (a file, or the tables): each part's records are produced as they
 * are converted, so an import can write them in batches and let the part go before the next is read; the report and
 * the servers add up across parts. The per-server invite config needs every server, so it comes last (`finish`).
 */
export class LegacyConverter {
	public readonly guildIds = new Set<string>();
	public readonly report = emptyReport();
	private readonly check = cachedGreetingCheck();
	private inviteConfig: LegacyData['inviteConfig'] = null;

	public constructor(private readonly importedAt: number) {}

	/** The part's records; its skipped entries go into the report. */
	public *records(data: LegacyData): Generator<LegacyRecord> {
		const { importedAt, report, guildIds } = this;
		report.skipped.push(...data.skipped);
		if (data.inviteConfig) this.inviteConfig = data.inviteConfig;
		for (const [guildId, inviters] of data.counters) {
			for (const [inviterId, counter] of inviters) {
				// Ours counts fakes among the regular invites and takes them off the total; theirs kept them apart.
				const record: InviterRecord = {
					bonus: counter.bonus,
					resetAt: 0,
					updatedAt: importedAt,
					imported: { regular: counter.regular + counter.fake, fake: counter.fake, left: counter.left, at: importedAt }
				};
				report.inviters++;
				guildIds.add(guildId);
				yield [INVITE_NAMESPACES.counts, inviterKey(guildId, inviterId), record];
			}
		}

		const seen = new Set<string>();
		for (const join of data.joins) {
			const key = memberKey(join.guildId, join.memberId);
			if (seen.has(key)) {
				report.skipped.push({
					where: `join history: ${join.guildId}/${join.memberId}`,
					reason: 'a second record of the same member (the first is kept)'
				});
				continue;
			}
			seen.add(key);
			const at = join.joinedAt ?? importedAt;
			const record: MemberRecord = {
				present: !join.hasLeft,
				joins: [{ at, how: join.how, code: null, inviterId: join.inviterId, imported: true }],
				leaves: [],
				// Already in the inviter's imported counts, a leave included: only a leave after the import adds to them.
				credit: join.inviterId
					? { inviterId: join.inviterId, at: Math.min(at, importedAt), fake: join.isFake, left: false, imported: true }
					: null
			};
			report.joinRecords++;
			guildIds.add(join.guildId);
			yield [INVITE_NAMESPACES.history, key, record];
		}

		for (const [guildId, values] of data.settings) {
			const staged: StagedLegacyGiveaway[] = [];
			const converted = convertSettings(guildId, values, report, this.check, staged, importedAt);
			for (const giveaway of staged) {
				guildIds.add(guildId);
				yield [LEGACY_GIVEAWAYS_NAMESPACE, `${guildId}:${giveaway.messageId}`, giveaway];
			}
			if (Object.keys(converted).length === 0) continue;
			report.settings++;
			guildIds.add(guildId);
			yield [SETTINGS_NAMESPACE, guildId, converted];
		}
	}

	/** After every part: the invite config of every server imported. */
	public *finish(): Generator<LegacyRecord> {
		this.report.servers = this.guildIds.size;
		if (!this.inviteConfig) return;
		const { fakeAccountAgeHours, requireAvatar } = this.inviteConfig;
		for (const guildId of [...this.guildIds].sort()) {
			const config: InviteConfig = {
				...DEFAULT_INVITE_CONFIG,
				rankRoles: [],
				fakeAccountDays: Math.ceil(fakeAccountAgeHours / 24),
				fakeWithoutAvatar: requireAvatar
			};
			yield [INVITE_NAMESPACES.config, guildId, config];
		}
	}
}

/** The whole conversion at once (the CLI's dry run and report, the tables). */
export function convertLegacy(data: LegacyData, importedAt = Date.now()): Conversion {
	const converter = new LegacyConverter(importedAt);
	const namespaces = new Map<string, Array<[string, unknown]>>(LEGACY_TARGET_NAMESPACES.map((namespace) => [namespace, []]));
	for (const [namespace, key, value] of [...converter.records(data), ...converter.finish()]) namespaces.get(namespace)!.push([key, value]);
	return { namespaces, guildIds: converter.guildIds, report: converter.report };
}

function convertSettings(
	guildId: string,
	values: Record<string, unknown>,
	report: ConversionReport,
	check: GreetingCheck,
	staged: StagedLegacyGiveaway[],
	importedAt: number
): GuildSettings {
	const where = (key: string) => `settings.json: ${guildId}/${key}`;
	const converted: GuildSettings = {};
	const entrants = new Map<string, string[]>();
	const metas = new Map<string, Record<string, unknown>>();
	for (const [key, value] of Object.entries(values)) {
		if (key === 'autoRoleId') {
			if (!isSnowflake(value)) {
				if (value !== null && value !== '') report.skipped.push({ where: where(key), reason: 'not a role id' });
				continue;
			}
			const autoRole: AutoRole = { roleId: value, for: 'all', delayMs: 0 };
			converted.autoroles = [autoRole];
			report.autoRoles++;
		} else if (key === 'welcome_config' || key === 'goodbye_config') {
			const kind = key === 'welcome_config' ? 'welcome' : 'goodbye';
			const greeting = convertGreeting(kind, value, where(key), report, check);
			if (greeting) {
				converted[kind] = greeting;
				report[kind]++;
			}
		} else if (key.startsWith('giveaway_meta_')) {
			// Later versions kept the channel, prize, end and winner count beside the entrants.
			if (typeof value === 'object' && value !== null && !Array.isArray(value))
				metas.set(key.slice('giveaway_meta_'.length), value as Record<string, unknown>);
		} else if (key.startsWith('giveaway_') && key !== 'giveaway_') {
			const ids = Array.isArray(value) ? value : [];
			const valid = [...new Set(ids.filter((id): id is string => isSnowflake(id)))];
			if (valid.length < ids.length)
				report.skipped.push({ where: where(key), reason: `${ids.length - valid.length} entrants that are not user ids (or twice)` });
			entrants.set(key.slice('giveaway_'.length), valid);
		} else if (key === 'all_giveaways') {
			for (const messageId of Array.isArray(value) ? value : [])
				if (typeof messageId === 'string' && !entrants.has(messageId)) entrants.set(messageId, []);
		} else if (FOREIGN_FEATURES.some((pattern) => pattern.test(key))) {
			report.skipped.push({ where: where(key), reason: 'a feature this bot does not have' });
		} else if (STALE_WELCOME_KEYS.has(key) || key.startsWith('temp_welcome_')) {
			report.skipped.push({ where: where(key), reason: 'a stale key of an older welcome setup (welcome_config is what it sent)' });
		} else {
			report.skipped.push({ where: where(key), reason: 'unknown setting' });
		}
	}
	for (const messageId of metas.keys()) if (!entrants.has(messageId)) entrants.set(messageId, []);
	for (const [messageId, ids] of entrants) {
		if (!isSnowflake(messageId)) {
			report.skipped.push({ where: where(`giveaway_${messageId}`), reason: 'not a message id' });
			continue;
		}
		const meta = metas.get(messageId);
		staged.push({
			guildId,
			messageId,
			entrants: ids,
			channelId: isSnowflake(meta?.channelId) ? meta.channelId : null,
			state: 'waiting',
			importedAt,
			outcome: null
		});
		report.giveawaysListed.push({ guildId, messageId, entrants: ids.length });
	}
	return converted;
}

function convertGreeting(
	kind: 'welcome' | 'goodbye',
	value: unknown,
	where: string,
	report: ConversionReport,
	check: GreetingCheck
): GreetingSettings | null {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		report.skipped.push({ where, reason: 'not a message setup' });
		return null;
	}
	const config = value as Record<string, unknown>;
	if (!isSnowflake(config.channelId)) {
		report.skipped.push({ where, reason: 'no channel id' });
		return null;
	}
	const text = (field: unknown) => (typeof field === 'string' && field.trim() !== '' ? field : null);
	const description = text(config.description);
	const template =
		kind === 'welcome' ? (description ? `${description}\n\n${LEGACY_INVITED_BY}` : LEGACY_INVITED_BY) : (description ?? 'Goodbye {username}.');
	let banner = normalizeBanner(text(config.bannerUrl));
	const greeting: GreetingSettings = {
		channelId: config.channelId,
		template,
		banner,
		embed: true,
		dm: false,
		title: text(config.title) ?? '{server}',
		footer: LEGACY_FOOTER,
		color: kind === 'welcome' ? GREEN : RED,
		content: kind === 'welcome' ? LEGACY_WELCOME_CONTENT : null,
		timestamp: true,
		problem: null
	};
	if (banner !== null && check(greeting)) {
		report.warnings.push(`${where}: the banner ${banner.slice(0, 80)} is not an image URL; imported without it`);
		banner = null;
		greeting.banner = null;
	}
	const refused = check(greeting);
	if (refused) {
		// The report is read where no language files are loaded (the data CLI): the reason's key names it.
		report.skipped.push({ where, reason: `cannot be sent as it is: ${refused.key}` });
		return null;
	}
	const expiry = bannerExpiry(banner);
	if (expiry) {
		report.warnings.push(
			`${where}: the banner is a signed Discord CDN link that ${expiry.getTime() <= Date.now() ? 'expired' : 'expires'} on ${expiry.toISOString()}; upload it somewhere permanent and run /setup-${kind}`
		);
	}
	return greeting;
}

/** One line for the log: the counts, then everything skipped or listed, each with its reason. */
export function summaryLine(report: ConversionReport, maxItems = 50): string {
	const counts = `${report.servers} servers, ${report.inviters} inviters, ${report.joinRecords} join records, settings of ${report.settings} servers (welcome ${report.welcome}, goodbye ${report.goodbye}, auto-role ${report.autoRoles}), ${report.giveawaysImported} giveaways`;
	const items = [
		...report.warnings.map((warning) => `warning: ${warning}`),
		...report.giveawaysListed.map(
			(giveaway) =>
				`giveaway ${giveaway.guildId}/${giveaway.messageId} (${giveaway.entrants} entrants): its prize, end and winners live only in its Discord message, looked for once the bot is logged in`
		),
		...report.skipped.map((skipped) => `skipped ${skipped.where}: ${skipped.reason}`)
	];
	const shown = items.slice(0, maxItems);
	const more = items.length > shown.length ? `; … and ${items.length - shown.length} more` : '';
	return `${counts}${items.length > 0 ? `; ${items.length} not imported or to check: ${shown.join('; ')}${more}` : '; nothing skipped'}`;
}

/** The full report, a line per item, for the CLI. */
export function reportLines(report: ConversionReport): string[] {
	return [
		`Servers: ${report.servers}`,
		`Inviters with counts: ${report.inviters}`,
		`Join records: ${report.joinRecords}`,
		`Settings: ${report.settings} servers (welcome ${report.welcome}, goodbye ${report.goodbye}, auto-role ${report.autoRoles})`,
		`Giveaways imported: ${report.giveawaysImported}, waiting for the bot to find their messages: ${report.giveawaysListed.length}`,
		...report.warnings.map((warning) => `warning: ${warning}`),
		...report.giveawaysListed.map(
			(giveaway) =>
				`giveaway ${giveaway.messageId} of server ${giveaway.guildId}, ${giveaway.entrants} entrants: kept with its entrants and imported once the bot, logged in, finds its message (its prize, end and winners live only there); the bot logs which it found`
		),
		...report.skipped.map((skipped) => `skipped: ${skipped.where}: ${skipped.reason}`)
	];
}
