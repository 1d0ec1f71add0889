import { ApplyOptions } from '@sapphire/decorators';
import { Command } from '@sapphire/framework';
import { fetchT } from '@sapphire/plugin-i18next';
import { guildCommand, inGuildsOnly } from '../../lib/command-options.js';
import { localizeCommand } from '../../lib/i18n/command-localizations.js';
import { deferFirst } from '../../lib/interaction-reply.js';
import { invitedMembersPage } from '../../lib/invites/drilldown-data.js';
import { membersEmbed } from '../../lib/invites/drilldown.js';
import { countsEmbed } from '../../lib/invites/views.js';

/**
 * `/invites [user]` shows the counts; `/invites [user] view:members [page]` whom they invited. An option rather than
 * subcommands: Discord allows no options beside subcommands, and `/invites user:` has to keep working as it did.
 */
@ApplyOptions<Command.Options>(guildCommand())
export class InvitesCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry): void {
		registry.registerChatInputCommand((builder) =>
			localizeCommand(
				inGuildsOnly(builder)
					.setName(this.name)
					.addUserOption((option) => option.setName('user'))
					.addStringOption((option) =>
						option.setName('view').addChoices({ name: 'counts', value: 'counts' }, { name: 'members', value: 'members' })
					)
					.addIntegerOption((option) => option.setName('page').setMinValue(1))
			)
		);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
		const user = interaction.options.getUser('user') ?? interaction.user;
		// The server's language is read from storage: acknowledged first (3 s deadline).
		await deferFirst(interaction, { ephemeral: false });
		const t = await fetchT(interaction);
		if (interaction.options.getString('view') === 'members') {
			const { members, page, count } = await invitedMembersPage(
				this.container.invites,
				interaction.guildId,
				user.id,
				interaction.options.getInteger('page') ?? 1
			);
			await interaction.editReply({ embeds: [membersEmbed(t, user.id, members, page, count)], allowedMentions: { parse: [] } });
			return;
		}
		const counts = this.container.invites.counts(interaction.guildId, user.id);
		await interaction.editReply({ embeds: [countsEmbed(t, user.id, counts)], allowedMentions: { parse: [] } });
	}
}
