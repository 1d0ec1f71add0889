/** The shapes of the bot's dashboard API (src/routes). */
import type { StorageStatus } from '../../src/storage-adapters/types.js';

export interface User {
	id: string;
	username: string;
	globalName: string | null;
	avatarUrl: string | null;
}

export interface Session {
	user: User | null;
	csrfToken: string | null;
	isOwner: boolean;
}

export interface GuildSummary {
	id: string;
	name: string;
	iconUrl: string | null;
	memberCount: number;
	/** The server's language: the pages speak it. */
	language: string;
}

export interface Counts {
	total: number;
	regular: number;
	left: number;
	fake: number;
	bonus: number;
}

export interface Inviter extends Counts {
	userId: string;
	name: string | null;
}

export interface Problem {
	code: string;
	message: string;
	severity?: 'warning' | 'error';
}

export interface Overview {
	guild: GuildSummary;
	membersTracked: number;
	days: Array<{ date: string; joins: number; leaves: number }>;
	topInviters: Inviter[];
	problems: Problem[];
}

export interface Leaderboard {
	page: number;
	pageCount: number;
	pageSize: number;
	entries: Array<Inviter & { rank: number }>;
}

export interface MemberCounts extends Inviter {
	/** Whether they are in the server now; null when the bot never saw them join. */
	present: boolean | null;
	invitedBy: { how: string; userId: string | null; name: string | null; code: string | null; at: string } | null;
}

export interface RankRole {
	total: number;
	roleId: string;
}

export interface InviteConfig {
	fakeAccountDays: number;
	fakeWithoutAvatar: boolean;
	removeRankRolesBelow: boolean;
	rankRoles: RankRole[];
}

export interface Channel {
	id: string;
	name: string;
	type: 'text' | 'announcement';
	/** View Channel and Send Messages for the bot there. */
	botCanSend: boolean;
}

export interface Role {
	id: string;
	name: string;
	/** #rrggbb, or null for a role without a colour. */
	color: string | null;
	position: number;
	managed: boolean;
	assignable: boolean;
}

export interface GuildObjects {
	channels: Channel[];
	roles: Role[];
}

export type GreetingKind = 'welcome' | 'goodbye';

/** The welcome/goodbye form: /setup-welcome's options (colour as #RRGGBB). */
export interface GreetingSettings {
	channelId: string;
	message: string;
	banner: string | null;
	embed: boolean | null;
	title: string | null;
	footer: string | null;
	colour: string | null;
	content: string | null;
	dm: boolean | null;
	afterScreening: boolean | null;
}

export interface Greeting {
	enabled: boolean;
	settings: GreetingSettings | null;
	problem: { message: string; since: string; missed: number } | null;
}

/** Discord's embed object, as the bot would send it. */
export interface Embed {
	title?: string;
	description?: string;
	color?: number;
	footer?: { text: string };
	image?: { url: string };
}

export interface GreetingPreview {
	content: string | null;
	embeds: Embed[];
	card: string | null;
}

export interface AutoRole {
	roleId: string;
	for: 'humans' | 'bots' | 'all';
	delayMs: number;
}

export interface AutoRoles {
	roles: AutoRole[];
	pendingGrants: number;
	problems: string[];
}

export interface Giveaway {
	id: string;
	prize: string;
	description: string | null;
	state: 'scheduled' | 'active' | 'paused' | 'ending' | 'ended' | 'cancelled';
	channelId: string;
	messageId: string | null;
	hostId: string;
	winnerCount: number;
	entries: number;
	startsAt: string | null;
	endsAt: string | null;
	/** Time left of a paused giveaway. */
	remainingMs: number | null;
	endedAt: string | null;
	winners: string[];
	rerolls: number;
	drop: boolean;
}

export interface Giveaways {
	running: Giveaway[];
	ended: Giveaway[];
}

export interface Backup {
	id: string;
	createdAt: string;
	reason: string;
	adapter: string;
	counts: Record<string, number>;
	sizeBytes: number;
}

export interface DataStatus {
	guild: {
		trackedMembers: number;
		inviters: number;
		totalInvites: number;
		joinHistory: number;
		activeGiveaways: number;
		giveaways: number;
		inviteProblem: string | null;
		greetingProblems: { welcome: string | null; goodbye: string | null };
	};
	storage: Pick<StorageStatus, 'adapter' | 'healthy' | 'counts' | 'sizeBytes' | 'lastWriteAt' | 'lastBackup'> & {
		problem: string | null;
		totalRecords: number;
	};
	isOwner: boolean;
	/** Only for OWNER_IDS. */
	backups: Backup[] | null;
}
