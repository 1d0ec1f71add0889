import { ActionRowBuilder, ButtonBuilder, ButtonStyle, EmbedBuilder, time, TimestampStyles } from 'discord.js';
import type { BackupInfo } from '../../storage-adapters/index.js';
import { describeBytes, describeCounts, storageLines, type GuildFacts, type StorageFacts } from './facts.js';
import type { ReloadResult } from './reload.js';

export const DATA_COLOR_OK = 0x57f287;
export const DATA_COLOR_PROBLEM = 0xed4245;
export const BACKUP_PAGE_SIZE = 5;
/** Custom ids: `restore-data:page:<n>`, `restore-data:confirm:<backup id>:<issued, base-36 seconds>`, `restore-data:cancel`. */
export const RESTORE_BUTTON = 'restore-data';
/** A confirmation left on screen longer than this is refused: the owner should look at the list again. */
export const RESTORE_CONFIRMATION_SECONDS = 5 * 60;
const EVENTS_SHOWN = 5;
const FIELD_LIMIT = 1024;

function clip(text: string, limit = FIELD_LIMIT): string {
	return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

function discordTime(iso: string): string {
	return time(Math.floor(Date.parse(iso) / 1000), TimestampStyles.ShortDateTime);
}

export interface DataStatusView {
	guild: GuildFacts;
	storage: StorageFacts;
	/** Why this guild's invites cannot be read (e.g. the bot lacks Manage Server), if so. */
	inviteProblem: string | null;
	/** Extra sections other features add (title, lines); shown after the built-in ones. */
	sections?: Array<{ title: string; lines: string[] }>;
}

/** /data-status: this server's data, then the bot-wide storage, in one embed. */
export function dataStatusEmbed(view: DataStatusView): EmbedBuilder {
	const { guild, storage } = view;
	const problems = storage.events.filter((event) => event.level !== 'info');
	const healthy = storage.healthy && view.inviteProblem === null;
	const embed = new EmbedBuilder()
		.setColor(healthy ? DATA_COLOR_OK : DATA_COLOR_PROBLEM)
		.setTitle('Data status')
		.addFields(
			{
				name: 'This server',
				value: clip(
					[
						`Members tracked: ${guild.trackedMembers} · join history: ${guild.joinHistory}`,
						`Invites: ${guild.totalInvites} from ${guild.inviters} inviter${guild.inviters === 1 ? '' : 's'}`,
						`Giveaways: ${guild.activeGiveaways} active of ${guild.giveaways}`,
						view.inviteProblem ? `**Invite tracking problem:** ${view.inviteProblem}` : 'Invite tracking: working'
					].join('\n')
				)
			},
			{ name: 'Welcome and auto-roles', value: clip(guild.greetings.join('\n')) },
			...(view.sections ?? []).map((section) => ({ name: section.title, value: clip(section.lines.join('\n') || '—') })),
			{ name: 'Storage (whole bot)', value: clip(storageLines(storage, discordTime).join('\n')) },
			{ name: 'Records per namespace', value: clip(describeCounts(storage.counts)) },
			{
				name: 'Recent recoveries and errors',
				value: clip(
					problems.length > 0
						? problems
								.slice(-EVENTS_SHOWN)
								.map((event) => `${discordTime(event.at)} ${event.level}: ${event.message}`)
								.join('\n')
						: 'none since the bot started'
				)
			}
		);
	return embed;
}

export function backupEmbed(backup: BackupInfo): EmbedBuilder {
	return new EmbedBuilder()
		.setColor(DATA_COLOR_OK)
		.setTitle('Backup made')
		.setDescription(`\`${backup.id}\``)
		.addFields(
			{ name: 'Where', value: clip(`\`${backup.path}\``) },
			{ name: 'Size', value: describeBytes(backup.sizeBytes), inline: true },
			{ name: 'Records', value: clip(describeCounts(backup.counts)) }
		);
}

function recordTotal(counts: Record<string, number>): number {
	return Object.values(counts).reduce((sum, count) => sum + count, 0);
}

/** One page of backups, newest first, with Previous/Next; pages are clamped so an old button never fails. */
export function backupListPage(backups: BackupInfo[], requestedPage: number) {
	const pages = Math.max(1, Math.ceil(backups.length / BACKUP_PAGE_SIZE));
	const page = Math.min(Math.max(1, requestedPage), pages);
	const start = (page - 1) * BACKUP_PAGE_SIZE;
	const lines = backups
		.slice(start, start + BACKUP_PAGE_SIZE)
		.map(
			(backup) =>
				`\`${backup.id}\`\n${discordTime(backup.createdAt)} · ${backup.adapter} · ${recordTotal(backup.counts)} records · ${describeBytes(backup.sizeBytes)}`
		);
	const embed = new EmbedBuilder()
		.setColor(DATA_COLOR_OK)
		.setTitle('Backups')
		.setDescription(
			lines.length > 0 ? `${lines.join('\n\n')}\n\nRestore one with \`/restore-data id:<id>\`.` : 'No backups yet. Make one with /backup-data.'
		)
		.setFooter({ text: `Page ${page} of ${pages} · ${backups.length} backups` });
	const buttons = new ActionRowBuilder<ButtonBuilder>().addComponents(
		new ButtonBuilder()
			.setCustomId(`${RESTORE_BUTTON}:page:${page - 1}`)
			.setLabel('Previous')
			.setStyle(ButtonStyle.Secondary)
			.setDisabled(page <= 1),
		new ButtonBuilder()
			.setCustomId(`${RESTORE_BUTTON}:page:${page + 1}`)
			.setLabel('Next')
			.setStyle(ButtonStyle.Secondary)
			.setDisabled(page >= pages)
	);
	return { embeds: [embed], components: [buttons] };
}

export function restoreConfirmation(backup: BackupInfo, now = Date.now()) {
	const issued = Math.floor(now / 1000).toString(36);
	const content = [
		`Restore backup \`${backup.id}\` (${discordTime(backup.createdAt)}, ${recordTotal(backup.counts)} records: ${describeCounts(backup.counts)})?`,
		'This replaces the data of **every server** the bot is in. The current state is backed up first.',
		`Confirm within ${RESTORE_CONFIRMATION_SECONDS / 60} minutes.`
	].join('\n');
	const buttons = new ActionRowBuilder<ButtonBuilder>().addComponents(
		new ButtonBuilder().setCustomId(`${RESTORE_BUTTON}:confirm:${backup.id}:${issued}`).setLabel('Restore').setStyle(ButtonStyle.Danger),
		new ButtonBuilder().setCustomId(`${RESTORE_BUTTON}:cancel`).setLabel('Cancel').setStyle(ButtonStyle.Secondary)
	);
	return { content, components: [buttons] };
}

export type RestoreButton = { action: 'page'; page: number } | { action: 'confirm'; backupId: string; issuedAt: number } | { action: 'cancel' };

export function parseRestoreButton(customId: string): RestoreButton | null {
	const [prefix, action, value, issued] = customId.split(':');
	if (prefix !== RESTORE_BUTTON) return null;
	if (action === 'page') return { action, page: Number(value) || 1 };
	if (action === 'cancel') return { action };
	if (action === 'confirm' && value && issued) return { action, backupId: value, issuedAt: parseInt(issued, 36) * 1000 };
	return null;
}

export interface RestoreOutcome {
	restored: BackupInfo;
	safetyBackup: BackupInfo;
	before: Record<string, number>;
	after: Record<string, number>;
	reloads: ReloadResult[];
}

export function restoreResultEmbed(outcome: RestoreOutcome): EmbedBuilder {
	const namespaces = [...new Set([...Object.keys(outcome.before), ...Object.keys(outcome.after)])].sort();
	const rows = namespaces.map((namespace) => `${namespace}: ${outcome.before[namespace] ?? 0} → ${outcome.after[namespace] ?? 0}`);
	const failed = outcome.reloads.filter((reload) => reload.error);
	return new EmbedBuilder()
		.setColor(failed.length === 0 ? DATA_COLOR_OK : DATA_COLOR_PROBLEM)
		.setTitle('Backup restored')
		.setDescription(`Restored \`${outcome.restored.id}\`. The state before it is backup \`${outcome.safetyBackup.id}\`.`)
		.addFields(
			{ name: 'Records before → after', value: clip(rows.join('\n') || 'no records') },
			{
				name: 'Features reloaded',
				value: clip(
					outcome.reloads.map((reload) => (reload.error ? `${reload.feature}: FAILED (${reload.error})` : reload.feature)).join(', ') ||
						'none registered'
				)
			}
		);
}
