import { container } from '@sapphire/framework';
import { fetchLanguage, type TFunction } from '@sapphire/plugin-i18next';
import { SnowflakeUtil, time, TimestampStyles, userMention, type Client } from 'discord.js';
import type { StorageLogger } from '../../storage-adapters/types.js';
import { fitField } from '../embed-fields.js';
import { describeError } from '../secrets.js';
import type { InviteChannelDelivery } from './delivery.js';
import type { JoinEvent, MemberRecord } from './records.js';
import { describeFakeReasons } from './views.js';
import type { InviteTracker, RecordedChange } from './tracker.js';

/** Discord's limit for message content (discord-api-docs, resources/message.mdx, Create Message: up to 2000 characters). */
const CONTENT_LIMIT = 2000;
/** A burst can have dozens of possible inviters; the line names this many and counts the rest. */
const CANDIDATES_SHOWN = 10;

const relative = (ms: number) => time(Math.floor(ms / 1000), TimestampStyles.RelativeTime);

/** How the member came: "invited by @a with `abc` (3 uses)", "through the vanity URL", … */
function source(t: TFunction, join: JoinEvent, record: MemberRecord, uses: number | null | undefined): string {
	const inviter = record.credit ? userMention(record.credit.inviterId) : t('invites:nobodyKnown');
	switch (join.how) {
		case 'normal':
			if (!join.code) return t('invites:log.viaInviter', { inviter });
			return typeof uses === 'number'
				? t('invites:log.viaInvite', { inviter, code: join.code, count: uses })
				: t('invites:log.viaInviteNoUses', { inviter, code: join.code });
		case 'vanity':
			return typeof uses === 'number' ? t('invites:log.viaVanity', { code: join.code ?? '', count: uses }) : t('invites:log.viaVanityNoUses');
		case 'burst': {
			const all = join.candidates ?? [];
			const shown: string[] = all.slice(0, CANDIDATES_SHOWN).map((id) => userMention(id));
			if (all.length > CANDIDATES_SHOWN) shown.push(t('common:andMore', { count: all.length - CANDIDATES_SHOWN }));
			const candidates = shown.join(', ') || t('invites:nobodyKnown');
			return record.credit?.burst ? t('invites:log.viaBurstShare', { candidates, inviter }) : t('invites:log.viaBurst', { candidates });
		}
		case 'bot':
			return t('invites:log.viaBot');
		default:
			return t('invites:log.viaUnknown');
	}
}

/**
 * The line the join log writes for a recorded join or leave. The account's age and the stay are Discord timestamps,
 * which every reader's client shows in their own language ("3 years ago"). A snowflake carries its creation time
 * (discord-api-docs, reference.mdx "Snowflakes"), so a leave has the account age without a fetch.
 */
export function joinLogLine(t: TFunction, change: RecordedChange, name: string | null): string {
	const member = name ? `${userMention(change.memberId)} (${name})` : userMention(change.memberId);
	const created = relative(change.input?.accountCreatedAt ?? Number(SnowflakeUtil.timestampFrom(change.memberId)));
	const { record } = change;
	const join = record.joins.at(-1);
	const parts: string[] = [];
	if (change.kind === 'join') {
		parts.push(t('invites:log.joined', { member, created }));
		if (join) parts.push(source(t, join, record, change.uses));
		if (record.credit?.fake) parts.push(t('invites:log.fake', { reasons: describeFakeReasons(t, record.credit.fakeReasons) }));
	} else {
		parts.push(t('invites:log.left', { member, created }));
		if (join) parts.push(t('invites:log.stayed', { joined: relative(join.at) }));
		parts.push(t('invites:log.inviter', { inviter: record.credit ? userMention(record.credit.inviterId) : t('invites:nobodyKnown') }));
		if (record.credit?.fake) parts.push(t('invites:log.fake', { reasons: describeFakeReasons(t, record.credit.fakeReasons) }));
	}
	if (change.caughtUp) parts.push(t('invites:log.whileAway'));
	return fitField(parts.join(' · '), CONTENT_LIMIT);
}

/**
 * The staff join log: one line per recorded join and leave, posted in the order the guild's invite stream recorded
 * them (one queue per guild) and only after the record is durable, so a restart can lose a line that was not yet sent
 * but never post one twice or for a repeated event: at most once, like the tracker's own events.
 */
export class JoinLog {
	private readonly queues = new Map<string, Promise<void>>();

	public constructor(
		private readonly client: Client,
		private readonly tracker: InviteTracker,
		private readonly delivery: InviteChannelDelivery,
		private readonly logger: StorageLogger
	) {}

	/** Told by the tracker in stream order (InviteTracker.onRecorded). */
	public recorded(change: RecordedChange): void {
		if (!this.tracker.config(change.guildId).joinLog) return;
		const next = (this.queues.get(change.guildId) ?? Promise.resolve())
			.then(() => this.post(change))
			.catch((error) => this.logger.warn(`Join log line of ${change.memberId} in guild ${change.guildId} not sent: ${describeError(error)}`))
			.finally(() => {
				if (this.queues.get(change.guildId) === next) this.queues.delete(change.guildId);
			});
		this.queues.set(change.guildId, next);
	}

	/** Resolves once every line queued so far is sent (or has failed). */
	public async idle(): Promise<void> {
		while (this.queues.size > 0) await Promise.all(this.queues.values());
	}

	private async post(change: RecordedChange): Promise<void> {
		const guild = this.client.guilds.cache.get(change.guildId);
		if (!guild) return;
		const t = container.i18n.getT(await fetchLanguage(guild));
		const user = this.client.users.cache.get(change.memberId);
		const content = joinLogLine(t, change, user ? user.username : null);
		await this.delivery.send(guild, 'joinLog', { content });
	}
}
