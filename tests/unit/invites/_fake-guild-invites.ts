import type { InviteSnapshot } from '../../../src/lib/invites/attribution.js';
import type { FetchResult, InviteSource, ListedMember } from '../../../src/lib/invites/tracker.js';

/** A guild's invites and member list as Discord would report them; joins bump uses before the join event, as Discord does. */
export class FakeGuildInvites implements InviteSource {
	public invites: InviteSnapshot['invites'] = {};
	public vanity: InviteSnapshot['vanity'] = null;
	public fetches = 0;
	public failure: string | null = null;
	/** The guild's members (the bot left out), as GET /guilds/{id}/members would list them. */
	public listed: ListedMember[] = [];
	/** Member list requests fail with this message. */
	public membersFailure: string | null = null;

	public add(code: string, inviterId: string, maxUses = 0, expiresAt: number | null = null): void {
		this.invites[code] = { code, inviterId, uses: 0, maxUses, expiresAt };
	}

	public use(code: string): void {
		const invite = this.invites[code]!;
		invite.uses++;
		if (invite.maxUses > 0 && invite.uses >= invite.maxUses) delete this.invites[code];
	}

	public list(memberId: string, joinedAt = Date.now(), bot = false, accountCreatedAt = Date.now() - 365 * 24 * 3600 * 1000): ListedMember {
		const member = { memberId, joinedAt, bot, accountCreatedAt };
		this.unlist(memberId);
		this.listed.push(member);
		return member;
	}

	public unlist(memberId: string): void {
		this.listed = this.listed.filter((member) => member.memberId !== memberId);
	}

	public members(): Promise<ListedMember[]> {
		if (this.membersFailure) return Promise.reject(new Error(this.membersFailure));
		return Promise.resolve(structuredClone(this.listed));
	}

	public async fetch(): Promise<FetchResult> {
		this.fetches++;
		// Let other joins queue up while "the request" is in flight.
		await new Promise((resolve) => setTimeout(resolve, 2));
		if (this.failure) return { ok: false, reason: this.failure };
		return { ok: true, snapshot: structuredClone({ invites: this.invites, vanity: this.vanity }) };
	}
}
