import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import { constants as zlibConstants, createDeflate, type Deflate } from 'node:zlib';
import { GatewayIntentBits } from 'discord.js';
import { WebSocket } from 'ws';
import { shardOf } from './snowflake.js';
import { guildCreatePayload } from './shapes.js';
import type { EmulatorState } from './state.js';

const Op = {
	Dispatch: 0,
	Heartbeat: 1,
	Identify: 2,
	Resume: 6,
	Reconnect: 7,
	RequestGuildMembers: 8,
	InvalidSession: 9,
	Hello: 10,
	HeartbeatAck: 11
} as const;

const MEMBERS_PER_CHUNK = 1000;
const ALL_MEMBERS_WINDOW_MS = 30_000;

export const PRIVILEGED_INTENTS = {
	guildMembers: GatewayIntentBits.GuildMembers,
	guildPresences: GatewayIntentBits.GuildPresences,
	messageContent: GatewayIntentBits.MessageContent
} as const;
export type PrivilegedIntent = keyof typeof PRIVILEGED_INTENTS;

/** The intent an event needs, or 0 if every session receives it. */
function intentFor(event: string, data: any): number {
	if (event.startsWith('GUILD_MEMBER_') && event !== 'GUILD_MEMBERS_CHUNK') return GatewayIntentBits.GuildMembers;
	if (event.startsWith('INVITE_')) return GatewayIntentBits.GuildInvites;
	if (event.startsWith('MESSAGE_')) return data?.guild_id ? GatewayIntentBits.GuildMessages : GatewayIntentBits.DirectMessages;
	if (event.startsWith('GUILD_') || event.startsWith('CHANNEL_')) return GatewayIntentBits.Guilds;
	return 0;
}

interface DispatchPayload {
	op: 0;
	t: string;
	s: number;
	d: unknown;
}

/** One socket; sends JSON text, or a shared zlib stream when the client asked for `compress=zlib-stream`. */
class Connection {
	private readonly deflate: Deflate | null;

	public constructor(
		public readonly socket: WebSocket,
		compress: string | null
	) {
		this.deflate = compress === 'zlib-stream' ? createDeflate() : null;
	}

	public get open(): boolean {
		return this.socket.readyState === WebSocket.OPEN;
	}

	public send(payload: unknown): void {
		if (!this.open) return;
		const json = JSON.stringify(payload);
		if (!this.deflate) {
			this.socket.send(json);
			return;
		}
		const { deflate } = this;
		const chunks: Buffer[] = [];
		const collect = (chunk: Buffer) => chunks.push(chunk);
		deflate.on('data', collect);
		deflate.write(json);
		// A sync flush ends each message with 00 00 ff ff, which is how clients find message boundaries.
		deflate.flush(zlibConstants.Z_SYNC_FLUSH, () => {
			deflate.off('data', collect);
			if (this.open) this.socket.send(Buffer.concat(chunks));
		});
	}

	public close(code: number, reason: string): void {
		if (this.open) this.socket.close(code, reason);
		this.deflate?.end();
	}
}

export class GatewaySession {
	public readonly id = randomBytes(16).toString('hex');
	public sequence = 0;
	public connection: Connection | null = null;
	public resumeCount = 0;
	/** Every dispatch of this session, so a RESUME can replay what the client missed. */
	private readonly sent: DispatchPayload[] = [];

	public constructor(
		public readonly token: string,
		public readonly intents: number,
		public readonly shard: [number, number],
		public readonly largeThreshold: number
	) {}

	public get connected(): boolean {
		return this.connection?.open ?? false;
	}

	public hasIntent(intent: number): boolean {
		return (this.intents & intent) === intent;
	}

	public dispatch(event: string, data: unknown): void {
		const payload: DispatchPayload = { op: Op.Dispatch, t: event, s: ++this.sequence, d: data };
		this.sent.push(payload);
		if (this.sent.length > 5000) this.sent.shift();
		this.connection?.send(payload);
	}

	public replayAfter(sequence: number): void {
		for (const payload of this.sent) if (payload.s > sequence) this.connection?.send(payload);
	}
}

export interface GatewayOptions {
	heartbeatIntervalMs: number;
	shardCount: number;
	allowedPrivilegedIntents: Set<PrivilegedIntent>;
	isTokenValid: (token: string) => boolean;
	resumeUrl: () => string;
	/** The clock of the op 8 rate limit (tests may move it). */
	now?: () => number;
}

/** The gateway: HELLO, IDENTIFY/READY, heartbeats, RESUME with replay, intent filtering and shard routing. */
export class Gateway extends EventEmitter {
	public readonly sessions = new Map<string, GatewaySession>();
	public readonly identifies: { token: string; intents: number; shard: [number, number] }[] = [];
	public memberRequestsLimited = 0;

	private readonly connections = new Set<Connection>();
	/** When each guild's members were last requested in full (op 8 rate limit), and how many requests were refused. */
	private readonly allMembersRequestedAt = new Map<string, number>();

	public constructor(
		private readonly state: EmulatorState,
		public readonly options: GatewayOptions
	) {
		super();
	}

