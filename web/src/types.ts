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
	language?: string;
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
	username: string | null;
}

export interface Problem {
	code: string;
	message: string;
	severity?: 'warning' | 'error';
}

export interface Overview {
	guild: GuildSummary & { language: string };
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
	invitedBy: string | null;
}

export interface InviteConfig {
	fakeAccountDays: number;
	fakeWithoutAvatar: boolean;
	removeRankRolesBelow: boolean;
}

export interface RankRole {
	invites: number;
	roleId: string;
}

export interface Channel {
	id: string;
	name: string;
	type: number;
}

export interface Role {
	id: string;
	name: string;
	color: number;
	position: number;
	managed: boolean;
	assignable: boolean;
}

export interface GuildObjects {
	channels: Channel[];
	roles: Role[];
}

export type GreetingKind = 'welcome' | 'goodbye';

export interface Greeting {
	enabled: boolean;
	channelId: string | null;
	template: string;
	embed: boolean;
	banner: string | null;
	title: string | null;
	footer: string | null;
	color: number | null;
	content: string | null;
	dm?: boolean;
	afterScreening?: boolean;
	problem?: { message: string; since: number; missed: number } | null;
}

export interface GreetingPreview {
	content: string | null;
	embed?: { title: string | null; description: string | null; footer: string | null; color: number | null } | null;
	imageUrl?: string | null;
	card: string | null;
	problem?: string | null;
}

export interface AutoRole {
	roleId: string;
	for?: 'humans' | 'bots' | 'all';
	delaySeconds: number | null;
}

export interface Giveaway {
	id: string;
	prize: string;
	winners: number;
	channelId: string;
	messageId: string | null;
	endsAt: number | string | null;
	paused: boolean;
	entrants: number;
	winnerIds: string[];
	state?: 'scheduled' | 'active' | 'paused' | 'ending' | 'ended' | 'cancelled';
	hostId?: string;
	endedAt?: number | string | null;
}

export interface Giveaways {
	running: Giveaway[];
	ended: Giveaway[];
}

export interface Backup {
	id: string;
	createdAt: number | string;
	reason: string;
	records?: Record<string, number> | number;
}

export interface DataStatus {
	status: Pick<StorageStatus, 'adapter' | 'healthy' | 'problem' | 'counts' | 'sizeBytes' | 'lastWriteAt' | 'lastBackup'>;
	backups: Backup[];
}
