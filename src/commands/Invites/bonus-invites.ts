import { ApplyOptions } from '@sapphire/decorators';
import { Command } from '@sapphire/framework';
import { fetchT } from '@sapphire/plugin-i18next';
import { ADMIN_DEFAULT_PERMISSIONS, adminCommand, inGuildsOnly } from '../../lib/command-options.js';
import { deferFirst } from '../../lib/interaction-reply.js';
import { userMention, type SlashCommandSubcommandBuilder } from 'discord.js';
import { localizeCommand } from '../../lib/i18n/command-localizations.js';
import { describeCounts } from '../../lib/invites/views.js';

const MAX_BONUS_CHANGE = 1_000_000;

function amountOptions(subcommand: SlashCommandSubcommandBuilder): SlashCommandSubcommandBuilder {
	return subcommand
		.addUserOption((option) => option.setName('user').setRequired(true))
		.addIntegerOption((option) => option.setName('amount').setRequired(true).setMinValue(1).setMaxValue(MAX_BONUS_CHANGE));
}

@ApplyOptions<Command.Options>(adminCommand())
export class BonusInvitesCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry): void {
		registry.registerChatInputCommand((builder) =>
			localizeCommand(
				inGuildsOnly(builder)
					.setName(this.name)
					.setDefaultMemberPermissions(ADMIN_DEFAULT_PERMISSIONS)
					.addSubcommand((subcommand) => amountOptions(subcommand.setName('add')))
					.addSubcommand((subcommand) => amountOptions(subcommand.setName('remove')))
			)
		);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
		const user = interaction.options.getUser('user', true);
		const amount = interaction.options.getInteger('amount', true);
		const sign = interaction.options.getSubcommand(true) === 'remove' ? -1 : 1;
		// The answer is public; the counts are written first, so the acknowledgement comes before (3 s deadline).
		await deferFirst(interaction, { ephemeral: false });
		const counts = await this.container.invites.addBonus(interaction.guildId, user.id, sign * amount);
		const t = await fetchT(interaction);
		await interaction.editReply({
			content: t(sign > 0 ? 'invites:bonusAdded' : 'invites:bonusRemoved', {
				count: amount,
				member: userMention(user.id),
				summary: describeCounts(t, counts)
			}),
			allowedMentions: { parse: [] }
		});
	}
}
