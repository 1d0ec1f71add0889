import type { DiscordEmulator } from '../harness/index.js';
import { eventually } from './eventually.js';

/**
 * Reads an inviter's counts the way a user does (/invites), and waits for them: joins are attributed asynchronously.
 * `asker` runs the command with `permissions` in `channelId`.
 */
export function invitesReader(emulator: DiscordEmulator, where: { guildId: string; channelId: string; asker: string; permissions: bigint }) {
	const invitesText = async (userId: string): Promise<string> => {
		const reply = await emulator
			.runCommand({ ...where, userId: where.asker, name: 'invites', options: { user: userId }, memberPermissions: where.permissions })
			.answer();
		return String(reply.embeds[0]?.description ?? reply.content);
	};
	const expectInvites = async (userId: string, expected: string, timeoutMs = 10_000): Promise<void> => {
		let last = '';
		await eventually(
			async () => (last = await invitesText(userId)).includes(expected),
			`/invites to read "${expected}"`,
			timeoutMs,
			() => last
		);
	};
	return { invitesText, expectInvites };
}
