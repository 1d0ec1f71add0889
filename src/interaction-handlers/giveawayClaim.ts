import { ApplyOptions } from '@sapphire/decorators';
import { InteractionHandler, InteractionHandlerTypes } from '@sapphire/framework';
import { fetchT } from '@sapphire/plugin-i18next';
import { MessageFlags, time, TimestampStyles, userMention, type ButtonInteraction } from 'discord.js';
import { parseClaimButton } from '../lib/giveaways/views.js';
import { say } from '../lib/i18n/text.js';

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
		// In the giveaway's server's language, also when clicked in a DM (the interaction has no guild there).
		const t = await (result.ok ? this.container.giveaways.translator(result.value.giveaway.guildId) : fetchT(interaction));
		const content = result.ok
			? t('giveaways:reply.claimed', {
					prize: result.value.giveaway.prize,
					relative: time(new Date(result.value.claimedAt), TimestampStyles.RelativeTime),
					host: userMention(result.value.giveaway.hostId)
				})
			: say(t, result.reason);
		await interaction.editReply({ content, allowedMentions: { parse: [] } });
	}
}
