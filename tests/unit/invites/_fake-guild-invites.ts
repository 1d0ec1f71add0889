import type { InviteSnapshot } from '../../../src/lib/invites/attribution.js';
import type { FetchResult, InviteSource, ListedMember } from '../../../src/lib/invites/tracker.js';

/** A guild's invites as Discord would report them; joins bump uses before the join event, as Discord does. */
export class FakeGuildInvites implements InviteSource {
	public invites: InviteSnapshot['invites'] = {};
	public vanity: InviteSnapshot['vanity'] = null;
	public fetches = 0;
	public failure: string | null = null;

	public add(code: string, inviterId: string, maxUses = 0): void {
		this.invites[code] = { code, inviterId, uses: 0, maxUses };
	}

	public use(code: string): void {
		const invite = this.invites[code]!;
		invite.uses++;
		if (invite.maxUses > 0 && invite.uses >= invite.maxUses) delete this.invites[code];
	}

	/** Members who joined while the bot was not watching (joins made through `useOffline`). */
	public listed: ListedMember[] = [];

	public async membersJoinedSince(_guildId: string, since: number): Promise<ListedMember[]> {
		return this.listed.filter((member) => member.joinedAt > since);
	}

	public async fetch(): Promise<FetchResult> {
		this.fetches++;
		// Let other joins queue up while "the request" is in flight.
		await new Promise((resolve) => setTimeout(resolve, 2));
		if (this.failure) return { ok: false, reason: this.failure };
		return { ok: true, snapshot: structuredClone({ invites: this.invites, vanity: this.vanity }) };
	}
}
