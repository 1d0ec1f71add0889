import { Precondition } from '@sapphire/framework';
import { PermissionFlagsBits, type ChatInputCommandInteraction } from 'discord.js';

/** Notes are for moderators: Manage Messages or Manage Server (Sapphire's requiredUserPermissions needs all of a list). */
export class NoteModeratorPrecondition extends Precondition {
	public override chatInputRun(interaction: ChatInputCommandInteraction) {
		const permissions = interaction.memberPermissions;
		if (permissions?.any([PermissionFlagsBits.ManageMessages, PermissionFlagsBits.ManageGuild])) return this.ok();
		return this.error({ message: 'Member notes are for moderators (Manage Messages or Manage Server).' });
	}
}

declare module '@sapphire/framework' {
	interface Preconditions {
		NoteModerator: never;
	}
}
