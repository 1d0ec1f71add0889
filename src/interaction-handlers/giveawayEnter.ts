import { ApplyOptions } from '@sapphire/decorators';
import { InteractionHandler, InteractionHandlerTypes, UserError } from '@sapphire/framework';
import { MessageFlags, type ButtonInteraction } from 'discord.js';
import { factsOf, trackedInviteTotal } from '../lib/giveaways/discord.js';
import { parseEnterButton } from '../lib/giveaways/views.js';

/** The Enter button: enters the giveaway named in its custom id, or leaves it on a second click. */
@ApplyOptions<InteractionHandler.Options>({ interactionHandlerType: InteractionHandlerTypes.Button })
export class GiveawayEnterHandler extends InteractionHandler {
	public override parse(interaction: ButtonInteraction) {
		const id = parseEnterButton(interaction.customId);
		return id && interaction.inGuild() ? this.some(id) : this.none();
	}

	public override async run(interaction: ButtonInteraction, giveawayId: string): Promise<void> {
		// Deferred before the entry is stored: the count edit it triggers never goes ahead of the answer, and a slow
		// storage never misses the 3 s deadline.
		await interaction.deferReply({ flags: MessageFlags.Ephemeral });
		const member = interaction.inCachedGuild() ? interaction.member : await interaction.guild?.members.fetch(interaction.user.id);
		if (!member)
			throw new UserError({
				identifier: 'GiveawayGuildUnavailable',
				message: 'This server is not available to me right now; try again in a minute.'
			});
		const result = await this.container.giveaways.toggleEntry(giveawayId, interaction.user.id, factsOf(member, trackedInviteTotal));
		const content = result.ok
			? result.value.entered
				? `You entered the giveaway for **${result.value.giveaway.prize}**${result.value.entries > 1 ? ` with ${result.value.entries} entries (bonus roles)` : ''}. Good luck! (Click again to leave.)`
				: `You left the giveaway for **${result.value.giveaway.prize}**.`
			: result.reason;
		await interaction.editReply({ content, allowedMentions: { parse: [] } });
	}
}
