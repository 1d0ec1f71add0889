import { refusalOf } from '../interaction-reply.js';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { TFunction } from 'i18next';
import { KeyLock } from '../../storage-adapters/key-lock.js';
import type { Storage } from '../../storage-adapters/types.js';
import { formatDuration } from '../i18n/formatters.js';
import { SOURCE_LANGUAGE } from '../i18n/languages.js';
import { languageT } from '../i18n/standalone.js';
import { say, text, type Text } from '../i18n/text.js';
import { entriesOf, maxEntries } from './bonus.js';
import { drawWeighted, type RandomInt } from './draw.js';
import { entrantsCsv, type EntrantRow } from './entrants.js';
import { unmetRequirement, type MemberFacts } from './requirements.js';
import { GiveawayScheduler } from './scheduler.js';
import {
	activate,
	bonusOf,
	cancel,
	claimAutoReroll,
	claimEnding,
	claimPrize,
	closeRound,
	deliveryOf,
	openClaimRound,
	recordReplacements,
	releaseClaim,
	claimStart,
	edit,
	countEntry,
	createGiveaway,
	DEFAULT_GIVEAWAY_CONFIG,
	endNow,
	entryKey,
	finishEnding,
	GIVEAWAY_CONFIG_NAMESPACE,
	GIVEAWAY_ENTRIES_NAMESPACE,
	GIVEAWAY_NAMESPACE,
	isOpen,
	isPastRetention,
	isRefusal,
	moveEntrantsOut,
	nextDueAt,
	pastWinners,
	pause,
	endOnceStarted,
	recordIntent,
	recordResult,
	recordReroll,
	recordWinners,
	requirementsOf,
	resume,
	setMessage,
	startedAtOf,
	type Delivery,
	type Giveaway,
	type GiveawayConfig,
	type GiveawayEdit,
	type GiveawayEntry,
	type NewGiveaway,
	type Refusal,
	type Transition
} from './state.js';
import {
	announcementContent,
	announcementMarker,
	autoRerollContent,
	autoRerollMarker,
	claimComponents,
	claimDmContent,
	claimDmMarker,
	giveawayMessage,
	hostListContent,
	hostListMarker,
	rerollContent
} from './views.js';

/** A message as the views build it; the Discord side sends it as is. */
export type GiveawayMessagePayload = ReturnType<typeof giveawayMessage>;

/** A Discord failure that retrying will not fix (channel or message gone, permission missing). */
export class PermanentDiscordError extends Error {
	public override readonly name = 'PermanentDiscordError';
}

/** What the giveaways need from Discord; src/lib/giveaways/discord.ts implements it with discord.js. */
export interface GiveawayDiscord {
	/** The translator of a guild's language (src/lib/i18n/guild-language.ts): its messages, announcements and DMs. */
	translator(guildId: string): Promise<TFunction>;
	/** Whether this process serves the guild (its shard holds it): only then does it schedule its giveaways. */
	servesGuild(guildId: string): boolean;
	/** What the requirements are checked against, fetched now; null when the user is no longer a member. */
	memberFacts(guildId: string, userId: string): Promise<MemberFacts | null>;
	/** Posts a message; with `nonce` (enforced), Discord drops a second one with the same nonce. */
	postMessage(channelId: string, payload: GiveawayMessagePayload, nonce?: string): Promise<string>;
	editMessage(channelId: string, messageId: string, payload: GiveawayMessagePayload): Promise<void>;
	/** Sends the announcement (with `nonce`, enforced, so Discord drops a duplicate) and resolves with its message id. */
	sendAnnouncement(
		channelId: string,
		content: string,
		winners: readonly string[],
		nonce: string,
		replyTo: string | null,
		extra?: AnnouncementExtras
	): Promise<string>;
	/** The id of a message this bot posted in the channel after `since` (ms) whose content contains `marker`. */
	findAnnouncement(channelId: string, marker: string, since: number): Promise<string | null>;
	/** Sends a user a direct message, maybe with a file or buttons (`nonce` enforced); DMs closed to the bot are a PermanentDiscordError. */
	sendDirect(
		userId: string,
		content: string,
		file: { name: string; data: Buffer } | null,
		nonce: string,
		components?: AnnouncementExtras['components']
	): Promise<string>;
	/** The id of a direct message this bot sent the user after `since` (ms) whose content contains `marker`. */
	findDirect(userId: string, marker: string, since: number): Promise<string | null>;
	/** The id of a message this bot posted in the channel after `since` (ms) with the giveaway's footer (isGiveawayFooter). */
	findPosted(channelId: string, giveawayId: string, since: number): Promise<string | null>;
}

/** More for an announcement: buttons (the Claim button), and users pinged besides the winners (the host). */
export interface AnnouncementExtras {
	components?: ReturnType<typeof claimComponents>;
	alsoMention?: string[];
}

export interface GiveawayLogger {
	info(message: string): void;
	warn(message: string): void;
	error(message: string): void;
}

export interface GiveawayServiceOptions {
	/** How often storage is read again for giveaways started elsewhere; 30 s. */
	sweepMs?: number;
	/** At most one entry-count edit per giveaway message this often; 5 s. */
	countEditIntervalMs?: number;
	/** Names this process in claims (logs only). */
	owner?: string;
	now?: () => number;
	random?: RandomInt;
	/** Ended and cancelled giveaways, with their entries, are deleted this long after they end (GIVEAWAY_RETENTION); 90 days. */
	retentionMs?: number;
	/** How often old giveaways are looked for; 1 hour. */
	pruneIntervalMs?: number;
}

/** A refusal's `reason` is said in the reader's language: a Text (src/lib/i18n/text.ts). */
export type Outcome<T> = { ok: true; value: T } | { ok: false; reason: Text };

/** Most winners a giveaway may have (the /giveaway options' limit, the dashboard's too). */
export const MAX_WINNERS = 50;

