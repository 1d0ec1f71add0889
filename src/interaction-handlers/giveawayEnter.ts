import { ApplyOptions } from '@sapphire/decorators';
import { InteractionHandler, InteractionHandlerTypes } from '@sapphire/framework';
import { fetchT } from '@sapphire/plugin-i18next';
import { MessageFlags, type ButtonInteraction } from 'discord.js';
import { factsOf, trackedInviteTotal } from '../lib/giveaways/discord.js';
import { parseEnterButton } from '../lib/giveaways/views.js';
import { say } from '../lib/i18n/text.js';
import { refusal } from '../lib/interaction-reply.js';

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
		if (!member) throw refusal('giveaways:guildUnavailable');
		const result = await this.container.giveaways.toggleEntry(giveawayId, interaction.user.id, factsOf(member, trackedInviteTotal));
		const t = await fetchT(interaction);
		const content = result.ok
			? result.value.entered
				? result.value.entries > 1
					? t('giveaways:reply.enteredBonus', { prize: result.value.giveaway.prize, count: result.value.entries })
					: t('giveaways:reply.entered', { prize: result.value.giveaway.prize })
				: t('giveaways:reply.left', { prize: result.value.giveaway.prize })
			: say(t, result.reason);
		await interaction.editReply({ content, allowedMentions: { parse: [] } });
	}
}
