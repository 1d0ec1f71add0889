import { MEMBERS_PAGE_SIZE, type InvitedMember } from './drilldown.js';
import type { InviteTracker } from './tracker.js';

/** One page of whom an inviter brought (pages clamped), with each member's stored record for the leave time. */
export async function invitedMembersPage(
	tracker: InviteTracker,
	guildId: string,
	inviterId: string,
	requestedPage: number
): Promise<{ members: InvitedMember[]; page: number; count: number }> {
	const credits = tracker.index(guildId).creditsOf(inviterId);
	const page = Math.min(Math.max(1, requestedPage), Math.max(1, Math.ceil(credits.length / MEMBERS_PAGE_SIZE)));
	const shown = credits.slice((page - 1) * MEMBERS_PAGE_SIZE, page * MEMBERS_PAGE_SIZE);
	const members = await Promise.all(
		shown.map(async ([memberId, credit]) => ({ memberId, credit, record: await tracker.history(guildId, memberId) }))
	);
	return { members, page, count: credits.length };
}
