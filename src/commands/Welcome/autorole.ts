import { ApplyOptions } from '@sapphire/decorators';
import { Command } from '@sapphire/framework';
import { fetchT, type TFunction } from '@sapphire/plugin-i18next';
import { EmbedBuilder, roleMention, time, TimestampStyles } from 'discord.js';
import { formatDelay } from '../../lib/autorole/delay.js';
import { addAutoRole, removeAutoRole } from '../../lib/autorole/setup.js';
import { ADMIN_DEFAULT_PERMISSIONS, adminCommand, inGuildsOnly } from '../../lib/command-options.js';
import { AUTOROLE_TARGETS, type AutoRoleTarget } from '../../lib/guild-settings.js';
import { localizeCommand } from '../../lib/i18n/command-localizations.js';
import { deferFirst } from '../../lib/interaction-reply.js';

@ApplyOptions<Command.Options>(adminCommand())
export class AutoroleCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry): void {
		registry.registerChatInputCommand((builder) =>
			localizeCommand(
				inGuildsOnly(builder)
					.setName(this.name)
					.setDefaultMemberPermissions(ADMIN_DEFAULT_PERMISSIONS)
					.addSubcommand((subcommand) =>
						subcommand
							.setName('add')
							.addRoleOption((option) => option.setName('role').setRequired(true))
							.addStringOption((option) =>
								option.setName('for').addChoices(...AUTOROLE_TARGETS.map((target) => ({ name: target, value: target })))
							)
							.addStringOption((option) => option.setName('delay').setMaxLength(20))
					)
					.addSubcommand((subcommand) => subcommand.setName('remove').addRoleOption((option) => option.setName('role').setRequired(true)))
					.addSubcommand((subcommand) => subcommand.setName('list'))
			)
		);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
		// Every subcommand reads or writes storage (remove also cancels the role's pending grants): acknowledged first.
		await deferFirst(interaction, { ephemeral: true });
		const t = await fetchT(interaction);
		const { autoroles } = this.container;
		const { guildId } = interaction;
		let note = '';
		switch (interaction.options.getSubcommand(true)) {
			case 'add': {
				const role = interaction.options.getRole('role', true);
				const { autoRole, delayMs } = await addAutoRole(
					t,
					autoroles,
					interaction.guild,
					role,
					(interaction.options.getString('for') ?? 'all') as AutoRoleTarget,
					interaction.options.getString('delay') ?? '0'
				);
				const target = t(`autorole:targetGiven.${autoRole.for}`);
				note =
					delayMs > 0
						? t('autorole:addedDelayed', { role: role.name, target, delay: formatDelay(delayMs) })
						: t('autorole:added', { role: role.name, target });
				break;
			}
			case 'remove': {
				const role = interaction.options.getRole('role', true);
				await removeAutoRole(autoroles, guildId, role);
				note = t('autorole:removed', { role: role.name });
				break;
			}
		}
		await interaction.editReply({ content: note || null, embeds: [await this.describe(t, guildId)], allowedMentions: { parse: [] } });
	}

	private async describe(t: TFunction, guildId: string): Promise<EmbedBuilder> {
		const { autoroles } = this.container;
		const roles = await autoroles.roles(guildId);
		const pending = autoroles.pending(guildId);
		const lines = roles.map((role) => {
			const target = t(`autorole:target.${role.for}`);
			return role.delayMs > 0
				? t('autorole:list.lineDelayed', { role: roleMention(role.roleId), target, delay: formatDelay(role.delayMs) })
				: t('autorole:list.line', { role: roleMention(role.roleId), target });
		});
		const next = pending[0];
		return new EmbedBuilder()
			.setColor(0x5865f2)
			.setTitle(t('autorole:list.title'))
			.setDescription(lines.length > 0 ? lines.join('\n') : t('autorole:list.none'))
			.addFields({
				name: t('autorole:list.pending'),
				value: next
					? t('autorole:list.pendingWithNext', {
							count: pending.length,
							next: time(Math.ceil(next.dueAt / 1000), TimestampStyles.RelativeTime)
						})
					: t('autorole:list.pendingCount', { count: pending.length })
			});
	}
}