	public get connectedSessions(): GatewaySession[] {
		return [...this.sessions.values()].filter((session) => session.connected);
	}

	/** As if the guild's full member list had been requested at `at`: the op 8 limit applies until 30 s after. */
	public markAllMembersRequested(guildId: string, at: number): void {
		this.allMembersRequestedAt.set(guildId, at);
	}

	public accept(socket: WebSocket, request: IncomingMessage): void {
		const query = new URL(request.url ?? '/', 'http://emulator.local').searchParams;
		const connection = new Connection(socket, query.get('compress'));
		this.connections.add(connection);
		let session: GatewaySession | null = null;
		connection.send({ op: Op.Hello, d: { heartbeat_interval: this.options.heartbeatIntervalMs, _trace: ['["emulator-gateway"]'] } });

		socket.on('message', (raw) => {
			let payload: { op: number; d: any };
			try {
				// The socket keeps ws's default binaryType ('nodebuffer'), so every message arrives as one Buffer.
				payload = JSON.parse((raw as Buffer).toString());
			} catch {
				connection.close(4002, 'Error while decoding payload.');
				return;
			}
			switch (payload.op) {
				case Op.Heartbeat:
					connection.send({ op: Op.HeartbeatAck });
					break;
				case Op.Identify:
					if (session) connection.close(4005, 'Already authenticated.');
					else session = this.identify(connection, payload.d);
					break;
				case Op.Resume:
					session = this.resume(connection, payload.d);
					break;
				case Op.RequestGuildMembers:
					if (session) this.sendMemberChunk(session, payload.d);
					break;
				default:
					// Presence and voice updates are accepted and ignored.
					break;
			}
		});

		socket.on('close', (code) => {
			this.connections.delete(connection);
			if (!session || session.connection !== connection) return;
			session.connection = null;
			// Discord invalidates a session closed with 1000/1001; any other close can be resumed.
			if (code === 1000 || code === 1001) this.sessions.delete(session.id);
		});
	}

	public guildCreateFor(session: GatewaySession, guildId: string) {
		const guild = this.state.guilds.get(guildId)!;
		const large = guild.members.size > session.largeThreshold;
		// "If your bot does not have the GUILD_PRESENCES Gateway Intent, or if the guild has over 75k members, members
		// and presences returned in this event will only contain your bot and users in voice channels" (discord-api-docs,
		// developers/events/gateway-events.mdx, Guild Create). With presences, a guild over large_threshold sends only
		// members with a role or a nickname (online ones too; the emulator has no presence), a smaller one all members
		// (same page, Request Guild Members). member_count is always the true count.
		const withPresences = session.hasIntent(GatewayIntentBits.GuildPresences) && guild.members.size <= 75_000;
		const included = withPresences ? (large ? 'listed' : 'all') : 'bot';
		return guildCreatePayload(this.state, guild, included, large);
	}

	/** Sends an event to every live session that should see it: the guild's shard (shard 0 without a guild), the needed intent. */
	public dispatch(event: string, data: unknown, guildId?: string): void {
		this.dispatchWith(event, () => data, guildId);
	}

	/** Like `dispatch`, for payloads that depend on the session (GUILD_CREATE members, MESSAGE_CREATE content). */
	public dispatchWith(event: string, build: (session: GatewaySession) => unknown, guildId?: string): void {
		for (const session of this.sessions.values()) {
			const shard = guildId ? shardOf(guildId, session.shard[1]) : 0;
			if (shard !== session.shard[0]) continue;
			const payload = build(session);
			if (!session.hasIntent(intentFor(event, payload))) continue;
			session.dispatch(event, payload);
		}
	}

	/** Op 7: every connected client should reconnect and resume. */
	public reconnectAll(): void {
		for (const session of this.connectedSessions) session.connection!.send({ op: Op.Reconnect, d: null });
	}

	/** Op 9: the session is gone (or, when resumable, the client may try to resume). */
	public invalidateAll(resumable = false): void {
		for (const session of this.connectedSessions) {
			session.connection!.send({ op: Op.InvalidSession, d: resumable });
			if (!resumable) this.sessions.delete(session.id);
		}
	}

	/** Drops every socket as a network failure would (close 4000); clients resume. */
	public dropConnections(code = 4000): void {
		for (const connection of this.connections) connection.close(code, 'Unknown error.');
	}

	public closeAll(): void {
		for (const connection of this.connections) connection.close(1001, 'Emulator stopping');
		this.connections.clear();
		this.sessions.clear();
	}