/** An outcome's value, or its reason as the refusal /giveaway and the dashboard show. */
export function unwrap<T>(outcome: Outcome<T>): T {
	if (!outcome.ok) throw refusalOf(outcome.reason);
	return outcome.value;
}

export interface StartInput extends Omit<NewGiveaway, 'id' | 'now'> {}

const ID_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const ID_LENGTH = 8;
/** Thrown out of a storage update to abandon it (never escapes the service); an Error, since only errors are thrown. */
const REFUSED = new Error('giveaway update refused');
/** How long an ending waits, at most ENTRY_SETTLE_ATTEMPTS times, for entries counted but not yet written. */
const ENTRY_SETTLE_MS = 200;
const ENTRY_SETTLE_ATTEMPTS = 10;
/** Entries deleted per storage call when a giveaway is pruned. */
const PRUNE_BATCH = 1000;

function newGiveawayId(): string {
	return Array.from({ length: ID_LENGTH }, () => ID_ALPHABET[randomInt(ID_ALPHABET.length)]).join('');
}

function describe(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/** How long a clean stop waits for endings in progress (within docker stop's default grace period of 10 s). */
export const STOP_WAIT_MS = 8000;

/**
 * Giveaways: starting, entries, pause/resume/cancel, rerolls, and the ending, which happens exactly once.
 *
 * The ending, and why it announces once (see also state.ts):
 * 1. Claim: `active -> ending` with a fresh token, through storage.update. Of any number of processes and timers, one
 *    wins; the others see `ending` and stand back until the claim times out (CLAIM_TIMEOUT_MS).
 * 2. Draw and record the winners (only while holding the claim). A takeover reuses them: the winners never change.
 * 3. Record the intent to announce (nonce and time, only while holding the claim), send the announcement with that
 *    nonce, record its message id. A takeover that finds an intent without a message id first searches the channel for
 *    the announcement (by its marker) and records it if found; only if not found does it send, with the same nonce,
 *    which Discord itself refuses to duplicate. So a crash or a kill at any point never repeats an announcement whose
 *    message Discord accepted; the one window left (a holder stalled past the timeout while its send is still in flight)
 *    is covered by the nonce.
 * 4. Edit the giveaway message to show the winners, then `ending -> ended` (releasing the claim), then edit again in case
 *    an entry-count edit raced the first one.
 */
export class GiveawayService {
	public readonly scheduler: GiveawayScheduler;

	private readonly endings = new Map<string, Promise<Outcome<Giveaway>>>();
	private readonly countEdits = new Map<string, { timer: NodeJS.Timeout | null; lastAt: number }>();
	/** One click at a time per member and giveaway: a double click must not count twice. */
	private readonly entryLocks = new KeyLock();
	private readonly owner: string;
	private readonly now: () => number;
	private readonly random: RandomInt;
	private readonly countEditIntervalMs: number;
	private readonly retentionMs: number;
	private readonly pruneIntervalMs: number;
	private pruneTimer: NodeJS.Timeout | null = null;
	/** Set by `stop`: no more entry-count edits (storage closes soon). */
	private stopping = false;
	private pruning: Promise<number> | null = null;
	/** The log speaks the source language (refusals and durations in it are Texts). */
	private readonly logT: TFunction = languageT(SOURCE_LANGUAGE);

	public constructor(
		private readonly storage: Storage,
		private readonly discord: GiveawayDiscord,
		private readonly logger: GiveawayLogger,
		options: GiveawayServiceOptions = {}
	) {
		this.owner = options.owner ?? `${hostname()}:${process.pid}`;
		this.now = options.now ?? Date.now;
		this.random = options.random ?? randomInt;
		this.countEditIntervalMs = options.countEditIntervalMs ?? 5000;
		this.retentionMs = options.retentionMs ?? 90 * 86_400_000;
		this.pruneIntervalMs = options.pruneIntervalMs ?? 3_600_000;
		this.scheduler = new GiveawayScheduler({
			sweepMs: options.sweepMs ?? 30_000,
			now: this.now,
			onDue: async (id) => {
				await this.runDue(id);
			},
			load: () => this.dueTimes(),
			onError: (error) => this.logger.warn(`Giveaways: ${describe(error)}`)
		});
	}

	/** Schedules every giveaway of the guilds this process serves; endings already due run right away. */
	public async startScheduling(): Promise<void> {
		await this.moveLegacyEntrants();
		await this.scheduler.start();
		this.logger.info(`Giveaways ready: ${this.scheduler.size} scheduled`);
		const prune = () => void this.prune().catch((error) => this.logger.warn(`Giveaways: old giveaways not pruned: ${describe(error)}`));
		prune();
		this.pruneTimer = setInterval(prune, this.pruneIntervalMs);
		this.pruneTimer.unref();
	}

	/** After a restore: the restored records may be from before `giveaway-entries`, and their end times changed. */
	public async reload(): Promise<void> {
		await this.moveLegacyEntrants();
		await this.scheduler.sweep();
	}

	/**
	 * Stops scheduling, then lets the endings, starts and rerolls this process has claimed finish (up to STOP_WAIT_MS,
	 * while Discord and storage are still open): a clean stop leaves no claim behind for the next start to wait out.
	 */
	public async stop(): Promise<void> {
		this.stopping = true;
		this.scheduler.stop();
		if (this.pruneTimer) clearInterval(this.pruneTimer);
		this.pruneTimer = null;
		for (const slot of this.countEdits.values()) if (slot.timer) clearTimeout(slot.timer);
		this.countEdits.clear();
		if (this.endings.size === 0 && !this.scheduler.busy) return;
		this.logger.info('Giveaways: waiting for the endings in progress before stopping');
		// Discord is still connected while we wait: an ending started meanwhile (/giveaway end, a filled drop) is waited for too.
		const deadline = Date.now() + STOP_WAIT_MS;
		while (this.endings.size > 0 || this.scheduler.busy) {
			const left = deadline - Date.now();
			if (left <= 0) {
				this.logger.warn('Giveaways: stopped with endings still in progress; the next start takes them over after the claim times out');
				return;
			}
			let timer: NodeJS.Timeout | undefined;
			await Promise.race([
				// A due giveaway whose ending the scheduler is about to start is not in `endings` yet.
				Promise.allSettled([...this.endings.values(), this.scheduler.settled()]),
				new Promise((resolve) => (timer = setTimeout(resolve, left)))
			]);
			clearTimeout(timer);
		}
	}

	// --- reading ---------------------------------------------------------------------------------------------

	/** The translator of a guild's language: for answers about a giveaway given outside its server (a DM's Claim click). */
	public translator(guildId: string): Promise<TFunction> {
		return this.discord.translator(guildId);
	}

	public async get(id: string): Promise<Giveaway | undefined> {
		return this.storage.namespace<Giveaway>(GIVEAWAY_NAMESPACE).get(id);
	}

	/** A giveaway of this guild; another guild's id reads as unknown. */
	public async find(guildId: string, id: string): Promise<Outcome<Giveaway>> {
		const giveaway = await this.get(id.trim());
		if (!giveaway || giveaway.guildId !== guildId) return { ok: false, reason: text('giveaways:notFound', { id }) };
		return { ok: true, value: giveaway };
	}

	/** Open giveaways (soonest end first) and the most recently ended or cancelled ones. */
	public async list(guildId: string, recentLimit = 10): Promise<{ open: Giveaway[]; recent: Giveaway[] }> {
		const all = (await this.storage.entries<Giveaway>(GIVEAWAY_NAMESPACE))
			.map(([, giveaway]) => giveaway)
			.filter((giveaway) => giveaway.guildId === guildId);
		return {
			open: all.filter(isOpen).sort((a, b) => a.endsAt - b.endsAt),
			recent: all
				.filter((giveaway) => !isOpen(giveaway))
				.sort((a, b) => (b.endedAt ?? 0) - (a.endedAt ?? 0))
				.slice(0, recentLimit)
		};
	}

	public async config(guildId: string): Promise<GiveawayConfig> {
		return { ...DEFAULT_GIVEAWAY_CONFIG, ...(await this.storage.namespace<GiveawayConfig>(GIVEAWAY_CONFIG_NAMESPACE).get(guildId)) };
	}

	public async setHostRole(guildId: string, hostRoleId: string | null): Promise<GiveawayConfig> {
		const updated = await this.storage.update<GiveawayConfig>(GIVEAWAY_CONFIG_NAMESPACE, guildId, (current) => ({
			...DEFAULT_GIVEAWAY_CONFIG,
			...current,
			hostRoleId
		}));
		return updated!;
	}

	// --- changes ---------------------------------------------------------------------------------------------

	/** Stores the giveaway, then posts its message; a message that cannot be posted takes the giveaway back. */
	public async create(input: StartInput): Promise<Giveaway> {
		const id = newGiveawayId();
		const giveaway = createGiveaway({ ...input, id, now: this.now() });
		await this.storage.update<Giveaway>(GIVEAWAY_NAMESPACE, id, (current) => {
			if (current) throw new Error(`giveaway id ${id} is taken`);
			return giveaway;
		});
		if (giveaway.state === 'scheduled') {
			// Its message is posted at the start time, by whichever process claims the start (see runStart).
			this.scheduler.track(id, nextDueAt(giveaway));
			this.logger.info(`Giveaway ${id} scheduled in guild ${giveaway.guildId}: starts ${new Date(giveaway.startsAt!).toISOString()}`);
			return giveaway;
		}
		let messageId: string;
		try {
			messageId = await this.discord.postMessage(
				giveaway.channelId,
				giveawayMessage(await this.discord.translator(giveaway.guildId), giveaway)
			);
		} catch (error) {
			await this.storage.namespace(GIVEAWAY_NAMESPACE).delete(id);
			throw error;
		}
		const posted = await this.apply(id, setMessage(id, messageId));
		const stored = posted.ok ? posted.value : giveaway;
		this.scheduler.track(id, nextDueAt(stored));
		this.logger.info(`Giveaway ${id} started in guild ${stored.guildId}: ends ${new Date(stored.endsAt).toISOString()}`);
		return stored;
	}

	/** The Enter button: enters (when `member` meets the requirements), or leaves when already entered. */
	public toggleEntry(id: string, userId: string, member: MemberFacts): Promise<Outcome<{ entered: boolean; giveaway: Giveaway; entries: number }>> {
		const key = entryKey(id, userId);
		return this.entryLocks.run(key, async () => {
			const entries = this.storage.namespace<GiveawayEntry>(GIVEAWAY_ENTRIES_NAMESPACE);
			const [giveaway, wasEntered] = await Promise.all([this.get(id), entries.has(key)]);
			// A drop is first come, first served: entering twice does not take the place back.
			if (giveaway?.drop && wasEntered) return { ok: false, reason: text('giveaways:alreadyInDrop', { count: giveaway.winnerCount }) };
			const unmet = !wasEntered && giveaway ? unmetRequirement(requirementsOf(giveaway), member, this.now(), startedAtOf(giveaway)) : null;
			if (unmet) return { ok: false, reason: unmet };
			// Shown to the member and kept for the entrant list; the draw looks the member's entries up again.
			const entryWeight = giveaway ? entriesOf(bonusOf(giveaway), member) : 1;
			// Counted first, in the giveaway's own atomic update: that is where a giveaway that closed meanwhile refuses.
			// The ending compares this count with the entries it reads, so an entry counted but not yet written is waited for.
			const counted = await this.apply(id, countEntry(id, wasEntered ? -1 : 1));
			if (!counted.ok) return counted;
			if (wasEntered) await entries.delete(key);
			else await entries.set(key, entryWeight > 1 ? { at: this.now(), entries: entryWeight } : { at: this.now() });
			this.noteEntriesChanged(id);
			if (counted.value.drop && counted.value.entryCount >= counted.value.winnerCount) this.endDropNow(id);
			return { ok: true, value: { entered: !wasEntered, giveaway: counted.value, entries: entryWeight } };
		});
	}

	/** The members who entered a giveaway: a key range, whatever the number of other giveaways' entries. */
	public async entrants(id: string): Promise<string[]> {
		const prefix = entryKey(id, '');
		const found: string[] = [];
		for await (const [key] of this.storage.iteratePrefix(GIVEAWAY_ENTRIES_NAMESPACE, prefix)) found.push(key.slice(prefix.length));
		return found;
	}

	/** Everyone who entered, with when and with how many entries, and whether they won: for /giveaway entrants. */
	public async entrantRows(giveaway: Giveaway): Promise<EntrantRow[]> {
		const prefix = entryKey(giveaway.id, '');
		const won = new Set(pastWinners(giveaway));
		const rows: EntrantRow[] = [];
		for await (const [key, entry] of this.storage.iteratePrefix<GiveawayEntry>(GIVEAWAY_ENTRIES_NAMESPACE, prefix)) {
			const userId = key.slice(prefix.length);
			rows.push({ userId, at: entry.at, entries: entry.entries ?? 1, won: won.has(userId) });
		}
		return rows;
	}

	/**
	 * Deletes the giveaways that ended or were cancelled more than the retention period ago, with their entries; resolves
	 * with how many. Entries go first: a crash in between leaves the giveaway, and the next pass deletes the rest.
	 */
	public prune(): Promise<number> {
		this.pruning ??= this.pruneOld().finally(() => (this.pruning = null));
		return this.pruning;
	}

	public pause(guildId: string, id: string): Promise<Outcome<Giveaway>> {
		return this.change(guildId, id, pause(id, this.now()));
	}

	public resume(guildId: string, id: string): Promise<Outcome<Giveaway>> {
		return this.change(guildId, id, resume(id, this.now()));
	}

	/** `/giveaway edit`: changes a giveaway that has not ended and updates its message (and its end, if changed). */
	public edit(guildId: string, id: string, patch: GiveawayEdit): Promise<Outcome<Giveaway>> {
		return this.change(guildId, id, edit(id, patch, this.now()));
	}

	public cancel(guildId: string, id: string): Promise<Outcome<Giveaway>> {
		return this.change(guildId, id, cancel(id, this.now()));
	}

	/** `/giveaway end`: the end time becomes now and the ending runs at once (or joins the one already running). */
	public async endEarly(guildId: string, id: string): Promise<Outcome<Giveaway>> {
		const found = await this.find(guildId, id);
		if (!found.ok) return found;
		const moved = await this.apply(id, endNow(id, this.now()));
		if (!moved.ok) return moved;
		return this.end(id);
	}

	/** Draws `count` new winners (the giveaway's winner count by default) among valid entrants who have not won yet. */
	public async reroll(guildId: string, id: string, byId: string, count?: number): Promise<Outcome<{ giveaway: Giveaway; winners: string[] }>> {
		const found = await this.find(guildId, id);
		if (!found.ok) return found;
		const giveaway = found.value;
		if (giveaway.state !== 'ended')
			return { ok: false, reason: text(giveaway.state === 'cancelled' ? 'giveaways:closed.cancelled' : 'giveaways:onlyEndedReroll') };
		const excluded = new Set(pastWinners(giveaway));
		const candidates = (await this.entrants(id)).filter((entrant) => !excluded.has(entrant));
		const winners = await this.draw(giveaway, candidates, count ?? giveaway.winnerCount);
		const recorded = await this.apply(id, recordReroll(id, { at: this.now(), byId, winners }));
		if (!recorded.ok) return recorded;
		await this.renderMessage(id);
		// One command, one message: a reroll needs no claim. Failing to post it leaves the reroll recorded and shown.
		await this.discord
			.sendAnnouncement(
				giveaway.channelId,
				rerollContent(await this.discord.translator(giveaway.guildId), giveaway, winners),
				winners,
				randomBytes(12).toString('base64url'),
				giveaway.messageId
			)
			.catch((error) => this.logger.warn(`Giveaway ${id}: the reroll announcement cannot be sent: ${describe(error)}`));
		this.logger.info(`Giveaway ${id} rerolled by ${byId}: ${winners.length} new winners`);
		return { ok: true, value: { giveaway: recorded.value, winners } };
	}

	// --- the ending ------------------------------------------------------------------------------------------

	/** Ends a giveaway whose end time passed; a second call while one runs in this process joins it. */
	public end(id: string): Promise<Outcome<Giveaway>> {
		const running = this.endings.get(id);
		if (running) return running;
		const ending = this.runEnding(id).finally(() => this.endings.delete(id));
		this.endings.set(id, ending);
		return ending;
	}

	/** Posts a scheduled giveaway's message and opens it; a second call while one runs in this process joins it. */
	public startScheduled(id: string): Promise<Outcome<Giveaway>> {
		const running = this.endings.get(id);
		if (running) return running;
		const starting = this.runStart(id).finally(() => this.endings.delete(id));
		this.endings.set(id, starting);
		return starting;
	}

	/** The Claim button: records that a winner claimed (idempotent); only a winner, only within their window. */
	public async claim(id: string, userId: string): Promise<Outcome<{ giveaway: Giveaway; claimedAt: number }>> {
		const claimed = await this.apply(id, claimPrize(id, userId, this.now()));
		if (!claimed.ok) return claimed;
		const round = [...(claimed.value.claimRounds ?? [])].reverse().find((candidate) => candidate.winners.includes(userId))!;
		this.scheduler.track(id, this.discord.servesGuild(claimed.value.guildId) ? nextDueAt(claimed.value) : null);
		// The message says who must still claim; once nobody must, it stops saying so.
		void this.renderMessage(id).catch((error: unknown) => this.logger.warn(`Giveaway ${id}: its message not updated: ${describe(error)}`));
		return { ok: true, value: { giveaway: claimed.value, claimedAt: round.claimedAt[userId]! } };
	}

	/** Replaces the winners who did not claim in time; a second call while one runs in this process joins it. */
	public autoReroll(id: string): Promise<Outcome<Giveaway>> {
		const running = this.endings.get(id);
		if (running) return running;
		const rerolling = this.runAutoReroll(id).finally(() => this.endings.delete(id));
		this.endings.set(id, rerolling);
		return rerolling;
	}

	// --- the message -----------------------------------------------------------------------------------------

	/**
	 * Edits the giveaway message to show its stored state. An ending in progress owns the message. If the state changed
	 * while the edit was on its way (another process ended it), it is edited again, so the last edit shows the last state.
	 */
	public async renderMessage(id: string): Promise<void> {
		for (let attempt = 0; attempt < 3; attempt++) {
			const giveaway = await this.get(id);
			if (!giveaway?.messageId || giveaway.state === 'ending') return;
			await this.editQuietly(giveaway, giveawayMessage(await this.discord.translator(giveaway.guildId), giveaway));
			const after = await this.get(id);
			if (!after || after.state === giveaway.state) return;
		}
	}

	private async pruneOld(): Promise<number> {
		const cutoff = this.now() - this.retentionMs;
		let pruned = 0;
		for (const [id, giveaway] of await this.storage.entries<Giveaway>(GIVEAWAY_NAMESPACE)) {
			if (!isPastRetention(giveaway, cutoff)) continue;
			const entries = this.storage.namespace<GiveawayEntry>(GIVEAWAY_ENTRIES_NAMESPACE);
			let keys: string[] = [];
			for await (const [key] of this.storage.iteratePrefix(GIVEAWAY_ENTRIES_NAMESPACE, entryKey(id, ''))) {
				keys.push(key);
				if (keys.length === PRUNE_BATCH) {
					await entries.delete(keys);
					keys = [];
				}
			}
			if (keys.length > 0) await entries.delete(keys);
			// Only if it is still the old giveaway: a restore may have brought it back as it was before it ended.
			const deleted = await this.storage.update<Giveaway>(GIVEAWAY_NAMESPACE, id, (current) =>
				current && isPastRetention(current, cutoff) ? undefined : current
			);
			if (deleted === undefined) pruned++;
		}
		if (pruned > 0)
			this.logger.info(
				`Giveaways: ${pruned} ended more than ${formatDuration(this.retentionMs, SOURCE_LANGUAGE)} ago deleted with their entries`
			);
		return pruned;
	}

	/**
	 * The entrants an ending draws from. A click counts its entry before writing it, so while the entries read differ from
	 * the closed giveaway's count, clicks from just before the close are still on their way: read again, a few times.
	 */
	private async settledEntrants(giveaway: Giveaway): Promise<string[]> {
		let entrants = await this.entrants(giveaway.id);
		for (let attempt = 0; attempt < ENTRY_SETTLE_ATTEMPTS && entrants.length !== giveaway.entryCount; attempt++) {
			await new Promise((resolve) => setTimeout(resolve, ENTRY_SETTLE_MS));
			entrants = await this.entrants(giveaway.id);
		}
		return entrants;
	}

	/** Records written before entries had a namespace of their own: their entrant lists become entries. */
	private async moveLegacyEntrants(): Promise<void> {
		for (const [id, giveaway] of await this.storage.entries<Giveaway>(GIVEAWAY_NAMESPACE)) {
			if (!giveaway.entrants) continue;
			const entries = this.storage.namespace<GiveawayEntry>(GIVEAWAY_ENTRIES_NAMESPACE);
			// Entries first: a crash in between leaves the list in place, and the next start moves it again.
			for (const userId of new Set(giveaway.entrants)) await entries.set(entryKey(id, userId), { at: giveaway.createdAt });
			const moved = await this.apply(id, moveEntrantsOut(id));
			if (moved.ok) this.logger.info(`Giveaway ${id}: ${moved.value.entryCount} entries moved to their own records`);
		}
	}

	/**
	 * A member's entries at the draw: 0 unless still a member meeting the requirements as they are now, else 1 plus the
	 * bonuses of the roles they hold now.
	 */
	private async entriesAtDraw(giveaway: Giveaway, userId: string): Promise<number> {
		const member = await this.discord.memberFacts(giveaway.guildId, userId);
		if (member === null || unmetRequirement(requirementsOf(giveaway), member, this.now(), startedAtOf(giveaway)) !== null) return 0;
		return entriesOf(bonusOf(giveaway), member);
	}

	/** A drop's winners: the first `count` entrants, by entry time, who still qualify (no draw). */
	private async firstQualifying(giveaway: Giveaway, count: number): Promise<string[]> {
		const rows = (await this.entrantRows(giveaway)).sort((a, b) => a.at - b.at || (a.userId < b.userId ? -1 : 1));
		const winners: string[] = [];
		for (const row of rows) {
			if (winners.length === count) break;
			if ((await this.entriesAtDraw(giveaway, row.userId)) > 0) winners.push(row.userId);
		}
		return winners;
	}

	/**
	 * The entry that filled a drop: the end time becomes now and the ending runs, through the same claim as any ending,
	 * so entries counted by several processes at once still end it once.
	 */
	private endDropNow(id: string): void {
		void this.apply(id, endNow(id, this.now()))
			.then((moved) => (moved.ok ? this.end(id) : moved))
			.catch((error: unknown) => this.logger.warn(`Giveaway ${id}: the filled drop is ended by the scheduler instead: ${describe(error)}`));
	}

	/** Up to `count` winners among `entrants`, each as likely as their entries (see drawWeighted). */
	private draw(giveaway: Giveaway, entrants: readonly string[], count: number): Promise<string[]> {
		const bonus = bonusOf(giveaway);
		return drawWeighted(entrants, count, (userId) => this.entriesAtDraw(giveaway, userId), maxEntries(bonus), this.random);
	}

	private async change(guildId: string, id: string, transition: Transition): Promise<Outcome<Giveaway>> {
		const found = await this.find(guildId, id);
		if (!found.ok) return found;
		const result = await this.apply(id, transition);
		if (!result.ok) return result;
		this.scheduler.track(id, nextDueAt(result.value));
		await this.renderMessage(id);
		return result;
	}

	private async runEnding(id: string): Promise<Outcome<Giveaway>> {
		const token = randomUUID();
		const claimed = await this.apply(id, claimEnding(id, { token, owner: this.owner, at: this.now() }));
		if (!claimed.ok) {
			// Not due, already ended, or another process holds the claim: watch it as storage says.
			const current = await this.get(id);
			this.scheduler.track(id, current && this.discord.servesGuild(current.guildId) ? nextDueAt(current) : null);
			if (current?.state === 'ending' || current?.state === 'ended')
				this.logger.info(`Giveaway ${id}: not ending here: ${say(this.logT, claimed.reason)}`);
			return current?.state === 'ended' ? { ok: true, value: current } : claimed;
		}
		let giveaway = claimed.value;
		this.scheduler.track(id, nextDueAt(giveaway));
		try {
			if (giveaway.winners === null) {
				const entrants = await this.settledEntrants(giveaway);
				const winners = giveaway.drop
					? await this.firstQualifying(giveaway, giveaway.winnerCount)
					: await this.draw(giveaway, entrants, giveaway.winnerCount);
				giveaway = await this.mustApply(id, recordWinners(id, token, winners, this.now()));
			}
			if (!giveaway.announcement?.messageId && !giveaway.announcement?.failure) giveaway = await this.announce(giveaway, token);
			if (giveaway.claimWindowMs) {
				giveaway = await this.mustApply(id, openClaimRound(id, token, this.now()));
				giveaway = await this.sendClaimDms(giveaway, token);
			}
			if (!giveaway.hostList?.messageId && !giveaway.hostList?.failure) giveaway = await this.sendHostList(giveaway, token);
			if (giveaway.messageId) {
				const projected: Giveaway = { ...giveaway, state: 'ended', endedAt: this.now() };
				await this.editQuietly(projected, giveawayMessage(await this.discord.translator(giveaway.guildId), projected));
			}
			giveaway = await this.mustApply(id, finishEnding(id, token, this.now()));
		} catch (error) {
			// The claim stays; the scheduler looks again when it times out, and this or another process takes over.
			this.logger.warn(`Giveaway ${id}: ending interrupted, retried after the claim times out: ${describe(error)}`);
			return { ok: false, reason: text('giveaways:endRetry') };
		}
		// Winners who must claim: watched until their window closes (the auto-reroll).
		this.scheduler.track(id, nextDueAt(giveaway));
		this.logger.info(`Giveaway ${id} ended: ${giveaway.winners?.length ?? 0} winners, ${giveaway.entryCount} entries`);
		await this.renderMessage(id);
		return { ok: true, value: giveaway };
	}

	private announce(giveaway: Giveaway, token: string): Promise<Giveaway> {
		return this.deliverOnce(giveaway, token, 'announcement', {
			what: 'announcement',
			find: (since) => this.discord.findAnnouncement(giveaway.channelId, announcementMarker(giveaway.id), since),
			send: async (intent, nonce) => {
				const t = await this.discord.translator(intent.guildId);
				const winners = intent.winners ?? [];
				const extra = intent.claimWindowMs
					? { alsoMention: [intent.hostId], ...(winners.length > 0 ? { components: claimComponents(t, intent.id) } : {}) }
					: {};
				return this.discord.sendAnnouncement(
					intent.channelId,
					announcementContent(t, intent, winners),
					winners,
					nonce,
					intent.messageId,
					extra
				);
			}
		});
	}

	/** The host gets the entrant list as a CSV file by DM at the end, once (DMs closed: logged, not retried). */
	private sendHostList(giveaway: Giveaway, token: string): Promise<Giveaway> {
		const marker = hostListMarker(giveaway.id);
		return this.deliverOnce(giveaway, token, 'hostList', {
			what: 'entrant list for the host',
			find: (since) => this.discord.findDirect(giveaway.hostId, marker, since),
			send: async (intent, nonce) => {
				const rows = await this.entrantRows(intent);
				return this.discord.sendDirect(
					intent.hostId,
					hostListContent(await this.discord.translator(intent.guildId), intent, rows.length),
					{ name: `giveaway-${intent.id}-entrants.csv`, data: entrantsCsv(rows) },
					nonce
				);
			}
		});
	}

	/**
	 * Sends one message once, whatever crashes and processes: the ending's announcement, or a scheduled giveaway's message.
	 * Only the claim holder (`token`) records the intent (a nonce and the time); the message is sent with that nonce, then
	 * its id recorded. A holder that finds an intent without a message id (its predecessor died or stalled after deciding
	 * to send) first searches the channel since the intent, and records the message if it is there; only if it is not
	 * does it send, with the same nonce, which Discord itself refuses to duplicate.
	 */
	private async deliverOnce(
		giveaway: Giveaway,
		token: string,
		delivery: Delivery,
		how: { what: string; find: (since: number) => Promise<string | null>; send: (intent: Giveaway, nonce: string) => Promise<string> }
	): Promise<Giveaway> {
		const { id } = giveaway;
		const previous = deliveryOf(giveaway, delivery);
		if (previous) {
			// A predecessor decided to send: it may have, before dying. Look first.
			const found = await how.find(previous.startedAt).catch((error: unknown) => {
				if (!(error instanceof PermanentDiscordError)) throw error;
				// The channel cannot be read (no Read Message History, say): the recorded nonce, which Discord does not
				// repeat, is the guard. Without this, the ending would be retried forever and never delivered.
				this.logger.warn(`Giveaway ${id}: cannot look for an earlier ${how.what} (${error.message}); sending with its nonce`);
				return null;
			});
			if (found) {
				this.logger.info(`Giveaway ${id}: ${how.what} ${found} found in the channel; not sending again`);
				return this.mustApply(id, recordResult(id, delivery, { messageId: found }));
			}
		}
		const intent = await this.mustApply(id, recordIntent(id, delivery, token, randomBytes(12).toString('base64url'), this.now()));
		let messageId: string;
		try {
			messageId = await how.send(intent, deliveryOf(intent, delivery)!.nonce);
		} catch (error) {
			if (!(error instanceof PermanentDiscordError)) throw error;
			this.logger.warn(`Giveaway ${id}: the ${how.what} cannot be sent: ${error.message}`);
			return this.mustApply(id, recordResult(id, delivery, { failure: error.message }));
		}
		return this.mustApply(id, recordResult(id, delivery, { messageId }));
	}

	// --- the scheduled start ---------------------------------------------------------------------------------

	/** What the scheduler calls when a giveaway is due: a scheduled one starts, an ended one is auto-rerolled, any other ends. */
	private async runDue(id: string): Promise<void> {
		const giveaway = await this.get(id);
		if (giveaway?.state === 'scheduled') await this.startScheduled(id);
		else if (giveaway?.state === 'ended') await this.autoReroll(id);
		else await this.end(id);
	}

	// --- claims ----------------------------------------------------------------------------------------------

	/**
	 * The auto-reroll, claimed like an ending (of any number of processes and timers, one holds it): the winners who did
	 * not claim are frozen at the claim, their replacements drawn and recorded once, announced once (deliverOnce), then
	 * the round closes and the replacements get their DMs and a window of their own. A takeover after a crash keeps
	 * what its predecessor recorded and does only what is left.
	 */
	private async runAutoReroll(id: string): Promise<Outcome<Giveaway>> {
		const token = randomUUID();
		const claimed = await this.apply(id, claimAutoReroll(id, { token, owner: this.owner, at: this.now() }));
		if (!claimed.ok) {
			const current = await this.get(id);
			this.scheduler.track(id, current && this.discord.servesGuild(current.guildId) ? nextDueAt(current) : null);
			if (current?.claim) this.logger.info(`Giveaway ${id}: not rerolling here: ${say(this.logT, claimed.reason)}`);
			return claimed;
		}
		let giveaway = claimed.value;
		this.scheduler.track(id, nextDueAt(giveaway));
		try {
			const index = giveaway.claimRounds!.length - 1;
			const round = giveaway.claimRounds![index]!;
			if (!round.closed && round.replaced) {
				if (round.replacements === null) {
					const excluded = new Set(pastWinners(giveaway));
					const candidates = (await this.entrants(id)).filter((entrant) => !excluded.has(entrant));
					const drawn = await this.draw(giveaway, candidates, round.replaced.length);
					giveaway = await this.mustApply(id, recordReplacements(id, token, drawn, this.now()));
				}
				const current = giveaway.claimRounds![index]!;
				if (!current.rerollAnnouncement?.messageId && !current.rerollAnnouncement?.failure) {
					giveaway = await this.deliverOnce(giveaway, token, `reroll:${index}`, {
						what: 'auto-reroll announcement',
						find: (since) => this.discord.findAnnouncement(giveaway.channelId, autoRerollMarker(id, index), since),
						send: async (intent, nonce) => {
							const t = await this.discord.translator(intent.guildId);
							const replacements = intent.claimRounds![index]!.replacements ?? [];
							return this.discord.sendAnnouncement(
								intent.channelId,
								autoRerollContent(t, intent, index, current.replaced ?? [], replacements),
								replacements,
								nonce,
								intent.messageId,
								replacements.length > 0 ? { components: claimComponents(t, id) } : {}
							);
						}
					});
				}
				giveaway = await this.mustApply(id, closeRound(id, token, this.now()));
				this.logger.info(
					`Giveaway ${id} auto-rerolled: ${current.replaced?.length ?? 0} not claimed in time, ${current.replacements?.length ?? 0} new winners`
				);
			}
			giveaway = await this.sendClaimDms(giveaway, token);
			giveaway = await this.mustApply(id, releaseClaim(id, token, this.now()));
		} catch (error) {
			this.logger.warn(`Giveaway ${id}: auto-reroll interrupted, retried after the claim times out: ${describe(error)}`);
			return { ok: false, reason: text('giveaways:rerollRetry') };
		}
		this.scheduler.track(id, nextDueAt(giveaway));
		await this.renderMessage(id);
		return { ok: true, value: giveaway };
	}

	/**
	 * Each winner of the last claim round gets a DM with the Claim button, once (deliverOnce, searched in the DM after a
	 * crash). DMs closed to the bot are logged and skipped: the announcement carries the Claim button too.
	 */
	private async sendClaimDms(giveaway: Giveaway, token: string): Promise<Giveaway> {
		const index = (giveaway.claimRounds ?? []).length - 1;
		const round = giveaway.claimRounds?.[index];
		if (!round || round.closed) return giveaway;
		let current = giveaway;
		for (const winner of round.winners) {
			const sent = current.claimRounds![index]!.dms[winner];
			if (sent?.messageId || sent?.failure || round.claimedAt[winner] !== undefined) continue;
			current = await this.deliverOnce(current, token, `dm:${index}:${winner}`, {
				what: `claim DM to ${winner}`,
				find: (since) => this.discord.findDirect(winner, claimDmMarker(giveaway.id), since),
				send: async (intent, nonce) => {
					// The winner reads the server's language, like everything the server's giveaways say.
					const t = await this.discord.translator(intent.guildId);
					return this.discord.sendDirect(winner, claimDmContent(t, intent, round.deadline), null, nonce, claimComponents(t, giveaway.id));
				}
			});
		}
		return current;
	}

	/**
	 * The start, claimed like an ending: of any number of processes and timers, one holds the claim and posts the message
	 * (deliverOnce: a takeover after a crash looks for it before posting); then `scheduled -> active`, the duration
	 * counting from the moment the post was decided.
	 */
	private async runStart(id: string): Promise<Outcome<Giveaway>> {
		const token = randomUUID();
		const claimed = await this.apply(id, claimStart(id, { token, owner: this.owner, at: this.now() }));
		if (!claimed.ok) {
			const current = await this.get(id);
			this.scheduler.track(id, current && this.discord.servesGuild(current.guildId) ? nextDueAt(current) : null);
			if (current?.state === 'scheduled' && current.claim)
				this.logger.info(`Giveaway ${id}: not starting here: ${say(this.logT, claimed.reason)}`);
			return claimed;
		}
		let giveaway = claimed.value;
		this.scheduler.track(id, nextDueAt(giveaway));
		try {
			if (!giveaway.post?.messageId && !giveaway.post?.failure) {
				giveaway = await this.deliverOnce(giveaway, token, 'post', {
					what: 'its message',
					find: (since) => this.discord.findPosted(giveaway.channelId, id, since),
					send: async (intent, nonce) => {
						const postedAt = intent.post!.startedAt;
						const started: Giveaway = {
							...intent,
							state: 'active',
							startedAt: postedAt,
							endsAt: endOnceStarted(intent, postedAt),
							claim: null
						};
						return this.discord.postMessage(
							intent.channelId,
							giveawayMessage(await this.discord.translator(intent.guildId), started),
							nonce
						);
					}
				});
			}
			if (giveaway.post?.failure) {
				// The channel is gone or closed to the bot: nobody could enter. Cancelled, with the reason in the log.
				this.scheduler.track(id, null);
				this.logger.warn(`Giveaway ${id}: cancelled, its message cannot be posted: ${giveaway.post.failure}`);
				return this.apply(id, cancel(id, this.now()));
			}
			giveaway = await this.mustApply(id, activate(id, token, this.now()));
		} catch (error) {
			this.logger.warn(`Giveaway ${id}: start interrupted, retried after the claim times out: ${describe(error)}`);
			return { ok: false, reason: text('giveaways:startRetry') };
		}
		this.scheduler.track(id, nextDueAt(giveaway));
		this.logger.info(`Giveaway ${id} started in guild ${giveaway.guildId}: ends ${new Date(giveaway.endsAt).toISOString()}`);
		// The message was posted with the planned end; shown now as stored.
		await this.renderMessage(id);
		return { ok: true, value: giveaway };
	}

	private async editQuietly(giveaway: Giveaway, payload: GiveawayMessagePayload): Promise<void> {
		try {
			await this.discord.editMessage(giveaway.channelId, giveaway.messageId!, payload);
		} catch (error) {
			if (!(error instanceof PermanentDiscordError)) throw error;
			this.logger.warn(`Giveaway ${giveaway.id}: its message cannot be edited: ${error.message}`);
		}
	}

	/** Entry counts are shown by batched edits: the first change edits at once, then at most one edit per interval. */
	private noteEntriesChanged(id: string): void {
		if (this.stopping) return;
		const now = this.now();
		for (const [key, slot] of this.countEdits) if (!slot.timer && now - slot.lastAt > this.countEditIntervalMs) this.countEdits.delete(key);
		const slot = this.countEdits.get(id) ?? { timer: null, lastAt: 0 };
		this.countEdits.set(id, slot);
		if (slot.timer) return;
		slot.timer = setTimeout(
			() => {
				slot.timer = null;
				slot.lastAt = this.now();
				this.renderMessage(id).catch((error) => this.logger.warn(`Giveaway ${id}: entry count not shown: ${describe(error)}`));
			},
			Math.max(0, slot.lastAt + this.countEditIntervalMs - now)
		);
		slot.timer.unref();
	}

	// --- storage ---------------------------------------------------------------------------------------------

	/** Runs a transition through storage.update; a refusal writes nothing and comes back as `ok: false`. */
	private async apply(id: string, transition: Transition): Promise<Outcome<Giveaway>> {
		let refusal = null as Refusal | null;
		try {
			const written = await this.storage.update<Giveaway>(GIVEAWAY_NAMESPACE, id, (current) => {
				const next = transition(current);
				refusal = isRefusal(next) ? next : null;
				if (isRefusal(next)) throw REFUSED;
				return next;
			});
			return { ok: true, value: written! };
		} catch (error) {
			if (error === REFUSED && refusal) return { ok: false, reason: refusal.refused };
			throw error;
		}
	}

	/** For the ending's steps: a refusal (the claim was lost to another process) stops the ending here. */
	private async mustApply(id: string, transition: Transition): Promise<Giveaway> {
		const result = await this.apply(id, transition);
		if (!result.ok) throw new Error(say(this.logT, result.reason));
		return result.value;
	}

	private async dueTimes(): Promise<Array<[string, number]>> {
		const due: Array<[string, number]> = [];
		for (const [id, giveaway] of await this.storage.entries<Giveaway>(GIVEAWAY_NAMESPACE)) {
			const at = nextDueAt(giveaway);
			if (at !== null && this.discord.servesGuild(giveaway.guildId)) due.push([id, at]);
		}
		return due;
	}
}
