import { ApplyOptions } from '@sapphire/decorators';
import { Command, UserError } from '@sapphire/framework';
import { ADMIN_DEFAULT_PERMISSIONS, adminCommand, inGuildsOnly } from '../../lib/command-options.js';
import { EmbedBuilder, roleMention } from 'discord.js';
import type { InviteConfig } from '../../lib/invites/tracker.js';
import { INVITES_COLOR } from '../../lib/invites/views.js';
import { roleProblem } from '../../lib/roles.js';

const MAX_RANK_ROLES = 25;

@ApplyOptions<Command.Options>(adminCommand('Configure invite tracking: fake-account age and rank roles'))
export class InviteConfigCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry): void {
		registry.registerChatInputCommand((builder) =>
			inGuildsOnly(builder)
				.setName(this.name)
				.setDescription(this.description)
				.setDefaultMemberPermissions(ADMIN_DEFAULT_PERMISSIONS)
				.addSubcommand((subcommand) => subcommand.setName('show').setDescription('Show the current settings'))
				.addSubcommand((subcommand) =>
					subcommand
						.setName('fake-account-age')
						.setDescription('Accounts younger than this count as fake invites')
						.addIntegerOption((option) =>
							option.setName('days').setDescription('Days (0 turns the rule off)').setRequired(true).setMinValue(0).setMaxValue(365)
						)
				)
				.addSubcommand((subcommand) =>
					subcommand
						.setName('fake-without-avatar')
						.setDescription('Members without an avatar count as fake invites (off by default)')
						.addBooleanOption((option) => option.setName('enabled').setDescription('On or off').setRequired(true))
				)
				.addSubcommand((subcommand) =>
					subcommand
						.setName('rank-role-add')
						.setDescription('Give a role to members who reach a number of invites')
						.addIntegerOption((option) =>
							option.setName('invites').setDescription('Invites needed').setRequired(true).setMinValue(1).setMaxValue(1_000_000)
						)
						.addRoleOption((option) => option.setName('role').setDescription('The role to give').setRequired(true))
				)
				.addSubcommand((subcommand) =>
					subcommand
						.setName('rank-role-remove')
						.setDescription('Stop giving a rank role')
						.addRoleOption((option) => option.setName('role').setDescription('The rank role').setRequired(true))
				)
				.addSubcommand((subcommand) =>
					subcommand
						.setName('rank-roles-follow-total')
						.setDescription('Take rank roles away when a total falls below them (also after a reset)')
						.addBooleanOption((option) => option.setName('enabled').setDescription('On or off').setRequired(true))
				)
		);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
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
				const problem = roleProblem(role, interaction.guild);
				if (problem) throw new UserError({ identifier: 'RoleNotAssignable', message: problem });
				const total = interaction.options.getInteger('invites', true);
				config = await invites.updateConfig(guildId, (current) => {
					const rankRoles = [...current.rankRoles.filter((rank) => rank.roleId !== role.id), { total, roleId: role.id }].sort(
						(a, b) => a.total - b.total
					);
					if (rankRoles.length > MAX_RANK_ROLES)
						throw new UserError({ identifier: 'TooManyRankRoles', message: `At most ${MAX_RANK_ROLES} rank roles; remove one first.` });
					return { ...current, rankRoles };
				});
				break;
			}
			case 'rank-role-remove': {
				const role = interaction.options.getRole('role', true);
				if (!invites.config(guildId).rankRoles.some((rank) => rank.roleId === role.id)) {
					throw new UserError({ identifier: 'NotARankRole', message: `${role.name} is not a rank role. See /invite-config show.` });
				}
				config = await invites.updateConfig(guildId, (current) => ({
					...current,
					rankRoles: current.rankRoles.filter((rank) => rank.roleId !== role.id)
				}));
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
		await interaction.reply({ embeds: [this.describe(config, invites.unavailable.get(guildId))], allowedMentions: { parse: [] } });
	}

	private describe(config: InviteConfig, unreadable: string | undefined): EmbedBuilder {
		const ranks = config.rankRoles.map((rank) => `${rank.total} invites → ${roleMention(rank.roleId)}`);
		return new EmbedBuilder()
			.setColor(INVITES_COLOR)
			.setTitle('Invite tracking settings')
			.addFields(
				{ name: 'Fake-account age', value: config.fakeAccountDays === 0 ? 'off' : `${config.fakeAccountDays} days`, inline: true },
				{ name: 'No avatar counts as fake', value: config.fakeWithoutAvatar ? 'yes' : 'no', inline: true },
				{ name: 'Rank roles follow totals', value: config.removeRankRolesBelow ? 'yes' : 'no', inline: true },
				{ name: 'Rank roles', value: ranks.length > 0 ? ranks.join('\n') : 'none' },
				{ name: 'Invite uses', value: unreadable ? `cannot be read: ${unreadable}; joins are recorded as unknown` : 'readable' }
			);
	}
}
