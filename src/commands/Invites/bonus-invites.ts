import { ApplyOptions } from '@sapphire/decorators';
import { Command } from '@sapphire/framework';
import { ADMIN_DEFAULT_PERMISSIONS, adminCommand, inGuildsOnly } from '../../lib/command-options.js';
import { deferFirst } from '../../lib/interaction-reply.js';
import { userMention, type SlashCommandSubcommandBuilder } from 'discord.js';
import { describeCounts } from '../../lib/invites/records.js';

const MAX_BONUS_CHANGE = 1_000_000;

function amountOptions(subcommand: SlashCommandSubcommandBuilder): SlashCommandSubcommandBuilder {
	return subcommand
		.addUserOption((option) => option.setName('user').setDescription('The member').setRequired(true))
		.addIntegerOption((option) =>
			option.setName('amount').setDescription('How many').setRequired(true).setMinValue(1).setMaxValue(MAX_BONUS_CHANGE)
		);
}

@ApplyOptions<Command.Options>(adminCommand('Add or remove bonus invites of a member'))
export class BonusInvitesCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry): void {
		registry.registerChatInputCommand((builder) =>
			inGuildsOnly(builder)
				.setName(this.name)
				.setDescription(this.description)
				.setDefaultMemberPermissions(ADMIN_DEFAULT_PERMISSIONS)
				.addSubcommand((subcommand) => amountOptions(subcommand.setName('add').setDescription('Give a member bonus invites')))
				.addSubcommand((subcommand) => amountOptions(subcommand.setName('remove').setDescription('Take bonus invites away from a member')))
		);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
		const user = interaction.options.getUser('user', true);
		const amount = interaction.options.getInteger('amount', true);
		const sign = interaction.options.getSubcommand(true) === 'remove' ? -1 : 1;
		// The answer is public; the counts are written first, so the acknowledgement comes before (3 s deadline).
		await deferFirst(interaction, { ephemeral: false });
		const counts = await this.container.invites.addBonus(interaction.guildId, user.id, sign * amount);
		const verb =
			sign > 0 ? `Added ${amount} bonus invite${amount === 1 ? '' : 's'} to` : `Removed ${amount} bonus invite${amount === 1 ? '' : 's'} from`;
		await interaction.editReply({
			content: `${verb} ${userMention(user.id)}. They now have ${describeCounts(counts)}.`,
			allowedMentions: { parse: [] }
		});
	}
}
