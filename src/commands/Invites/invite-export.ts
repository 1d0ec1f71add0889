import { ApplyOptions } from '@sapphire/decorators';
import { Command } from '@sapphire/framework';
import { fetchT } from '@sapphire/plugin-i18next';
import { AttachmentBuilder } from 'discord.js';
import { ADMIN_DEFAULT_PERMISSIONS, adminCommand, inGuildsOnly } from '../../lib/command-options.js';
import { localizeCommand } from '../../lib/i18n/command-localizations.js';
import { deferFirst } from '../../lib/interaction-reply.js';
import { leaderboardCsv } from '../../lib/invites/export.js';
import { guildLeaderboardExport } from '../../lib/invites/leaderboard-discord.js';
import { addPeriodOptions } from '../../lib/invites/period-options.js';
import { describePeriod, parsePeriod, periodToken } from '../../lib/invites/periods.js';

/** The leaderboard of a period as a CSV file, for the admin who asked (it lists every inviter's id). */
@ApplyOptions<Command.Options>(adminCommand())
export class InviteExportCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry): void {
		registry.registerChatInputCommand((builder) =>
			localizeCommand(addPeriodOptions(inGuildsOnly(builder).setName(this.name).setDefaultMemberPermissions(ADMIN_DEFAULT_PERMISSIONS)))
		);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
		// Members are looked up on Discord for names and exclusions: acknowledged first (3 s deadline).
		await deferFirst(interaction, { ephemeral: true });
		const period = parsePeriod(interaction.options.getString('period'), interaction.options.getString('since'));
		const { rows, names } = await guildLeaderboardExport(this.container.invites, this.container.storage, interaction.guild, period);
		const t = await fetchT(interaction);
		const file = new AttachmentBuilder(leaderboardCsv(rows, names), { name: `invite-leaderboard-${periodToken(period)}.csv` });
		await interaction.editReply({
			content: t('invites:exportDone', { count: rows.length, period: describePeriod(t, period) }),
			files: [file],
			allowedMentions: { parse: [] }
		});
	}
}
