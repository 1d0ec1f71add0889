import { ApplyOptions } from '@sapphire/decorators';
import { Command } from '@sapphire/framework';
import { fetchT, type TFunction } from '@sapphire/plugin-i18next';
import { ADMIN_DEFAULT_PERMISSIONS, adminCommand, inGuildsOnly } from '../../lib/command-options.js';
import { deferFirst } from '../../lib/interaction-reply.js';
import { channelMention, ChannelType, EmbedBuilder, roleMention, type Role } from 'discord.js';
import { localizeCommand } from '../../lib/i18n/command-localizations.js';
import { refusal } from '../../lib/interaction-reply.js';
import { changeMilestoneSettings, checkMilestoneTemplate, MAX_MILESTONE_NUMBERS, parseMilestoneNumbers } from '../../lib/invites/milestones.js';
import { REJOIN_POLICIES, type RejoinPolicy } from '../../lib/invites/records.js';
import { RANK_ROLE_MODES, type InviteConfig, type RankRoleMode } from '../../lib/invites/tracker.js';
import type { DeliveryProblem } from '../../lib/guild-settings.js';
import { channelProblem } from '../../lib/welcome/service.js';
import { changeExclusion, describeLeaderboardSettings, exclusionTarget } from '../../lib/invites/leaderboard-settings.js';
import { leaderboardSettings, updateLeaderboardSettings } from '../../lib/invites/leaderboard-discord.js';
import { addRankRole, removeRankRole } from '../../lib/invites/config-changes.js';
import { INVITES_COLOR } from '../../lib/invites/views.js';
import { deliveryProblemLine, milestonesFieldValue } from '../../lib/invites/config-view.js';
import { fitFields, fitList } from '../../lib/embed-fields.js';

