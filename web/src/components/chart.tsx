/**
 * Joins and leaves per day as an SVG bar chart, drawn here (no chart library): two bars a day, a grid of round
 * values, a label every few days. Screen readers get the same figures as a table.
 */
import { formatDate, formatNumber, t } from '../i18n.js';

export interface DayCount {
	date: string;
	joins: number;
	leaves: number;
}

const WIDTH = 720;
const HEIGHT = 240;
const PAD = { top: 12, right: 8, bottom: 28, left: 36 };

/** A round step so that about four grid lines cover `max`. */
function niceStep(max: number): number {
	if (max <= 4) return 1;
	const rough = max / 4;
	const magnitude = 10 ** Math.floor(Math.log10(rough));
	const step = [1, 2, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= rough);
	return step ?? 10 * magnitude;
}

const dayLabel = (date: string) => formatDate(`${date}T12:00:00Z`, { day: 'numeric', month: 'short', timeZone: 'UTC' });

export function JoinLeaveChart({ days }: { days: DayCount[] }) {
	const max = Math.max(1, ...days.map((day) => Math.max(day.joins, day.leaves)));
	const step = niceStep(max);
	const top = Math.ceil(max / step) * step;
	const plotWidth = WIDTH - PAD.left - PAD.right;
	const plotHeight = HEIGHT - PAD.top - PAD.bottom;
	const slot = plotWidth / Math.max(days.length, 1);
	const bar = Math.max(2, Math.min(10, slot / 2 - 2));
	const y = (value: number) => PAD.top + plotHeight - (value / top) * plotHeight;
	const ticks: number[] = [];
	for (let value = 0; value <= top; value += step) ticks.push(value);
	const labelEvery = Math.max(1, Math.ceil(days.length / 6));
	const joins = days.reduce((sum, day) => sum + day.joins, 0);
	const leaves = days.reduce((sum, day) => sum + day.leaves, 0);

	return (
		<figure class="stack">
			<svg
				class="chart"
				viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
				role="img"
				aria-label={t('dashboard:overview.chartSummary', { days: days.length, joins, leaves })}
			>
				{ticks.map((value) => (
					<g key={value}>
						<line class="grid-line" x1={PAD.left} x2={WIDTH - PAD.right} y1={y(value)} y2={y(value)} />
						<text class="axis-label" x={PAD.left - 8} y={y(value) + 4} text-anchor="end">
							{formatNumber(value)}
						</text>
					</g>
				))}
				{days.map((day, index) => {
					const center = PAD.left + slot * index + slot / 2;
					return (
						<g class="bar-group" key={day.date}>
							<title>{`${dayLabel(day.date)}: ${t('dashboard:overview.joinsCount', { count: day.joins })}, ${t('dashboard:overview.leavesCount', { count: day.leaves })}`}</title>
							<rect
								class="bar-join"
								x={center - bar - 1}
								y={y(day.joins)}
								width={bar}
								height={Math.max(0, y(0) - y(day.joins))}
								rx="2"
							/>
							<rect class="bar-leave" x={center + 1} y={y(day.leaves)} width={bar} height={Math.max(0, y(0) - y(day.leaves))} rx="2" />
							{index % labelEvery === 0 && (
								<text class="axis-label" x={center} y={HEIGHT - 8} text-anchor="middle">
									{dayLabel(day.date)}
								</text>
							)}
						</g>
					);
				})}
			</svg>
			<figcaption class="legend">
				<span>
					<i class="swatch-join" aria-hidden="true" />
					{t('dashboard:overview.joinsCount', { count: joins })}
				</span>
				<span>
					<i class="swatch-leave" aria-hidden="true" />
					{t('dashboard:overview.leavesCount', { count: leaves })}
				</span>
			</figcaption>
			{/* A table box ignores the height that hides it: the wrapper does the hiding. */}
			<div class="visually-hidden">
				<table>
					<caption>{t('dashboard:overview.chartTitle')}</caption>
					<thead>
						<tr>
							<th scope="col">{t('dashboard:overview.day')}</th>
							<th scope="col">{t('dashboard:overview.joins')}</th>
							<th scope="col">{t('dashboard:overview.leaves')}</th>
						</tr>
					</thead>
					<tbody>
						{days.map((day) => (
							<tr key={day.date}>
								<th scope="row">{dayLabel(day.date)}</th>
								<td>{day.joins}</td>
								<td>{day.leaves}</td>
							</tr>
						))}
					</tbody>
				</table>
			</div>
		</figure>
	);
}

/** A thin horizontal bar (SVG, since the CSP forbids style attributes that a width would need). */
export function MeterBar({ value, max, label }: { value: number; max: number; label: string }) {
	const width = max > 0 ? Math.max(0, Math.min(100, (value / max) * 100)) : 0;
	return (
		<svg class="meter-bar" viewBox="0 0 100 6" preserveAspectRatio="none" role="img" aria-label={label}>
			<rect class="track" width="100" height="6" />
			<rect class="fill" width={width} height="6" />
		</svg>
	);
}
