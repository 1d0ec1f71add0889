import { ApplyOptions } from '@sapphire/decorators';
import { Command } from '@sapphire/framework';
import { fetchT, type TFunction } from '@sapphire/plugin-i18next';
import { ADMIN_DEFAULT_PERMISSIONS, adminCommand, inGuildsOnly } from '../../lib/command-options.js';
import { deferFirst } from '../../lib/interaction-reply.js';
import { EmbedBuilder, roleMention, type Role } from 'discord.js';
import { localizeCommand } from '../../lib/i18n/command-localizations.js';
import { addRankRole, removeRankRole } from '../../lib/invites/config-changes.js';
import type { InviteConfig } from '../../lib/invites/tracker.js';
import { INVITES_COLOR } from '../../lib/invites/views.js';

@ApplyOptions<Command.Options>(adminCommand())
export class InviteConfigCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry): void {
		registry.registerChatInputCommand((builder) =>
			localizeCommand(
				inGuildsOnly(builder)
					.setName(this.name)
					.setDefaultMemberPermissions(ADMIN_DEFAULT_PERMISSIONS)
					.addSubcommand((subcommand) => subcommand.setName('show'))
					.addSubcommand((subcommand) =>
						subcommand
							.setName('fake-account-age')
							.addIntegerOption((option) => option.setName('days').setRequired(true).setMinValue(0).setMaxValue(365))
					)
					.addSubcommand((subcommand) =>
						subcommand.setName('fake-without-avatar').addBooleanOption((option) => option.setName('enabled').setRequired(true))
					)
					.addSubcommand((subcommand) =>
						subcommand
							.setName('rank-role-add')
							.addIntegerOption((option) => option.setName('invites').setRequired(true).setMinValue(1).setMaxValue(1_000_000))
							.addRoleOption((option) => option.setName('role').setRequired(true))
					)
					.addSubcommand((subcommand) =>
						subcommand.setName('rank-role-remove').addRoleOption((option) => option.setName('role').setRequired(true))
					)
					.addSubcommand((subcommand) =>
						subcommand.setName('rank-roles-follow-total').addBooleanOption((option) => option.setName('enabled').setRequired(true))
					)
			)
		);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
		// Settings are written before the answer: acknowledged first (3 s deadline), answered publicly.
		await deferFirst(interaction, { ephemeral: false });
		const { invites } = this.container;
		const { guildId } = interaction;
		let config: InviteConfig;
		switch (interaction.options.getSubcommand(true)) {
			case 'fake-account-age': {
				const days = interaction.options.getInteger('days', true);
				config = await invites.updateConfig(guildId, (current) => ({ ...current, fakeAccountDays: days }));
				break;
			}
			case 'fake-without-avatar': {
				const enabled = interaction.options.getBoolean('enabled', true);
				config = await invites.updateConfig(guildId, (current) => ({ ...current, fakeWithoutAvatar: enabled }));
				break;
			}
			case 'rank-role-add': {
				const role = interaction.options.getRole('role', true);
				config = await addRankRole(invites, interaction.guild, role as Role, interaction.options.getInteger('invites', true));
				break;
			}
			case 'rank-role-remove': {
				config = await removeRankRole(invites, guildId, interaction.options.getRole('role', true));
				break;
			}
			case 'rank-roles-follow-total': {
				const enabled = interaction.options.getBoolean('enabled', true);
				config = await invites.updateConfig(guildId, (current) => ({ ...current, removeRankRolesBelow: enabled }));
				break;
			}
			default:
				config = invites.config(guildId);
		}
		const t = await fetchT(interaction);
		await interaction.editReply({ embeds: [this.describe(t, config, invites.unavailable.get(guildId))], allowedMentions: { parse: [] } });
	}

	private describe(t: TFunction, config: InviteConfig, unreadable: string | undefined): EmbedBuilder {
		const yesNo = (value: boolean) => t(value ? 'invites:yes' : 'invites:no');
		const ranks = config.rankRoles.map((rank) => t('invites:rankRoleLine', { count: rank.total, role: roleMention(rank.roleId) }));
		return new EmbedBuilder()
			.setColor(INVITES_COLOR)
			.setTitle(t('invites:configTitle'))
			.addFields(
				{
					name: t('invites:fakeAccountAge'),
					value: config.fakeAccountDays === 0 ? t('invites:off') : t('invites:days', { count: config.fakeAccountDays }),
					inline: true
				},
				{ name: t('invites:noAvatarIsFake'), value: yesNo(config.fakeWithoutAvatar), inline: true },
				{ name: t('invites:rankRolesFollowTotals'), value: yesNo(config.removeRankRolesBelow), inline: true },
				{ name: t('invites:rankRoles'), value: ranks.length > 0 ? ranks.join('\n') : t('invites:none') },
				{ name: t('invites:inviteUses'), value: unreadable ? t('invites:usesUnreadable', { reason: unreadable }) : t('invites:usesReadable') }
			);
	}
}
