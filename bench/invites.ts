/**
 * Invite tracking benchmark: our tracker against the naive approach (fetch the invites on every join and credit the
 * first code whose uses rose), both on a discord.js client connected to the local emulator, in the same run; then
 * the leaderboard at 100k tracked members. Run with `npm run bench:invites`; prints Markdown tables.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, GatewayIntentBits, type GuildMember } from 'discord.js';
import { GuildInviteIndex } from '../src/lib/invites/index-state.js';
import { DiscordInviteSource } from '../src/lib/invites/discord-source.js';
import { leaderboardPage } from '../src/lib/invites/views.js';
import { languageT } from '../tests/helpers/i18n.js';
import { InviteTracker } from '../src/lib/invites/tracker.js';
import { openStorage } from '../src/storage-adapters/index.js';
import { DiscordEmulator } from '../tests/harness/index.js';

const INVITES = 5;
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

interface Scenario {
	name: string;
	joins: number;
	/** Joins sent back to back before a pause. */
	chunk: number;
	pauseMs: number;
	/** Which invite join `index` uses. */
	codeOf: (index: number) => number;
	invites?: number;
}

interface Outcome {
	joinsPerSecond: number;
	fetchesPerJoin: number;
	/** Members credited individually to someone who did not invite them. */
	wrong: number;
	/** Joins counted for the right inviter: the sum over inviters of min(credited, true). */
	rightShare: number;
	/** The largest |credited - true| over inviters. */
	largestError: number;
}

/** What a tracker says about one join: the inviter it credits the member to individually, if any. */
type Tracker = (member: GuildMember) => Promise<string | null>;
/** Each inviter's credited regular count once the scenario is over. */
type Counts = (inviterId: string) => number;

async function withClient<T>(emulator: DiscordEmulator, run: (client: Client) => Promise<T>): Promise<T> {
	// The REST manager's global cap (50 requests/s) is lifted, so the naive tracker is limited by itself, not by it.
	const client = new Client({
		intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMembers, GatewayIntentBits.GuildInvites],
		rest: { api: emulator.apiUrl, globalRequestsPerSecond: 1_000_000 }
	});
	await client.login('bench-token');
	await new Promise<void>((resolve) => (client.isReady() ? resolve() : client.once('clientReady', () => resolve())));
	try {
		return await run(client);
	} finally {
		await client.destroy();
	}
}

/** The common tracker design: one fetch per join, compared with a cache of uses; the first risen code wins. */
function naiveTracker(client: Client, guildId: string): { ready: Promise<void>; track: Tracker } {
	const uses = new Map<string, { uses: number; inviterId: string | null }>();
	const ready = client.guilds.cache
		.get(guildId)!
		.invites.fetch({ cache: false })
		.then((invites) => {
			for (const invite of invites.values()) uses.set(invite.code, { uses: invite.uses ?? 0, inviterId: invite.inviterId });
		});
	const track: Tracker = async (member) => {
		const invites = await member.guild.invites.fetch({ cache: false });
		let credited: string | null = null;
		for (const invite of invites.values()) {
			const before = uses.get(invite.code)?.uses ?? 0;
			if ((invite.uses ?? 0) > before && credited === null) credited = invite.inviterId;
			uses.set(invite.code, { uses: invite.uses ?? 0, inviterId: invite.inviterId });
		}
		return credited;
	};
	return { ready, track };
}

async function oursTracker(
	client: Client,
	guildId: string,
	dataDir: string
): Promise<{ ready: Promise<void>; track: Tracker; counts: Counts; close: () => Promise<void> }> {
	const storage = await openStorage({
		adapter: 'file',
		dataDir,
		sqlitePath: join(dataDir, 'x.sqlite'),
		redisUrl: '',
		backupDir: join(dataDir, 'backups'),
		backupKeep: 2
	});
	const tracker = await InviteTracker.load(storage, new DiscordInviteSource(client), silent);
	const track: Tracker = async (member) => {
		const record = await tracker.join({
			guildId: member.guild.id,
			memberId: member.id,
			bot: member.user.bot,
			accountCreatedAt: member.user.createdTimestamp,
			joinedAt: member.joinedTimestamp ?? undefined
		});
		const join = record?.joins.at(-1);
		return join?.how === 'normal' ? join.inviterId : null;
	};
	return {
		ready: tracker.refresh(guildId),
		track,
		counts: (inviterId) => tracker.counts(guildId, inviterId).regular,
		close: () => storage.close()
	};
}

