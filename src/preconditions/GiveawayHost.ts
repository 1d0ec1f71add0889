import { Precondition } from '@sapphire/framework';
import { roleMention, type ChatInputCommandInteraction } from 'discord.js';
import { deferFirst, refusalOptions } from '../lib/interaction-reply.js';
import { isGiveawayHost, memberRoleIds } from '../lib/giveaways/members.js';

/** Subcommands of /giveaway any member may run. */
const OPEN_SUBCOMMANDS = new Set(['list']);

/** /giveaway is for members with Manage Server or the guild's giveaway host role (`/giveaway host-role`). */
export class GiveawayHostPrecondition extends Precondition {
	public override async chatInputRun(interaction: ChatInputCommandInteraction) {
		if (!interaction.inGuild()) return this.error(refusalOptions('giveaways:guildOnly'));
		if (OPEN_SUBCOMMANDS.has(interaction.options.getSubcommand(false) ?? '')) return this.ok();
		// The host role is read from storage, before /giveaway itself runs: acknowledged first (3 s deadline); the
		// command and a refusal both answer by editing this private reply.
		await deferFirst(interaction, { ephemeral: true });
		const { hostRoleId } = await this.container.giveaways.config(interaction.guildId);
		if (isGiveawayHost(interaction.memberPermissions, memberRoleIds(interaction.member), hostRoleId)) return this.ok();
		return this.error(
			hostRoleId ? refusalOptions('giveaways:hostOnlyRole', { role: roleMention(hostRoleId) }) : refusalOptions('giveaways:hostOnly')
		);
	}
}

declare module '@sapphire/framework' {
	interface Preconditions {
		GiveawayHost: never;
	}
}
