import type { SKRSContext2D } from '@napi-rs/canvas';
import type { TFunction } from '@sapphire/plugin-i18next';
import { CANVAS_FONT, loadCanvas } from '../canvas.js';
import { describePeriod, type Period } from './periods.js';
import type { InviteStats } from './stats.js';

export const CHART_WIDTH = 1200;
export const CHART_HEIGHT = 600;
export const STATS_FILE_NAME = 'invite-stats.png';
/** Discord's limit for an attachment's description (discord-api-docs, resources/message.mdx, Attachment Object). */
const ALT_TEXT_LIMIT = 1024;

const COLORS = { background: '#2b2d31', grid: '#3f4147', text: '#f2f3f5', muted: '#b5bac1', joins: '#57f287', leaves: '#ed4245', bar: '#5865f2' };
const PLOT = { left: 90, top: 130, right: 820, bottom: 510 };
const PANEL_LEFT = 870;
const PANEL_RIGHT = CHART_WIDTH - 40;

/** The picture of /invite-stats and its alt text; `names` gives an inviter's display name (their id when unknown). */
export interface StatsPicture {
	png: Buffer;
	alt: string;
	title: string;
}

const day = (t: TFunction, at: number) =>
	t('invites:stats.day', { date: new Date(at), formatParams: { date: { month: 'short', day: 'numeric', timeZone: 'UTC' } } });

export function statsTitle(t: TFunction, period: Period): string {
	return t('invites:stats.title', { period: describePeriod(t, period) });
}

/** What the chart shows, in words (Discord's attachment description), cut to Discord's limit. */
export function statsAltText(t: TFunction, stats: InviteStats, period: Period, names: (id: string) => string): string {
	const top = stats.topInviters.map((row) => t('invites:stats.topEntry', { name: names(row.inviterId), count: row.joins }));
	const text = t('invites:stats.alt', {
		period: describePeriod(t, period),
		unit: stats.bucketDays === 1 ? t('invites:stats.perDay') : t('invites:stats.perDays', { count: stats.bucketDays }),
		joins: stats.joins,
		leaves: stats.leaves,
		top: top.length > 0 ? top.join(', ') : t('invites:stats.topNone')
	});
	return text.length > ALT_TEXT_LIMIT ? `${text.slice(0, ALT_TEXT_LIMIT - 1)}…` : text;
}

/** Draws the chart: joins and leaves side by side per bucket on the left, the top inviters on the right. */
export async function renderStatsChart(t: TFunction, stats: InviteStats, period: Period, names: (id: string) => string): Promise<StatsPicture> {
	const { createCanvas } = await loadCanvas();
	const canvas = createCanvas(CHART_WIDTH, CHART_HEIGHT);
	const context = canvas.getContext('2d');
	context.fillStyle = COLORS.background;
	context.fillRect(0, 0, CHART_WIDTH, CHART_HEIGHT);

	const title = statsTitle(t, period);
	context.fillStyle = COLORS.text;
	context.font = `bold 30px ${CANVAS_FONT}`;
	context.fillText(title, 40, 55, CHART_WIDTH - 80);
	context.fillStyle = COLORS.muted;
	context.font = `22px ${CANVAS_FONT}`;
	context.fillText(t('invites:stats.totals', { joins: stats.joins, leaves: stats.leaves }), 40, 92, CHART_WIDTH - 80);

	drawBars(context, t, stats);
	drawLegend(context, t);
	drawTopInviters(context, t, stats, names);

	return { png: await canvas.encode('png'), alt: statsAltText(t, stats, period, names), title };
}

