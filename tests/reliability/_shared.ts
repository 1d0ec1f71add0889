import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { PermissionFlagsBits } from 'discord.js';
import type { DiscordEmulator } from '../harness/index.js';

export const ADMIN = PermissionFlagsBits.ManageGuild | PermissionFlagsBits.SendMessages | PermissionFlagsBits.ViewChannel;
export const MEMBER = PermissionFlagsBits.SendMessages | PermissionFlagsBits.ViewChannel;

/** Rounds of the kill -9 test per adapter: CI-sized by default; `npm run test:reliability` runs the 50. */
export const ROUNDS = Math.max(1, Number(process.env.RELIABILITY_ROUNDS ?? 3) || 3);
/** Every damage on every file (the full suite); by default each file gets one damage and each damage kind is used. */
export const FULL = process.env.RELIABILITY_FULL === '1';

const RESULTS_DIR = fileURLToPath(new URL('../../.tmp/reliability/', import.meta.url));

/**
 * Figures for the console, and from the full suite for docs/PERFORMANCE.md (bench/run.ts reads them): a CI-sized run
 * of `npm test` must not replace the last full run's figures.
 */
export function writeResult(name: string, result: unknown): void {
	console.log(`[reliability] ${name}: ${JSON.stringify(result)}`);
	if (!FULL) return;
	mkdirSync(RESULTS_DIR, { recursive: true });
	writeFileSync(join(RESULTS_DIR, `${name}.json`), `${JSON.stringify({ at: new Date().toISOString(), ...(result as object) }, null, 2)}\n`);
}

export interface GuildSetup {
	guildId: string;
	channelId: string;
	inviter: string;
	code: string;
}

export function setUpGuild(emulator: DiscordEmulator, name = 'Reliability'): GuildSetup {
	const guild = emulator.createGuild({ name });
	const inviter = emulator.createUser({ username: 'inviter' }).id;
	emulator.addMember(guild.id, inviter);
	const { code } = emulator.createInvite(guild.id, { code: `r${guild.id.slice(-6)}`, inviterId: inviter });
	return { guildId: guild.id, channelId: guild.systemChannelId!, inviter, code };
}

export async function runAs(
	emulator: DiscordEmulator,
	setup: GuildSetup,
	name: string,
	options: Record<string, string | number | boolean>,
	permissions = ADMIN,
	extra: { subcommand?: string; userId?: string; timeoutMs?: number } = {}
) {
	return emulator
		.runCommand({
			guildId: setup.guildId,
			channelId: setup.channelId,
			userId: extra.userId ?? setup.inviter,
			name,
			options,
			memberPermissions: permissions,
			...(extra.subcommand ? { subcommand: extra.subcommand } : {})
		})
		.answer(extra.timeoutMs ?? 5000);
}

/** What /who-invited says about a member: "joined ... through an invite ... <@inviter>" once the join is recorded. */
export async function whoInvited(emulator: DiscordEmulator, setup: GuildSetup, memberId: string): Promise<string> {
	const reply = await runAs(emulator, setup, 'who-invited', { user: memberId });
	return String(reply.embeds[0]?.description ?? reply.content);
}

export function isCreditedJoin(text: string, setup: GuildSetup): boolean {
	return text.includes('joined') && text.includes(`<@${setup.inviter}>`);
}

/** The regular-invite total /invites shows for the inviter. */
export async function inviteTotal(emulator: DiscordEmulator, setup: GuildSetup): Promise<number> {
	const reply = await runAs(emulator, setup, 'invites', { user: setup.inviter });
	const text = String(reply.embeds[0]?.description ?? reply.content);
	const match = /(\d+) regular/.exec(text);
	if (!match) throw new Error(`/invites answered without a regular count: ${text}`);
	return Number(match[1]);
}

/** Every file under `root`, recursively. */
export function filesUnder(root: string): string[] {
	const found: string[] = [];
	for (const entry of readdirSync(root, { withFileTypes: true })) {
		const path = join(root, entry.name);
		if (entry.isDirectory()) found.push(...filesUnder(path));
		else found.push(path);
	}
	return found;
}

/** Problems with the data files a stopped bot left: snapshots and journal lines must parse, SQLite must pass its integrity check. */
export function unreadableDataFiles(dataDir: string): string[] {
	const problems: string[] = [];
	for (const path of filesUnder(dataDir)) {
		if (path.includes(`${join(dataDir, 'backups')}`) || path.includes('.damaged-')) continue;
		try {
			if (path.endsWith('.json')) JSON.parse(readFileSync(path, 'utf8'));
			else if (path.endsWith('.journal')) {
				for (const line of readFileSync(path, 'utf8').split('\n')) if (line.trim() !== '') JSON.parse(line);
			} else if (path.endsWith('.sqlite')) {
				const db = new Database(path, { readonly: true, fileMustExist: true });
				try {
					const result = db.pragma('integrity_check', { simple: true });
					if (result !== 'ok') throw new Error(String(result));
				} finally {
					db.close();
				}
			}
		} catch (error) {
			problems.push(`${path}: ${(error as Error).message}`);
		}
	}
	return problems;
}

export function modeOf(path: string): number {
	return statSync(path).mode & 0o777;
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
