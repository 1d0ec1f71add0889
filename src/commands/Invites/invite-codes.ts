import { ApplyOptions } from '@sapphire/decorators';
import { Command } from '@sapphire/framework';
import { fetchT } from '@sapphire/plugin-i18next';
import { guildCommand, inGuildsOnly } from '../../lib/command-options.js';
import { localizeCommand } from '../../lib/i18n/command-localizations.js';
import { deferFirst } from '../../lib/interaction-reply.js';
import { codesEmbed } from '../../lib/invites/drilldown.js';

/** A member's invite codes as the tracker last read them: no extra request to Discord per command. */
@ApplyOptions<Command.Options>(guildCommand())
export class InviteCodesCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry): void {
		registry.registerChatInputCommand((builder) =>
			localizeCommand(
				inGuildsOnly(builder)
					.setName(this.name)
					.addUserOption((option) => option.setName('user'))
			)
		);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
		const user = interaction.options.getUser('user') ?? interaction.user;
		// The server's language and the stored invites are read from storage: acknowledged first (3 s deadline).
		await deferFirst(interaction, { ephemeral: false });
		const snapshot = await this.container.invites.cachedInvites(interaction.guildId);
		await interaction.editReply({
			embeds: [codesEmbed(await fetchT(interaction), user.id, snapshot, Date.now())],
			allowedMentions: { parse: [] }
		});
	}
}