/** A week: "left within N minutes" is about raids and quick leavers, not members who stayed for days. */
const MAX_FAKE_LEFT_MINUTES = 7 * 24 * 60;
const TEXT_CHANNELS = [ChannelType.GuildText, ChannelType.GuildAnnouncement] as const;

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
					.addSubcommand((subcommand) =>
						subcommand.setName('rank-role-mode').addStringOption((option) =>
							option
								.setName('mode')
								.setRequired(true)
								.addChoices(...RANK_ROLE_MODES.map((mode) => ({ name: mode, value: mode })))
						)
					)
					.addSubcommand((subcommand) =>
						subcommand
							.setName('fake-left-within')
							.addIntegerOption((option) =>
								option.setName('minutes').setRequired(true).setMinValue(0).setMaxValue(MAX_FAKE_LEFT_MINUTES)
							)
					)
					.addSubcommand((subcommand) =>
						subcommand.setName('rejoin-policy').addStringOption((option) =>
							option
								.setName('policy')
								.setRequired(true)
								.addChoices(...REJOIN_POLICIES.map((policy) => ({ name: policy, value: policy })))
						)
					)
					.addSubcommand((subcommand) =>
						subcommand.setName('log-channel').addChannelOption((option) => option.setName('channel').addChannelTypes(...TEXT_CHANNELS))
					)
					.addSubcommand((subcommand) =>
						subcommand
							.setName('milestones')
							.addChannelOption((option) => option.setName('channel').addChannelTypes(...TEXT_CHANNELS))
							.addStringOption((option) => option.setName('template').setMaxLength(2000))
					)
					.addSubcommand((subcommand) =>
						subcommand
							.setName('milestone-numbers')
							.addStringOption((option) => option.setName('numbers').setRequired(true).setMaxLength(200))
					)
					.addSubcommand((subcommand) =>
						subcommand.setName('leaderboard-hide-left').addBooleanOption((option) => option.setName('enabled').setRequired(true))
					)
					.addSubcommand((subcommand) =>
						subcommand
							.setName('leaderboard-exclude')
							.addUserOption((option) => option.setName('user'))
							.addRoleOption((option) => option.setName('role'))
					)
					.addSubcommand((subcommand) =>
						subcommand
							.setName('leaderboard-include')
							.addUserOption((option) => option.setName('user'))
							.addRoleOption((option) => option.setName('role'))
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
			case 'rank-role-mode': {
				const mode = interaction.options.getString('mode', true) as RankRoleMode;
				config = await invites.updateConfig(guildId, (current) => ({ ...current, rankRoleMode: mode }));
				break;
			}
			case 'fake-left-within': {
				const minutes = interaction.options.getInteger('minutes', true);
				config = await invites.updateConfig(guildId, (current) => ({ ...current, fakeLeftWithinMinutes: minutes }));
				break;
			}
			case 'rejoin-policy': {
				const policy = interaction.options.getString('policy', true) as RejoinPolicy;
				config = await invites.updateConfig(guildId, (current) => ({ ...current, rejoinPolicy: policy }));
				break;
			}
			case 'log-channel': {
				const channelId = this.usableChannel(interaction);
				config = await invites.updateConfig(guildId, (current) => ({ ...current, joinLog: channelId ? { channelId, problem: null } : null }));
				break;
			}
			case 'milestones': {
				const channelId = this.usableChannel(interaction);
				const template = interaction.options.getString('template');
				if (template !== null) {
					const check = checkMilestoneTemplate(template);
					if (!check.ok) throw refusal(check.key, check.vars);
				}
				config = await invites.updateConfig(guildId, (current) => ({
					...current,
					milestones: changeMilestoneSettings(current.milestones, channelId, template)
				}));
				break;
			}
			case 'milestone-numbers': {
				const parsed = parseMilestoneNumbers(interaction.options.getString('numbers', true));
				if (!parsed.ok) throw refusal(parsed.key, { count: MAX_MILESTONE_NUMBERS });
				if (!invites.config(guildId).milestones) throw refusal('invites:milestonesOff');
				config = await invites.updateConfig(guildId, (current) => ({
					...current,
					milestones: current.milestones ? { ...current.milestones, numbers: parsed.numbers } : null
				}));
				break;
			}
			case 'leaderboard-hide-left': {
				const enabled = interaction.options.getBoolean('enabled', true);
				await updateLeaderboardSettings(this.container.storage, guildId, (current) => ({ ...current, hideLeft: enabled }));
				config = invites.config(guildId);
				break;
			}
			case 'leaderboard-exclude':
			case 'leaderboard-include': {
				const target = exclusionTarget(interaction.options.getUser('user')?.id ?? null, interaction.options.getRole('role')?.id ?? null);
				const exclude = interaction.options.getSubcommand(true) === 'leaderboard-exclude';
				await updateLeaderboardSettings(this.container.storage, guildId, (current) => changeExclusion(current, target, exclude));
				config = invites.config(guildId);
				break;
			}
			default:
				config = invites.config(guildId);
		}
		const t = await fetchT(interaction);
		const embed = this.describe(t, config, invites.unavailable.get(guildId));
		embed.addFields(fitFields(describeLeaderboardSettings(t, await leaderboardSettings(this.container.storage, guildId))));
		await interaction.editReply({ embeds: [embed], allowedMentions: { parse: [] } });
	}

	/** The chosen channel, refused when the bot cannot post there; null when none was given. */
	private usableChannel(interaction: Command.ChatInputCommandInteraction<'cached'>): string | null {
		const channel = interaction.options.getChannel('channel');
		if (!channel) return null;
		const problem = channelProblem(interaction.guild, channel.id, { embed: false, banner: null });
		if (problem) throw refusal('invites:channelUnusable', { channel: channelMention(channel.id), problem });
		return channel.id;
	}

	private describe(t: TFunction, config: InviteConfig, unreadable: string | undefined): EmbedBuilder {
		const yesNo = (value: boolean) => t(value ? 'invites:yes' : 'invites:no');
		const ranks = config.rankRoles.map((rank) => t('invites:rankRoleLine', { count: rank.total, role: roleMention(rank.roleId) }));
		const problem = (found: DeliveryProblem | null) => deliveryProblemLine(t, found);
		const { joinLog, milestones } = config;
		return new EmbedBuilder()
			.setColor(INVITES_COLOR)
			.setTitle(t('invites:configTitle'))
			.addFields(
				...fitFields([
					{
						name: t('invites:fakeAccountAge'),
						value: config.fakeAccountDays === 0 ? t('invites:off') : t('invites:days', { count: config.fakeAccountDays }),
						inline: true
					},
					{ name: t('invites:noAvatarIsFake'), value: yesNo(config.fakeWithoutAvatar), inline: true },
					{
						name: t('invites:fakeLeftWithin'),
						value: config.fakeLeftWithinMinutes === 0 ? t('invites:off') : t('invites:minutes', { count: config.fakeLeftWithinMinutes }),
						inline: true
					},
					{ name: t('invites:rejoinPolicy'), value: t(`invites:rejoin.${config.rejoinPolicy}`), inline: true },
					{ name: t('invites:rankRolesFollowTotals'), value: yesNo(config.removeRankRolesBelow), inline: true },
					{ name: t('invites:rankRoleMode'), value: t(`invites:rankMode.${config.rankRoleMode}`), inline: true },
					{
						name: t('invites:rankRoles'),
						value: ranks.length > 0 ? fitList(ranks, '\n', (count) => t('common:andMore', { count })) : t('invites:none')
					},
					{ name: t('invites:joinLog'), value: joinLog ? channelMention(joinLog.channelId) + problem(joinLog.problem) : t('invites:off') },
					{ name: t('invites:milestones'), value: milestonesFieldValue(t, milestones) },
					{
						name: t('invites:inviteUses'),
						value: unreadable ? t('invites:usesUnreadable', { reason: unreadable }) : t('invites:usesReadable')
					}
				])
			);
	}
}
