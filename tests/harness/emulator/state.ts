import { EmulatorClock } from './clock.js';
import { NonceLedger } from './nonce.js';
import type {
	ApiAttachment,
	ApiChannel,
	ApiMember,
	ApiMessage,
	ApiUser,
	ApplicationCommandRecord,
	GuildRecord,
	InviteRecord,
	UserRecord
} from './types.js';

/**
 * Users as Discord sends them: every user object carries `flags` and `primary_guild` (docs/resources/User.md, User
 * Object; both required in discord-api-spec's UserResponse), whoever created the user.
 */
class UserRecords extends Map<string, UserRecord> {
	public override set(userId: string, record: UserRecord): this {
		record.user.flags ??= 0;
		record.user.primary_guild ??= null;
		return super.set(userId, record);
	}
}

/** Everything the emulated Discord knows, in one place; REST, gateway and the test API all read and write it. */
export class EmulatorState {
	public readonly users: Map<string, UserRecord> = new UserRecords();
	public readonly guilds = new Map<string, GuildRecord>();
	public readonly invites = new Map<string, InviteRecord>();
	/** DM channels by id, and the DM channel id of each user the bot has opened a DM with. */
	public readonly dmChannels = new Map<string, ApiChannel>();
	public readonly dmChannelByUser = new Map<string, string>();
	/** Messages per channel, oldest first (ephemeral interaction replies are kept with their interaction instead). */
	public readonly messages = new Map<string, ApiMessage[]>();
	public readonly globalCommands = new Map<string, ApplicationCommandRecord>();
	public readonly guildCommands = new Map<string, Map<string, ApplicationCommandRecord>>();
	/** Uploaded file contents by attachment id. */
	public readonly attachmentBytes = new Map<string, Buffer>();
	/** Files a user uploaded into a command's attachment option, by attachment id (see World.uploadAttachment). */
	public readonly uploads = new Map<string, ApiAttachment>();
	/** Time as Discord's deadlines see it; a test can move it forward. */
	public readonly clock = new EmulatorClock();
	/** Nonces of created messages, for Create Message's `enforce_nonce`. */
	public readonly nonces = new NonceLedger();

	public constructor(
		public readonly botUser: ApiUser,
		public applicationFlags: number
	) {
		this.users.set(botUser.id, { user: botUser, dmsClosed: true });
	}

	public get applicationId(): string {
		return this.botUser.id;
	}

	public user(userId: string): ApiUser | undefined {
		return this.users.get(userId)?.user;
	}

	/** A channel by id, guild channel or DM. */
	public channel(channelId: string): ApiChannel | undefined {
		const dm = this.dmChannels.get(channelId);
		if (dm) return dm;
		for (const guild of this.guilds.values()) {
			const channel = guild.channels.get(channelId);
			if (channel) return channel;
		}
		return undefined;
	}

	public guildOfChannel(channelId: string): GuildRecord | undefined {
		const channel = this.channel(channelId);
		return channel?.guild_id ? this.guilds.get(channel.guild_id) : undefined;
	}

	public apiMember(guild: GuildRecord, userId: string): ApiMember | undefined {
		const member = guild.members.get(userId);
		const user = this.user(userId);
		if (!member || !user) return undefined;
		return {
			user,
			nick: member.nick,
			avatar: null,
			banner: null,
			roles: [...member.roles],
			joined_at: member.joined_at,
			premium_since: null,
			deaf: false,
			mute: false,
			flags: 0,
			pending: member.pending,
			communication_disabled_until: null
		};
	}

	public apiMembers(guild: GuildRecord): ApiMember[] {
		return [...guild.members.keys()].flatMap((userId) => this.apiMember(guild, userId) ?? []);
	}

	public guildInvites(guildId: string): InviteRecord[] {
		this.dropExpiredInvites();
		return [...this.invites.values()].filter((invite) => invite.guildId === guildId);
	}

	/** An invite by code, unless it has expired. */
	public invite(code: string): InviteRecord | undefined {
		this.dropExpiredInvites();
		return this.invites.get(code);
	}

	public commandsOf(guildId?: string): Map<string, ApplicationCommandRecord> {
		if (!guildId) return this.globalCommands;
		let commands = this.guildCommands.get(guildId);
		if (!commands) {
			commands = new Map();
			this.guildCommands.set(guildId, commands);
		}
		return commands;
	}

	public channelMessages(channelId: string): ApiMessage[] {
		let messages = this.messages.get(channelId);
		if (!messages) {
			messages = [];
			this.messages.set(channelId, messages);
		}
		return messages;
	}

	public findMessage(messageId: string): ApiMessage | undefined {
		for (const messages of this.messages.values()) {
			const message = messages.find((candidate) => candidate.id === messageId);
			if (message) return message;
		}
		return undefined;
	}

	/**
	 * An invite with a max_age is gone at its `expires_at` (created_at + max_age), and Discord sends no INVITE_DELETE for
	 * it: "invite delete [is] only emitted when someone deletes an invite before it expires ... The invite create event
	 * has an expires at field" (Discord staff, discord-api-docs issue #7249; discord.py issue #6169 "Timed invites do not
	 * trigger on_invite_delete", a Discord limitation).
	 */
	private dropExpiredInvites(now = Date.now()): void {
		for (const [code, invite] of this.invites) {
			if (invite.maxAge > 0 && Date.parse(invite.createdAt) + invite.maxAge * 1000 <= now) this.invites.delete(code);
		}
	}
}
