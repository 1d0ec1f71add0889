import { AllFlowsPrecondition } from '@sapphire/framework';
import type { ChatInputCommandInteraction, ContextMenuCommandInteraction, Message, Snowflake } from 'discord.js';
import { refusalOptions } from '../lib/interaction-reply.js';

/** Bot-wide operations (backup, restore) are for the users listed in OWNER_IDS. */
export class BotOwnerPrecondition extends AllFlowsPrecondition {
	public override chatInputRun(interaction: ChatInputCommandInteraction) {
		return this.check(interaction.user.id);
	}

	public override contextMenuRun(interaction: ContextMenuCommandInteraction) {
		return this.check(interaction.user.id);
	}

	public override messageRun(message: Message) {
		return this.check(message.author.id);
	}

	private check(userId: Snowflake) {
		const { ownerIds } = this.container.config;
		if (ownerIds.includes(userId)) return this.ok();
		return this.error(refusalOptions(ownerIds.length === 0 ? 'data:noOwner' : 'data:ownerOnly'));
	}
}

declare module '@sapphire/framework' {
	interface Preconditions {
		BotOwner: never;
	}
}
