/**
 * /invite-stats and card benchmark: reading a guild's join history (BENCH_MEMBERS, 100k members, file adapter),
 * aggregating it per day, drawing the chart, and drawing a welcome card with and without a stored background.
 * Run with `npm run bench:invite-stats`; prints a Markdown table (median of BENCH_ROUNDS after one warm-up).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { parsePeriod } from '../src/lib/invites/periods.js';
import type { MemberRecord } from '../src/lib/invites/records.js';
import { aggregateStats, DAY_MS, readGuildRecords } from '../src/lib/invites/stats.js';
import { renderStatsChart } from '../src/lib/invites/stats-chart.js';
import { DEFAULT_CARD_STYLE, renderCard } from '../src/lib/welcome/card.js';
import { openStorage } from '../src/storage-adapters/index.js';
import { languageT } from '../tests/helpers/i18n.js';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const GUILD = '100000000000000001';
const NOW = Date.now();

async function median(run: () => unknown): Promise<number> {
	await run();
	const times: number[] = [];
	for (let round = 0; round < ROUNDS; round++) {
		const start = performance.now();
		await run();
		times.push(performance.now() - start);
	}
	return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

const dir = await mkdtemp(join(tmpdir(), 'supreme-bench-stats-'));
const storage = await openStorage({
	adapter: 'file',
	dataDir: dir,
	sqlitePath: join(dir, 'bot.sqlite'),
	redisUrl: '',
	backupDir: join(dir, 'backups'),
	backupKeep: 2
});
try {
	const history = storage.namespace<MemberRecord>('join-history');
	for (let index = 0; index < MEMBERS; index++) {
		const at = NOW - (index % 365) * DAY_MS - (index % 1000) * 1000;
		const record: MemberRecord = {
			present: index % 5 !== 0,
			joins: [{ at, how: 'normal', code: `c${index % 97}`, inviterId: `2000000000000${index % 300}` }],
			leaves: index % 5 === 0 ? [at + 3600_000] : [],
			credit: null
		};
		await history.set(`${GUILD}:3000000000${index}`, record);
	}
	const t = languageT('en-US');
	const records = await readGuildRecords(storage, GUILD);
	const rows: Array<[string, number]> = [];
	rows.push([`read ${MEMBERS.toLocaleString('en-US')} member records (file adapter)`, await median(() => readGuildRecords(storage, GUILD))]);
	for (const name of ['30d', 'all'] as const) {
		const period = parsePeriod(name, null, NOW);
		rows.push([`aggregate per day, period ${name}`, await median(() => aggregateStats(records, period, NOW))]);
	}
	const period = parsePeriod('30d', null, NOW);
	const stats = aggregateStats(records, period, NOW);
	rows.push(['draw the chart (1200×600 PNG)', await median(() => renderStatsChart(t, stats, period, (id) => id))]);
	const content = { title: 'WELCOME', name: 'bob', subtitle: 'to Cool Server', footer: 'Member #42', avatar: null };
	rows.push(['draw a card, no background', await median(() => renderCard(content))]);
	const picture = createCanvas(1920, 1080);
	picture.getContext('2d').fillRect(0, 0, 1920, 1080);
	const background = await picture.encode('jpeg');
	rows.push(['draw a card, stored 1920×1080 JPEG background', await median(() => renderCard(content, { ...DEFAULT_CARD_STYLE, background }))]);

	console.log(`| step (median of ${ROUNDS}) | ms |\n| --- | ---: |`);
	for (const [step, ms] of rows) console.log(`| ${step} | ${ms.toFixed(1)} |`);
} finally {
	await storage.close();
	await rm(dir, { recursive: true, force: true });
}
