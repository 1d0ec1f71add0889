import { readFileSync } from 'node:fs';
import { UserError } from '@sapphire/framework';
import type { ConfigWithoutToken } from '../config.js';
import { DEFAULT_INVITE_LEADERBOARD, readGuildSettings } from '../lib/guild-settings.js';
import { SOURCE_LANGUAGE } from '../lib/i18n/languages.js';
import { leaderboardCsv } from '../lib/invites/export.js';
import { rankedRows, visibleRows } from '../lib/invites/leaderboard.js';
import { parsePeriod, type Period } from '../lib/invites/periods.js';
import { InviteTracker } from '../lib/invites/tracker.js';
import { CliError, EXIT, note, withStorage, type CliOptions } from './context.js';

export interface InviteCsvOptions extends CliOptions {
	guild?: string;
	period?: string;
	since?: string;
	out?: string;
}

/**
 * A refused period in the words of the language file the bot ships (dist/languages), so it reads as it does in
 * Discord. Those texts take plain variables only ({{date}}, {{period}}); i18next is not a runtime dependency.
 */
function periodProblem(error: UserError): string {
	const invites = JSON.parse(readFileSync(new URL(`../languages/${SOURCE_LANGUAGE}/invites.json`, import.meta.url), 'utf8')) as Record<
		string,
		unknown
	>;
	const text = invites[error.identifier.slice('invites:'.length)];
	const variables = Object(error.context) as Record<string, unknown>;
	return typeof text === 'string' ? text.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => String(variables[name] ?? '')) : error.identifier;
}

function readPeriod(options: InviteCsvOptions): Period {
	try {
		return parsePeriod(options.period ?? null, options.since ?? null);
	} catch (error) {
		if (error instanceof UserError) throw new CliError(EXIT.usage, periodProblem(error));
		throw error;
	}
}

/**
 * `export --format csv --guild <id>`: the guild's invite leaderboard as /invite-export writes it, from storage only
 * (read-only). Offline there are no names, and only the excluded members are left out: who left the server or holds an
 * excluded role is known to Discord, not to the data.
 */
export async function inviteCsvCommand(config: ConfigWithoutToken, options: InviteCsvOptions): Promise<number> {
	if (!options.guild || !/^\d{1,20}$/.test(options.guild)) throw new CliError(EXIT.usage, '--format csv needs --guild <id> (a server id)');
	const period = readPeriod(options);
	const guildId = options.guild;
	return withStorage(config, { write: false }, async ({ storage }) => {
		const offline = { fetch: () => Promise.resolve({ ok: false as const, reason: 'the data CLI does not connect to Discord' }) };
		const logger = { info: () => undefined, warn: note, error: note };
		const tracker = await InviteTracker.load(storage, offline, logger);
		const settings = (await readGuildSettings(storage, guildId)).inviteLeaderboard ?? DEFAULT_INVITE_LEADERBOARD;
		const offlineSettings = { ...settings, hideLeft: false, excludedRoles: [] };
		const { rows } = await visibleRows(rankedRows(tracker.index(guildId), period, 'total'), offlineSettings, null, () =>
			Promise.resolve(new Map())
		);
		if (settings.hideLeft || settings.excludedRoles.length > 0)
			note('Note: inviters who left and excluded roles are not left out here (only Discord knows them); /invite-export does that.');
		const csv = leaderboardCsv(rows);
		if (options.out) {
			const { writeFile } = await import('node:fs/promises');
			// Member ids: readable by their owner only, like the data itself.
			await writeFile(options.out, csv, { mode: 0o600 });
			note(`Exported ${rows.length} inviters of guild ${guildId} to ${options.out}`);
		} else {
			process.stdout.write(csv);
		}
		return EXIT.ok;
	});
}
