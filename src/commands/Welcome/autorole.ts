import { ApplyOptions } from '@sapphire/decorators';
import { Command } from '@sapphire/framework';
import { EmbedBuilder, roleMention, time, TimestampStyles } from 'discord.js';
import { formatDelay, MAX_DELAY_TEXT } from '../../lib/autorole/delay.js';
import { addAutoRole, removeAutoRole } from '../../lib/autorole/setup.js';
import { deferFirst } from '../../lib/interaction-reply.js';
import { ADMIN_DEFAULT_PERMISSIONS, adminCommand, inGuildsOnly } from '../../lib/command-options.js';
import { AUTOROLE_TARGETS, type AutoRoleTarget } from '../../lib/guild-settings.js';

const TARGET_TEXT: Record<AutoRoleTarget, string> = { humans: 'humans', bots: 'bots', all: 'everyone' };

@ApplyOptions<Command.Options>(adminCommand('Roles given to members when they join, right away or after a delay'))
export class AutoroleCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry): void {
		registry.registerChatInputCommand((builder) =>
			inGuildsOnly(builder)
				.setName(this.name)
				.setDescription(this.description)
				.setDefaultMemberPermissions(ADMIN_DEFAULT_PERMISSIONS)
				.addSubcommand((subcommand) =>
					subcommand
						.setName('add')
						.setDescription('Give a role to members who join (adding it again changes who gets it and when)')
						.addRoleOption((option) => option.setName('role').setDescription('The role to give').setRequired(true))
						.addStringOption((option) =>
							option
								.setName('for')
								.setDescription('Who gets it (default: all)')
								.addChoices(...AUTOROLE_TARGETS.map((target) => ({ name: target, value: target })))
						)
						.addStringOption((option) =>
							option
								.setName('delay')
								.setDescription(`Wait before giving it, e.g. 10m, 1h30m, 2d (at most ${MAX_DELAY_TEXT})`)
								.setMaxLength(20)
						)
				)
				.addSubcommand((subcommand) =>
					subcommand
						.setName('remove')
						.setDescription('Stop giving a role (pending delayed grants of it are cancelled)')
						.addRoleOption((option) => option.setName('role').setDescription('The auto-role').setRequired(true))
				)
				.addSubcommand((subcommand) => subcommand.setName('list').setDescription('Show the auto-roles and the delayed grants waiting'))
		);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
		// Every subcommand reads or writes storage (remove also cancels the role's pending grants): acknowledged first.
		await deferFirst(interaction, { ephemeral: true });
		const { autoroles } = this.container;
		const { guildId } = interaction;
		let note = '';
		switch (interaction.options.getSubcommand(true)) {
			case 'add': {
				const role = interaction.options.getRole('role', true);
				const { autoRole, delayMs } = await addAutoRole(
					autoroles,
					interaction.guild,
					role,
					(interaction.options.getString('for') ?? 'all') as AutoRoleTarget,
					interaction.options.getString('delay') ?? '0'
				);
				note = `${role.name} will be given to ${TARGET_TEXT[autoRole.for]} ${delayMs > 0 ? `${formatDelay(delayMs)} after they join` : 'when they join'}.`;
				break;
			}
			case 'remove': {
				const role = interaction.options.getRole('role', true);
				await removeAutoRole(autoroles, guildId, role);
				note = `${role.name} is no longer given on join.`;
				break;
			}
		}
		await interaction.editReply({ content: note || null, embeds: [await this.describe(guildId)], allowedMentions: { parse: [] } });
	}

	private async describe(guildId: string): Promise<EmbedBuilder> {
		const { autoroles } = this.container;
		const roles = await autoroles.roles(guildId);
		const pending = autoroles.pending(guildId);
		const lines = roles.map(
			(role) => `${roleMention(role.roleId)} · ${TARGET_TEXT[role.for]}${role.delayMs > 0 ? ` · after ${formatDelay(role.delayMs)}` : ''}`
		);
		const next = pending[0];
		return new EmbedBuilder()
			.setColor(0x5865f2)
			.setTitle('Auto-roles')
			.setDescription(lines.length > 0 ? lines.join('\n') : 'none')
			.addFields({
				name: 'Delayed grants waiting',
				value: `${pending.length}${next ? ` (next ${time(Math.ceil(next.dueAt / 1000), TimestampStyles.RelativeTime)})` : ''}`
			});
	}
}
