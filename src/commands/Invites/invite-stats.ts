import { ApplyOptions } from '@sapphire/decorators';
import { BucketScope, Command } from '@sapphire/framework';
import { fetchT } from '@sapphire/plugin-i18next';
import { AttachmentBuilder } from 'discord.js';
import { guildCommand, inGuildsOnly } from '../../lib/command-options.js';
import { localizeCommand } from '../../lib/i18n/command-localizations.js';
import { deferFirst } from '../../lib/interaction-reply.js';
import { memberNames } from '../../lib/invites/leaderboard-discord.js';
import { addPeriodOptions } from '../../lib/invites/period-options.js';
import { parsePeriod } from '../../lib/invites/periods.js';
import { aggregateStats, readGuildRecords } from '../../lib/invites/stats.js';
import { renderStatsChart, STATS_FILE_NAME } from '../../lib/invites/stats-chart.js';

/**
 * Each call reads the server's whole join history (about 0.7 s at 100k members): at most 2 per 10 s per server, the
 * bot's owners (OWNER_IDS) excepted. Sapphire's Cooldown precondition; its refusal is translated by chatInputCommandDenied.
 */
@ApplyOptions<Command.Options>(({ container }) => ({
	...guildCommand(),
	cooldownDelay: 10_000,
	cooldownLimit: 2,
	cooldownScope: BucketScope.Guild,
	cooldownFilteredUsers: [...container.config.ownerIds]
}))
export class InviteStatsCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry): void {
		registry.registerChatInputCommand((builder) => localizeCommand(addPeriodOptions(inGuildsOnly(builder).setName(this.name))));
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
		// Reading the join history and drawing take longer than Discord's 3 seconds for a first answer.
		await deferFirst(interaction, { ephemeral: false });
		const now = Date.now();
		const period = parsePeriod(interaction.options.getString('period'), interaction.options.getString('since'), now);
		const t = await fetchT(interaction);
		const stats = aggregateStats(await readGuildRecords(this.container.storage, interaction.guildId), period, now);
		const names = await memberNames(
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
}
