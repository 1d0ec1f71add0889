import type { TFunction } from '@sapphire/plugin-i18next';
import { ActionRowBuilder, ButtonBuilder, ButtonStyle, EmbedBuilder, time, TimestampStyles } from 'discord.js';
import { fitField } from '../embed-fields.js';
import { say } from '../i18n/text.js';
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
function discordTime(iso: string): string {
	return time(Math.floor(Date.parse(iso) / 1000), TimestampStyles.ShortDateTime);
}

export interface DataStatusView {
	guild: GuildFacts;
	/** The welcome, goodbye and auto-role lines as said (the welcome service's own); else the stored settings'. */
	greetings?: string[];
	storage: StorageFacts;
	/** Why this guild's invites cannot be read (e.g. the bot lacks Manage Server), if so. */
	inviteProblem: string | null;
	/** Extra sections other features add (title, lines); shown after the built-in ones. */
	sections?: Array<{ title: string; lines: string[] }>;
}

/** /data-status: this server's data, then the bot-wide storage, in one embed. */
export function dataStatusEmbed(t: TFunction, view: DataStatusView): EmbedBuilder {
	const { guild, storage } = view;
	const problems = storage.events.filter((event) => event.level !== 'info');
	const healthy = storage.healthy && view.inviteProblem === null;
	const embed = new EmbedBuilder()
		.setColor(healthy ? DATA_COLOR_OK : DATA_COLOR_PROBLEM)
		.setTitle(t('data:status.title'))
		.addFields(
			{
				name: t('data:status.server'),
				value: fitField(
					[
						t('data:status.members', { members: guild.trackedMembers, history: guild.joinHistory }),
						t('data:status.invites', { invites: guild.totalInvites, count: guild.inviters }),
						t('data:status.giveaways', { active: guild.activeGiveaways, total: guild.giveaways }),
						view.inviteProblem ? t('data:status.inviteProblem', { problem: view.inviteProblem }) : t('data:status.inviteWorking')
					].join('\n')
				)
			},
			{ name: t('data:status.greetings'), value: fitField((view.greetings ?? guild.greetings.map((line) => say(t, line))).join('\n')) },
			...(view.sections ?? []).map((section) => ({ name: section.title, value: fitField(section.lines.join('\n') || '—') })),
			{
				name: t('data:status.storage'),
				value: fitField(
					storageLines(storage, discordTime)
						.map((line) => say(t, line))
						.join('\n')
				)
			},
			{ name: t('data:status.perNamespace'), value: fitField(describeCounts(storage.counts) ?? t('data:storage.noRecords')) },
			{
				name: t('data:status.events'),
				value: fitField(
					problems.length > 0
						? problems
								.slice(-EVENTS_SHOWN)
								.map((event) => `${discordTime(event.at)} ${event.level}: ${event.message}`)
								.join('\n')
						: t('data:status.noEvents')
				)
			}
		);
	return embed;
}

export function backupEmbed(t: TFunction, backup: BackupInfo): EmbedBuilder {
	return new EmbedBuilder()
		.setColor(DATA_COLOR_OK)
		.setTitle(t('data:backup.title'))
		.setDescription(`\`${backup.id}\``)
		.addFields(
			{ name: t('data:backup.where'), value: fitField(`\`${backup.path}\``) },
			{ name: t('data:backup.size'), value: describeBytes(backup.sizeBytes), inline: true },
			{ name: t('data:backup.records'), value: fitField(describeCounts(backup.counts) ?? t('data:storage.noRecords')) }
		);
}

function recordTotal(counts: Record<string, number>): number {
	return Object.values(counts).reduce((sum, count) => sum + count, 0);
}

/** One page of backups, newest first, with Previous/Next; pages are clamped so an old button never fails. */
export function backupListPage(t: TFunction, backups: BackupInfo[], requestedPage: number) {
	const pages = Math.max(1, Math.ceil(backups.length / BACKUP_PAGE_SIZE));
	const page = Math.min(Math.max(1, requestedPage), pages);
	const start = (page - 1) * BACKUP_PAGE_SIZE;
	const lines = backups.slice(start, start + BACKUP_PAGE_SIZE).map((backup) =>
		t('data:list.line', {
			id: backup.id,
			at: discordTime(backup.createdAt),
			adapter: backup.adapter,
			count: recordTotal(backup.counts),
			size: describeBytes(backup.sizeBytes)
		})
	);
	const embed = new EmbedBuilder()
		.setColor(DATA_COLOR_OK)
		.setTitle(t('data:list.title'))
		.setDescription(lines.length > 0 ? [...lines, t('data:list.hint')].join('\n\n') : t('data:list.empty'))
		.setFooter({ text: t('data:list.footer', { page, pages, count: backups.length }) });
	const buttons = new ActionRowBuilder<ButtonBuilder>().addComponents(
		new ButtonBuilder()
			.setCustomId(`${RESTORE_BUTTON}:page:${page - 1}`)
			.setLabel(t('data:list.previous'))
			.setStyle(ButtonStyle.Secondary)
			.setDisabled(page <= 1),
		new ButtonBuilder()
			.setCustomId(`${RESTORE_BUTTON}:page:${page + 1}`)
			.setLabel(t('data:list.next'))
			.setStyle(ButtonStyle.Secondary)
			.setDisabled(page >= pages)
	);
	return { embeds: [embed], components: [buttons] };
}

export function restoreConfirmation(t: TFunction, backup: BackupInfo, now = Date.now()) {
	const issued = Math.floor(now / 1000).toString(36);
	const content = [
		t('data:confirm.question', {
			id: backup.id,
			at: discordTime(backup.createdAt),
			count: recordTotal(backup.counts),
			counts: describeCounts(backup.counts) ?? t('data:storage.noRecords')
		}),
		t('data:confirm.warning'),
		t('data:confirm.within', { count: RESTORE_CONFIRMATION_SECONDS / 60 })
	].join('\n');
	const buttons = new ActionRowBuilder<ButtonBuilder>().addComponents(
		new ButtonBuilder()
			.setCustomId(`${RESTORE_BUTTON}:confirm:${backup.id}:${issued}`)
			.setLabel(t('data:confirm.restore'))
			.setStyle(ButtonStyle.Danger),
		new ButtonBuilder().setCustomId(`${RESTORE_BUTTON}:cancel`).setLabel(t('data:confirm.cancel')).setStyle(ButtonStyle.Secondary)
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

export function restoreResultEmbed(t: TFunction, outcome: RestoreOutcome): EmbedBuilder {
	const namespaces = [...new Set([...Object.keys(outcome.before), ...Object.keys(outcome.after)])].sort();
	const rows = namespaces.map((namespace) => `${namespace}: ${outcome.before[namespace] ?? 0} → ${outcome.after[namespace] ?? 0}`);
	const failed = outcome.reloads.filter((reload) => reload.error);
	return new EmbedBuilder()
		.setColor(failed.length === 0 ? DATA_COLOR_OK : DATA_COLOR_PROBLEM)
		.setTitle(t('data:restored.title'))
		.setDescription(t('data:restored.description', { id: outcome.restored.id, safety: outcome.safetyBackup.id }))
		.addFields(
			{ name: t('data:restored.records'), value: fitField(rows.join('\n') || t('data:storage.noRecords')) },
			{
				name: t('data:restored.reloaded'),
				value: fitField(
					outcome.reloads
						.map((reload) =>
							reload.error ? t('data:restored.reloadFailed', { feature: reload.feature, error: reload.error }) : reload.feature
						)
						.join(', ') || t('data:restored.noneRegistered')
				)
			}
		);
}
