import { ApplyOptions } from '@sapphire/decorators';
import { Command } from '@sapphire/framework';
import { fetchT } from '@sapphire/plugin-i18next';
import { AttachmentBuilder, type Guild } from 'discord.js';
import { guildCommand, inGuildsOnly } from '../../lib/command-options.js';
import { localizeCommand } from '../../lib/i18n/command-localizations.js';
import { deferFirst } from '../../lib/interaction-reply.js';
import { parsePeriod } from '../../lib/invites/periods.js';
import { aggregateStats, readGuildRecords } from '../../lib/invites/stats.js';
import { renderStatsChart, STATS_FILE_NAME } from '../../lib/invites/stats-chart.js';

/** The periods offered as choices; a `since` date is its own option. */
const PERIOD_CHOICES = ['all', '30d', '7d', 'today'] as const;

@ApplyOptions<Command.Options>(guildCommand())
export class InviteStatsCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry): void {
		registry.registerChatInputCommand((builder) =>
			localizeCommand(
				inGuildsOnly(builder)
					.setName(this.name)
					.addStringOption((option) => option.setName('period').addChoices(...PERIOD_CHOICES.map((name) => ({ name, value: name }))))
					.addStringOption((option) => option.setName('since').setMinLength(10).setMaxLength(10))
			)
		);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
		// Reading the join history and drawing take longer than Discord's 3 seconds for a first answer.
		await deferFirst(interaction, { ephemeral: false });
		const now = Date.now();
		const period = parsePeriod(interaction.options.getString('period'), interaction.options.getString('since'), now);
		const t = await fetchT(interaction);
		const stats = aggregateStats(await readGuildRecords(this.container.storage, interaction.guildId), period, now);
		const names = await this.names(
			interaction.guild,
			stats.topInviters.map((row) => row.inviterId)
		);
		const picture = await renderStatsChart(t, stats, period, (id) => names.get(id) ?? id);
		await interaction.editReply({
			content: `**${picture.title}**`,
			files: [new AttachmentBuilder(picture.png, { name: STATS_FILE_NAME, description: picture.alt })],
			allowedMentions: { parse: [] }
		});
	}

	/** The top inviters' names: after a restart few members are cached, so the few drawn are fetched (id if gone). */
	private async names(guild: Guild, ids: string[]): Promise<Map<string, string>> {
		const found = await Promise.all(
			ids.map(async (id) => {
				const member = await guild.members.fetch(id).catch(() => null);
				const name = member?.displayName ?? (await this.container.client.users.fetch(id).catch(() => null))?.username;
				return [id, name ?? id] as const;
			})
		);
		return new Map(found);
	}
}
