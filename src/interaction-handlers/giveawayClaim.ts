import { ApplyOptions } from '@sapphire/decorators';
import { InteractionHandler, InteractionHandlerTypes } from '@sapphire/framework';
import { MessageFlags, time, TimestampStyles, type ButtonInteraction } from 'discord.js';
import { parseClaimButton } from '../lib/giveaways/views.js';

/** The Claim button, on the announcement and in the winners' DMs: records the clicking winner's claim. */
@ApplyOptions<InteractionHandler.Options>({ interactionHandlerType: InteractionHandlerTypes.Button })
export class GiveawayClaimHandler extends InteractionHandler {
	public override parse(interaction: ButtonInteraction) {
		const id = parseClaimButton(interaction.customId);
		return id ? this.some(id) : this.none();
	}

	public override async run(interaction: ButtonInteraction, giveawayId: string): Promise<void> {
		// Answered first: the claim is a storage write, and the 3 s deadline holds whatever the load.
		await interaction.deferReply({ flags: MessageFlags.Ephemeral });
		const result = await this.container.giveaways.claim(giveawayId, interaction.user.id);
		const content = result.ok
			? `You claimed **${result.value.giveaway.prize}** ${time(new Date(result.value.claimedAt), TimestampStyles.RelativeTime)}. The host, <@${result.value.giveaway.hostId}>, will be in touch.`
			: result.reason;
		await interaction.editReply({ content, allowedMentions: { parse: [] } });
	}
}
