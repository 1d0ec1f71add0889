import type { BackupInfo, Storage, StorageStatus } from '../../storage-adapters/index.js';
import { text, type Text } from '../i18n/text.js';
import type { LeaderboardRow } from '../invites/index-state.js';
import { INVITE_NAMESPACES } from '../invites/tracker.js';

/**
 * What /data-status, the CLI's `status` and the health endpoint's /status report; plain data, no Discord types. The
 * sentences are Texts (keys of the `data` namespace with their variables): /data-status says them in the server's
 * language, the CLI in the source language, from the same words.
 */

/** The part of InviteTracker the facts need; the CLI loads a tracker that never fetches from Discord. */
export interface InviteFactsSource {
	trackedMembers(guildId: string): number;
	leaderboard(guildId: string): LeaderboardRow[];
}

export interface GuildFacts {
	guildId: string;
	trackedMembers: number;
	inviters: number;
	totalInvites: number;
	joinHistory: number;
	/** One line each: welcome, goodbye, auto-roles (read from the `settings` namespace). */
	greetings: Text[];
	activeGiveaways: number;
	giveaways: number;
}

export interface StorageFacts extends StorageStatus {
	totalRecords: number;
	lastBackupAgeSeconds: number | null;
	backups: number;
}

const SETTINGS = 'settings';
const GIVEAWAYS = 'giveaways';
/** Giveaway states that are not finished (see src/lib/giveaways/state.ts). */
const RUNNING_GIVEAWAY = new Set(['active', 'paused', 'ending']);

function guildOf(key: string): string {
	const separator = key.indexOf(':');
	return separator === -1 ? key : key.slice(0, separator);
}

function record(value: unknown): Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * Welcome, goodbye and auto-role lines from a guild's settings, read defensively: whatever another feature's
 * version wrote, the status shows what it can instead of failing.
 */
export function describeGreetingSettings(settings: unknown): Text[] {
	const guild = record(settings);
	const greeting = (label: Text, value: unknown): Text => {
		const part = record(value);
		if (typeof part.channelId !== 'string') return text('data:greeting.off', { label });
		const problem = record(part.problem);
		const line = text(part.dm === true ? 'data:greeting.onDm' : 'data:greeting.on', { label, channel: `<#${part.channelId}>` });
		return typeof problem.message === 'string' ? text('data:greeting.notSent', { line, problem: problem.message }) : line;
	};
	const roles = Array.isArray(guild.autoroles) ? guild.autoroles.map((role) => record(role)).filter((role) => typeof role.roleId === 'string') : [];
	return [
		greeting(text('data:greeting.welcome'), guild.welcome),
		greeting(text('data:greeting.goodbye'), guild.goodbye),
		roles.length > 0
			? text('data:greeting.autoroles', { roles: roles.map((role) => `<@&${String(role.roleId)}>`).join(', ') })
			: text('data:greeting.noAutoroles')
	];
}

/** Facts per guild; `guildIds` limits them (a slash command's own guild), otherwise every guild with any data. */
export async function collectGuildFacts(storage: Storage, invites: InviteFactsSource, guildIds?: string[]): Promise<GuildFacts[]> {
	const [history, settings, giveaways, inviters] = await Promise.all([
		storage.entries(INVITE_NAMESPACES.history).then((entries) => entries.map(([key]) => key)),
		storage.entries(SETTINGS),
		storage.entries(GIVEAWAYS),
		storage.entries(INVITE_NAMESPACES.counts).then((entries) => entries.map(([key]) => key))
	]);
	const known = new Set([...history, ...inviters].map(guildOf));
	for (const [key] of settings) known.add(key);
	for (const [, value] of giveaways) if (typeof record(value).guildId === 'string') known.add(record(value).guildId as string);
	const ids = guildIds ?? [...known].sort();
	const historyPerGuild = countBy(history.map(guildOf));
	const settingsPerGuild = new Map(settings);
	return ids.map((guildId) => {
		const board = invites.leaderboard(guildId);
		const own = giveaways.map(([, value]) => record(value)).filter((giveaway) => giveaway.guildId === guildId);
		return {
			guildId,
			trackedMembers: invites.trackedMembers(guildId),
			inviters: board.length,
			totalInvites: board.reduce((sum, row) => sum + row.total, 0),
			joinHistory: historyPerGuild.get(guildId) ?? 0,
			greetings: describeGreetingSettings(settingsPerGuild.get(guildId)),
			activeGiveaways: own.filter((giveaway) => RUNNING_GIVEAWAY.has(String(giveaway.state))).length,
			giveaways: own.length
		};
	});
}

export async function collectStorageFacts(storage: Storage, now = Date.now()): Promise<StorageFacts> {
	const status = await storage.status();
	const backups: BackupInfo[] = status.healthy ? await storage.listBackups() : [];
	const lastBackupAt = status.lastBackup ? Date.parse(status.lastBackup.createdAt) : null;
	return {
		...status,
		totalRecords: Object.values(status.counts).reduce((sum, count) => sum + count, 0),
		lastBackupAgeSeconds: lastBackupAt === null ? null : Math.max(0, Math.round((now - lastBackupAt) / 1000)),
		backups: backups.length
	};
}

/** The lines about storage shared by the embed and the CLI: adapter, health, size, last write, last backup. */
export function storageLines(facts: StorageFacts, format: (iso: string) => string): Text[] {
	return [
		facts.healthy
			? text('data:storage.healthy', { adapter: facts.adapter })
			: text('data:storage.unhealthy', { adapter: facts.adapter, problem: facts.problem ?? text('data:storage.noReason') }),
		text('data:storage.records', { count: facts.totalRecords, size: describeBytes(facts.sizeBytes) }),
		facts.lastWriteAt ? text('data:storage.lastWrite', { at: format(facts.lastWriteAt) }) : text('data:storage.noWrite'),
		facts.lastBackup && facts.lastBackupAgeSeconds !== null
			? text('data:storage.lastBackup', {
					at: format(facts.lastBackup.createdAt),
					age: { key: 'data:storage.age', vars: { seconds: facts.lastBackupAgeSeconds } },
					id: facts.lastBackup.id,
					count: facts.backups
				})
			: text('data:storage.noBackup')
	];
}

function countBy(values: string[]): Map<string, number> {
	const counts = new Map<string, number>();
	for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
	return counts;
}

export function describeBytes(bytes: number): string {
	if (bytes < 1024) return `${bytes} B`;
	if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
	if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
	return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/** "invite-counts 3, settings 1" (namespace names are the same in every language); null when there are none. */
export function describeCounts(counts: Record<string, number>): string | null {
	const parts = Object.entries(counts).map(([namespace, count]) => `${namespace} ${count}`);
	return parts.length > 0 ? parts.join(', ') : null;
}