function drawBars(context: SKRSContext2D, t: TFunction, stats: InviteStats): void {
	const height = PLOT.bottom - PLOT.top;
	const width = PLOT.right - PLOT.left;
	const highest = Math.max(1, ...stats.buckets.map((bucket) => Math.max(bucket.joins, bucket.leaves)));
	// Four grid steps of a whole number each.
	const step = Math.max(1, Math.ceil(highest / 4));
	const top = step * 4;
	context.font = `16px ${CANVAS_FONT}`;
	context.textAlign = 'right';
	context.textBaseline = 'middle';
	for (let line = 0; line <= 4; line++) {
		const y = PLOT.bottom - (height * line) / 4;
		context.strokeStyle = COLORS.grid;
		context.lineWidth = 1;
		context.beginPath();
		context.moveTo(PLOT.left, y);
		context.lineTo(PLOT.right, y);
		context.stroke();
		context.fillStyle = COLORS.muted;
		context.fillText(t('invites:stats.number', { value: step * line }), PLOT.left - 10, y);
	}

	const slot = width / stats.buckets.length;
	const bar = Math.max(1, Math.min(24, (slot * 0.8) / 2));
	stats.buckets.forEach((bucket, index) => {
		const x = PLOT.left + slot * index + (slot - bar * 2) / 2;
		context.fillStyle = COLORS.joins;
		const joins = (height * bucket.joins) / top;
		context.fillRect(x, PLOT.bottom - joins, bar, joins);
		context.fillStyle = COLORS.leaves;
		const leaves = (height * bucket.leaves) / top;
		context.fillRect(x + bar, PLOT.bottom - leaves, bar, leaves);
	});

	// The first, middle and last days under the axis.
	context.fillStyle = COLORS.muted;
	context.textBaseline = 'top';
	context.textAlign = 'center';
	const labelled = [...new Set([0, Math.floor((stats.buckets.length - 1) / 2), stats.buckets.length - 1])];
	for (const index of labelled) context.fillText(day(t, stats.buckets[index]!.start), PLOT.left + slot * (index + 0.5), PLOT.bottom + 10);

	if (stats.joins === 0 && stats.leaves === 0) {
		context.fillStyle = COLORS.text;
		context.font = `24px ${CANVAS_FONT}`;
		context.textBaseline = 'middle';
		context.fillText(t('invites:stats.empty'), PLOT.left + width / 2, PLOT.top + height / 2, width);
	}
	context.textAlign = 'left';
	context.textBaseline = 'alphabetic';
}

function drawLegend(context: SKRSContext2D, t: TFunction): void {
	context.font = `18px ${CANVAS_FONT}`;
	let x = PLOT.left;
	const y = CHART_HEIGHT - 35;
	for (const [color, label] of [
		[COLORS.joins, t('invites:stats.joins')],
		[COLORS.leaves, t('invites:stats.leaves')]
	] as const) {
		context.fillStyle = color;
		context.fillRect(x, y - 14, 16, 16);
		context.fillStyle = COLORS.text;
		context.fillText(label, x + 24, y);
		x += 48 + context.measureText(label).width;
	}
}

function drawTopInviters(context: SKRSContext2D, t: TFunction, stats: InviteStats, names: (id: string) => string): void {
	const width = PANEL_RIGHT - PANEL_LEFT;
	context.fillStyle = COLORS.text;
	context.font = `bold 22px ${CANVAS_FONT}`;
	context.fillText(t('invites:stats.topTitle'), PANEL_LEFT, PLOT.top + 10, width);
	if (stats.topInviters.length === 0) {
		context.fillStyle = COLORS.muted;
		context.font = `18px ${CANVAS_FONT}`;
		context.fillText(t('invites:stats.topNone'), PANEL_LEFT, PLOT.top + 50, width);
		return;
	}
	const most = stats.topInviters[0]!.joins;
	stats.topInviters.forEach((row, index) => {
		const y = PLOT.top + 55 + index * 70;
		context.fillStyle = COLORS.text;
		context.font = `18px ${CANVAS_FONT}`;
		context.fillText(t('invites:stats.topEntry', { name: names(row.inviterId), count: row.joins }), PANEL_LEFT, y, width);
		context.fillStyle = COLORS.bar;
		context.fillRect(PANEL_LEFT, y + 12, Math.max(4, (width * row.joins) / most), 14);
	});
}