	private identify(connection: Connection, data: any): GatewaySession | null {
		const token = String(data?.token ?? '').replace(/^Bot /, '');
		if (!this.options.isTokenValid(token)) {
			connection.close(4004, 'Authentication failed.');
			return null;
		}
		const intents = Number(data?.intents ?? 0);
		const disallowed = Object.entries(PRIVILEGED_INTENTS).some(
			([name, bit]) => (intents & bit) !== 0 && !this.options.allowedPrivilegedIntents.has(name as PrivilegedIntent)
		);
		// "If you pass a privileged intent in the intents parameter without configuring it in your app's settings, or
		// being approved for it during verification, your Gateway connection will be closed with a 4014 close code"
		// (discord-api-docs, developers/events/gateway.mdx, Privileged Intents).
		if (disallowed) {
			connection.close(4014, 'Disallowed intent(s).');
			return null;
		}
		const shard: [number, number] = Array.isArray(data?.shard) ? [Number(data.shard[0]), Number(data.shard[1])] : [0, 1];
		if (shard[1] < 1 || shard[0] < 0 || shard[0] >= shard[1]) {
			connection.close(4010, 'Invalid shard.');
			return null;
		}
		const session = new GatewaySession(token, intents, shard, Math.min(250, Math.max(50, Number(data?.large_threshold ?? 50))));
		session.connection = connection;
		this.sessions.set(session.id, session);
		this.identifies.push({ token, intents, shard });
		const guilds = this.guildsOf(session);
		session.dispatch('READY', {
			v: 10,
			user: this.state.botUser,
			user_settings: {},
			guilds: guilds.map((guild) => ({ id: guild.id, unavailable: true })),
			guild_join_requests: [],
			relationships: [],
			private_channels: [],
			presences: [],
			session_id: session.id,
			session_type: 'normal',
			resume_gateway_url: this.options.resumeUrl(),
			shard,
			application: { id: this.state.applicationId, flags: this.state.applicationFlags },
			geo_ordered_rtc_regions: [],
			auth: {},
			_trace: ['["emulator-gateway"]']
		});
		if (session.hasIntent(GatewayIntentBits.Guilds)) {
			for (const guild of guilds) session.dispatch('GUILD_CREATE', this.guildCreateFor(session, guild.id));
		}
		this.emit('identify', session);
		return session;
	}

	private resume(connection: Connection, data: any): GatewaySession | null {
		const session = this.sessions.get(String(data?.session_id));
		if (!session || session.token !== String(data?.token ?? '').replace(/^Bot /, '') || session.connected) {
			connection.send({ op: Op.InvalidSession, d: false });
			return null;
		}
		session.connection = connection;
		session.resumeCount++;
		session.replayAfter(Number(data?.seq ?? 0));
		session.dispatch('RESUMED', { _trace: ['["emulator-gateway"]'] });
		this.emit('resume', session);
		return session;
	}

	private sendMemberChunk(session: GatewaySession, data: any): void {
		const guild = this.state.guilds.get(String(data?.guild_id));
		if (!guild) return;
		const userIds: string[] | undefined = data.user_ids ? [].concat(data.user_ids) : undefined;
		const query = String(data.query ?? '').toLowerCase();
		const limit = Number(data.limit ?? 0) || Number.POSITIVE_INFINITY;
		// Requesting ALL members (empty query, no limit) is limited to one per guild per 30 seconds, answered with a
		// RATE_LIMITED dispatch carrying opcode 8, retry_after and meta { guild_id, nonce } (discord-api-docs,
		// developers/events/gateway-events.mdx, Rate Limited; change log "Introducing Rate Limit When Requesting All
		// Guild Members").
		if (!userIds && query === '' && limit === Number.POSITIVE_INFINITY) {
			const now = this.options.now?.() ?? Date.now();
			const last = this.allMembersRequestedAt.get(guild.id);
			if (last !== undefined && now - last < ALL_MEMBERS_WINDOW_MS) {
				session.dispatch('RATE_LIMITED', {
					opcode: Op.RequestGuildMembers,
					retry_after: (ALL_MEMBERS_WINDOW_MS - (now - last)) / 1000,
					meta: { guild_id: guild.id, ...(data.nonce ? { nonce: data.nonce } : {}) }
				});
				this.memberRequestsLimited++;
				return;
			}
			this.allMembersRequestedAt.set(guild.id, now);
		}
		const members = this.state
			.apiMembers(guild)
			.filter((member) => (userIds ? userIds.includes(member.user.id) : member.user.username.toLowerCase().startsWith(query)))
			.slice(0, limit);
		const found = new Set(members.map((member) => member.user.id));
		// "Guild Members Chunk events ... with up to 1000 members per chunk" (same page, Request Guild Members).
		const chunkCount = Math.max(1, Math.ceil(members.length / MEMBERS_PER_CHUNK));
		for (let index = 0; index < chunkCount; index++) {
			session.dispatch('GUILD_MEMBERS_CHUNK', {
				guild_id: guild.id,
				members: members.slice(index * MEMBERS_PER_CHUNK, (index + 1) * MEMBERS_PER_CHUNK),
				chunk_index: index,
				chunk_count: chunkCount,
				not_found: index === 0 ? (userIds?.filter((id) => !found.has(id)) ?? []) : [],
				...(data.presences ? { presences: [] } : {}),
				...(data.nonce ? { nonce: data.nonce } : {})
			});
		}
	}

	private guildsOf(session: GatewaySession) {
		return [...this.state.guilds.values()].filter((guild) => shardOf(guild.id, session.shard[1]) === session.shard[0]);
	}
}
