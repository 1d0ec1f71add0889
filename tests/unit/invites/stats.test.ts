import { loadImage } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import { parsePeriod } from '../../../src/lib/invites/periods.js';
import type { JoinEvent, MemberRecord } from '../../../src/lib/invites/records.js';
import { aggregateStats, DAY_MS, MAX_BARS } from '../../../src/lib/invites/stats.js';
import { CHART_HEIGHT, CHART_WIDTH, renderStatsChart, statsAltText } from '../../../src/lib/invites/stats-chart.js';
import { languageT } from '../../helpers/i18n.js';

const NOW = Date.UTC(2026, 11, 1, 15, 0);
const DAY_START = Date.UTC(2026, 11, 1);

function record(joins: Array<[at: number, inviterId: string | null]>, leaves: number[] = []): MemberRecord {
	const events: JoinEvent[] = joins.map(([at, inviterId]) => ({ at, how: inviterId ? 'normal' : 'unknown', code: null, inviterId }));
	return { present: leaves.length < joins.length, joins: events, leaves, credit: null };
}

describe('invite stats aggregation', () => {
	const records = [
		record([[NOW - 1 * 60_000, 'alice']]),
		record([[NOW - 2 * DAY_MS, 'alice']], [NOW - DAY_MS]),
		record([[NOW - 3 * DAY_MS, 'bob']]),
		// Joined twice: both joins count, for the inviter of each.
		record(
			[
				[NOW - 40 * DAY_MS, 'carol'],
				[NOW - 6 * DAY_MS, 'bob']
			],
			[NOW - 20 * DAY_MS]
		),
		record([[NOW - 5 * DAY_MS, null]])
	];

	it('counts joins and leaves per UTC day, from the first day of the period to today', () => {
		const stats = aggregateStats(records, parsePeriod('7d', null, NOW), NOW);
		expect(stats.bucketDays).toBe(1);
		// 7 days back from 15:00 starts on a day that is only partly in the window: 8 calendar days.
		expect(stats.buckets).toHaveLength(8);
		expect(stats.buckets[0]!.start).toBe(DAY_START - 7 * DAY_MS);
		expect(stats.buckets.at(-1)).toEqual({ start: DAY_START, joins: 1, leaves: 0 });
		expect(stats.buckets.map((bucket) => bucket.joins)).toEqual([0, 1, 1, 0, 1, 1, 0, 1]);
		expect(stats.buckets.map((bucket) => bucket.leaves)).toEqual([0, 0, 0, 0, 0, 0, 1, 0]);
		expect([stats.joins, stats.leaves]).toEqual([5, 1]);
		expect(stats.topInviters).toEqual([
			{ inviterId: 'alice', joins: 2 },
			{ inviterId: 'bob', joins: 2 }
		]);
	});

	it('today is one bar; all time starts at the first event', () => {
		const today = aggregateStats(records, parsePeriod('today', null, NOW), NOW);
		expect(today.buckets).toEqual([{ start: DAY_START, joins: 1, leaves: 0 }]);
		const all = aggregateStats(records, parsePeriod('all', null, NOW), NOW);
		expect(all.buckets).toHaveLength(41);
		expect(all.buckets[0]).toEqual({ start: DAY_START - 40 * DAY_MS, joins: 1, leaves: 0 });
		expect([all.joins, all.leaves]).toEqual([6, 2]);
		expect(all.topInviters.map((row) => row.inviterId)).toEqual(['alice', 'bob', 'carol']);
	});

	it('groups days into buckets when the period is long, keeping every event', () => {
		const old = [record([[NOW - 400 * DAY_MS, 'dave']]), ...records];
		const stats = aggregateStats(old, parsePeriod('all', null, NOW), NOW);
		expect(stats.bucketDays).toBe(Math.ceil(401 / MAX_BARS));
		expect(stats.buckets.length).toBeLessThanOrEqual(MAX_BARS);
		expect(stats.buckets.reduce((sum, bucket) => sum + bucket.joins, 0)).toBe(7);
	});

	it('an empty history is one empty day, and events in the future are left out', () => {
		const empty = aggregateStats([], parsePeriod('all', null, NOW), NOW);
		expect(empty).toEqual({ bucketDays: 1, buckets: [{ start: DAY_START, joins: 0, leaves: 0 }], joins: 0, leaves: 0, topInviters: [] });
		expect(aggregateStats([record([[NOW + DAY_MS, 'x']])], parsePeriod('all', null, NOW), NOW).joins).toBe(0);
	});
});

describe('invite stats chart', () => {
	const stats = aggregateStats(
		[record([[NOW - DAY_MS, 'alice']]), record([[NOW - 2 * DAY_MS, 'alice']], [NOW - 60_000])],
		parsePeriod('30d', null, NOW),
		NOW
	);

	it('is a PNG of the chart size, with alt text in the language', async () => {
		const picture = await renderStatsChart(languageT('de'), stats, parsePeriod('30d', null, NOW), () => 'Alice');
		const image = await loadImage(picture.png);
		expect([image.width, image.height]).toEqual([CHART_WIDTH, CHART_HEIGHT]);
		expect(picture.title).toBe('Beitritte und Austritte, letzte 30 Tage');
		expect(picture.alt).toBe(
			'Balkendiagramm der Beitritte (grün) und Austritte (rot) pro Tag, letzte 30 Tage: insgesamt 2 Beitritte und 1 Austritte. Top-Einlader: Alice: 2 Beitritte.'
		);
	});

	it("keeps the alt text within Discord's 1024 characters", () => {
		const many = { ...stats, topInviters: Array.from({ length: 5 }, (_, index) => ({ inviterId: String(index), joins: 1 })) };
		expect(statsAltText(languageT('en-US'), many, parsePeriod('all', null, NOW), () => 'n'.repeat(300)).length).toBe(1024);
	});
});
