import { ApplyOptions } from '@sapphire/decorators';
import { Command } from '@sapphire/framework';
import { fetchT } from '@sapphire/plugin-i18next';
import { MessageFlags } from 'discord.js';
import { ADMIN_DEFAULT_PERMISSIONS, adminCommand, inGuildsOnly } from '../../lib/command-options.js';
import { collectGuildFacts, collectStorageFacts } from '../../lib/data/facts.js';
import { dataStatusEmbed } from '../../lib/data/views.js';
import { localizeCommand } from '../../lib/i18n/command-localizations.js';
import { say } from '../../lib/i18n/text.js';
import { describeWelcomeStatus, welcomeStatus } from '../../lib/welcome/status.js';
import { pluginStatusSections } from '../../plugins/registry.js';

@ApplyOptions<Command.Options>(adminCommand())
export class DataStatusCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry): void {
		registry.registerChatInputCommand((builder) =>
			localizeCommand(inGuildsOnly(builder).setName(this.name).setDefaultMemberPermissions(ADMIN_DEFAULT_PERMISSIONS))
		);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
		await interaction.deferReply({ flags: MessageFlags.Ephemeral });
		const { storage, invites } = this.container;
		const [[guild], facts, sections] = await Promise.all([
			collectGuildFacts(storage, invites, [interaction.guildId]),
			collectStorageFacts(storage),
			// The plugins' own lines (and which plugins failed to load); never fails the command.
			pluginStatusSections(interaction.guildId)
		]);
		// The welcome service knows delivery problems and pending grants; the stored settings are the fallback.
		const t = await fetchT(interaction);
		const greetings = await welcomeStatus(interaction.guildId).then(
			(status) => describeWelcomeStatus(t, status),
			() => guild!.greetings.map((line) => say(t, line))
		);
		await interaction.editReply({
			embeds: [
				dataStatusEmbed(t, {
					guild: guild!,
					greetings,
					storage: facts,
					inviteProblem: invites.unavailable.get(interaction.guildId) ?? null,
					sections
				})
			],
			allowedMentions: { parse: [] }
		});
	}
}