async function runScenario(scenario: Scenario, which: 'ours' | 'naive'): Promise<Outcome> {
	const emulator = await DiscordEmulator.start();
	const dataDir = await mkdtemp(join(tmpdir(), 'bench-invites-'));
	try {
		const guild = emulator.createGuild({ name: 'Bench' });
		const inviters = Array.from({ length: scenario.invites ?? INVITES }, (_, index) => emulator.createUser({ username: `inviter${index}` }).id);
		const codes = inviters.map((inviterId, index) => emulator.createInvite(guild.id, { code: `bench${index}`, inviterId }).code);
		return await withClient(emulator, async (client) => {
			const ours = which === 'ours' ? await oursTracker(client, guild.id, dataDir) : null;
			const naive = ours ? null : naiveTracker(client, guild.id);
			const { ready, track } = ours ?? naive!;
			await ready;
			const truth = new Map<string, string>();
			const results: Array<Promise<[string, string | null]>> = [];
			client.on('guildMemberAdd', (member) => results.push(track(member).then((inviterId) => [member.id, inviterId])));
			const fetchesBefore = emulator.countRequests('GET /guilds/:guildId/invites');
			const start = process.hrtime.bigint();
			for (let index = 0; index < scenario.joins; index++) {
				const which = scenario.codeOf(index);
				truth.set(emulator.joinViaInvite(guild.id, codes[which]!, { username: `m${index}` }).id, inviters[which]!);
				if (index % scenario.chunk === scenario.chunk - 1) await new Promise((resolve) => setTimeout(resolve, scenario.pauseMs));
			}
			while (results.length < scenario.joins) await new Promise((resolve) => setTimeout(resolve, 5));
			const credited = await Promise.all(results);
			const seconds = Number(process.hrtime.bigint() - start) / 1e9;
			let wrong = 0;
			const guessed = new Map<string, number>();
			for (const [memberId, inviterId] of credited) {
				if (inviterId === null) continue;
				guessed.set(inviterId, (guessed.get(inviterId) ?? 0) + 1);
				if (inviterId !== truth.get(memberId)) wrong++;
			}
			const counts: Counts = ours ? ours.counts : (inviterId) => guessed.get(inviterId) ?? 0;
			let right = 0;
			let largestError = 0;
			for (const inviterId of inviters) {
				const real = [...truth.values()].filter((id) => id === inviterId).length;
				right += Math.min(real, counts(inviterId));
				largestError = Math.max(largestError, Math.abs(counts(inviterId) - real));
			}
			await ours?.close();
			const fetches = emulator.countRequests('GET /guilds/:guildId/invites') - fetchesBefore;
			return {
				joinsPerSecond: scenario.joins / seconds,
				fetchesPerJoin: fetches / scenario.joins,
				wrong,
				rightShare: right / scenario.joins,
				largestError
			};
		});
	} finally {
		await emulator.stop();
		await rm(dataDir, { recursive: true, force: true });
	}
}

function leaderboardFigures(members: number, inviters: number) {
	const index = new GuildInviteIndex();
	const now = Date.now();
	for (let member = 0; member < members; member++) {
		index.setCredit(`m${member}`, { inviterId: `i${(member * 7919) % inviters}`, at: now, fake: member % 50 === 0, left: member % 9 === 0 });
	}
	const time = (run: () => unknown) => {
		const start = process.hrtime.bigint();
		run();
		return Number(process.hrtime.bigint() - start) / 1e6;
	};
	const t = languageT();
	const cold = time(() => leaderboardPage(t, index.leaderboard(), 1));
	const cached = time(() => leaderboardPage(t, index.leaderboard(), 500));
	index.setCredit('m1', { inviterId: 'i1', at: now, fake: false, left: false });
	const afterChange = time(() => leaderboardPage(t, index.leaderboard(), 2));
	return { cold, cached, afterChange };
}

function row(cells: Array<string | number>): string {
	return `| ${cells.join(' | ')} |`;
}

const scenarios: Scenario[] = [
	{
		name: '1000-join burst (10 joins per 5 ms, runs of 40 per invite, 20% interleaved)',
		joins: 1000,
		chunk: 10,
		pauseMs: 5,
		codeOf: (index) => (index % 50 < 40 ? Math.floor(index / 50) % INVITES : index % INVITES)
	},
	{ name: '1000 joins, one every 2 ms, alternating invites', joins: 1000, chunk: 1, pauseMs: 2, codeOf: (index) => index % INVITES },
	{ name: '300 joins, one every 20 ms, alternating invites', joins: 300, chunk: 1, pauseMs: 20, codeOf: (index) => index % INVITES },
	{ name: '200-join burst through 4 invites, all at once', joins: 200, chunk: 200, pauseMs: 0, invites: 4, codeOf: (index) => (index * 7) % 4 }
];

console.log(`# Invite tracking benchmark (node ${process.version}, local emulator, ${INVITES} invites)\n`);
console.log(
	row([
		'scenario',
		'tracker',
		'wrong individual credits',
		'joins counted for the right inviter',
		'largest per-inviter error',
		'invite fetches per join',
		'joins/s'
	])
);
console.log(row(['---', '---', '---', '---', '---', '---', '---']));
for (const scenario of scenarios) {
	for (const which of ['naive', 'ours'] as const) {
		const outcome = await runScenario(scenario, which);
		console.log(
			row([
				scenario.name,
				which === 'ours' ? 'Supreme Bot' : 'naive diff (fetch per join)',
				outcome.wrong,
				`${(outcome.rightShare * 100).toFixed(1)}%`,
				outcome.largestError,
				outcome.fetchesPerJoin.toFixed(3),
				outcome.joinsPerSecond.toFixed(0)
			])
		);
	}
}

console.log('\n## Leaderboard page at 100k tracked members (10k inviters)\n');
console.log(row(['case', 'ms']));
console.log(row(['---', '---']));
const leaderboard = leaderboardFigures(100_000, 10_000);
console.log(row(['first page after load (sort from scratch)', leaderboard.cold.toFixed(2)]));
console.log(row(['page 500, cached order', leaderboard.cached.toFixed(3)]));
console.log(row(['page 2 right after a join changed the order', leaderboard.afterChange.toFixed(2)]));
process.exit(0);
