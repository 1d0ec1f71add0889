import { ApplyOptions } from '@sapphire/decorators';
import { Command } from '@sapphire/framework';
import { fetchT, type TFunction } from '@sapphire/plugin-i18next';
import {
	ChannelType,
	EmbedBuilder,
	PermissionFlagsBits,
	channelMention,
	roleMention,
	time,
	TimestampStyles,
	userMention,
	type SlashCommandSubcommandBuilder
} from 'discord.js';
import { guildCommand, inGuildsOnly } from '../../lib/command-options.js';
import { parseBonus } from '../../lib/giveaways/bonus.js';
import { END_OPTIONS, parseStart } from '../../lib/giveaways/duration.js';
import { entrantsCsv } from '../../lib/giveaways/entrants.js';
import { MAX_WINNERS, unwrap } from '../../lib/giveaways/service.js';
import {
	giveawayStartFrom,
	MAX_DESCRIPTION_LENGTH,
	MAX_MIN_INVITES,
	MAX_OPTION_LENGTH,
	MAX_PRIZE_LENGTH,
	MAX_ROLE_LIST_LENGTH,
	startGiveaway
} from '../../lib/giveaways/start.js';
import { currentWinners, type Giveaway, type GiveawayEdit } from '../../lib/giveaways/state.js';
import { listLine } from '../../lib/giveaways/views.js';
import { localizeCommand } from '../../lib/i18n/command-localizations.js';
import { deferFirst, refusal, refusalOf } from '../../lib/interaction-reply.js';

function winnersText(t: TFunction, winners: readonly string[]): string {
	return winners.length > 0 ? winners.map(userMention).join(', ') : t('giveaways:reply.noValidEntries');
}

const relative = (at: number) => time(new Date(at), TimestampStyles.RelativeTime);

/** A subcommand that names one giveaway by the id in its footer: end, reroll, cancel, pause, resume, entrants, edit. */
function idSubcommand(name: string) {
	return (subcommand: SlashCommandSubcommandBuilder) =>
		subcommand.setName(name).addStringOption((option) => option.setName('id').setRequired(true).setMaxLength(32));
}

/**
 * The requirement and bonus options, the same on start and edit (their descriptions differ: on edit, `none` or 0
 * removes a requirement). A function, not a copy: a requirement added later appears on both.
 */
function requirementOptions(editing: boolean) {
	return (subcommand: SlashCommandSubcommandBuilder) =>
		subcommand
			.addStringOption((option) => option.setName('required-roles').setMaxLength(MAX_ROLE_LIST_LENGTH))
			.addStringOption((option) => option.setName('roles-mode').addChoices({ name: 'any', value: 'any' }, { name: 'all', value: 'all' }))
			.addStringOption((option) => option.setName('blocked-roles').setMaxLength(MAX_ROLE_LIST_LENGTH))
			.addStringOption((option) => option.setName('min-account-age').setMaxLength(MAX_OPTION_LENGTH))
			.addStringOption((option) => option.setName('min-server-age').setMaxLength(MAX_OPTION_LENGTH))
			.addBooleanOption((option) => option.setName('boosters-only'))
			.addIntegerOption((option) =>
				option
					.setName('min-invites')
					.setMinValue(editing ? 0 : 1)
					.setMaxValue(MAX_MIN_INVITES)
			)
			.addBooleanOption((option) => option.setName('invites-during'))
			.addStringOption((option) => option.setName('bonus-roles').setMaxLength(MAX_ROLE_LIST_LENGTH))
			.addStringOption((option) =>
				option.setName('bonus-mode').addChoices({ name: 'stack', value: 'stack' }, { name: 'highest', value: 'highest' })
			);
}

@ApplyOptions<Command.Options>({ ...guildCommand(), preconditions: ['GiveawayHost'] })
export class GiveawayCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry): void {
		// Descriptions and choice names come from the `commands` namespace (commands:giveaway.options.<sub>...).
		registry.registerChatInputCommand((builder) =>
			localizeCommand(
				inGuildsOnly(builder)
					.setName(this.name)
					.setDMPermission(false)
					.addSubcommand((subcommand) =>
						requirementOptions(false)(
							subcommand
								.setName('start')
								.addStringOption((option) => option.setName('prize').setRequired(true).setMaxLength(MAX_PRIZE_LENGTH))
								.addStringOption((option) => option.setName('duration').setRequired(true).setMaxLength(MAX_OPTION_LENGTH))
								.addIntegerOption((option) => option.setName('winners').setRequired(true).setMinValue(1).setMaxValue(MAX_WINNERS))
								.addChannelOption((option) =>
									option.setName('channel').addChannelTypes(ChannelType.GuildText, ChannelType.GuildAnnouncement)
								)
								.addRoleOption((option) => option.setName('required-role'))
								.addStringOption((option) => option.setName('description').setMaxLength(MAX_DESCRIPTION_LENGTH))
						)
							.addBooleanOption((option) => option.setName('drop'))
							.addStringOption((option) => option.setName('starts-in').setMaxLength(MAX_OPTION_LENGTH))
							.addStringOption((option) => option.setName('starts-at').setMaxLength(MAX_OPTION_LENGTH))
							.addStringOption((option) => option.setName('claim-window').setMaxLength(MAX_OPTION_LENGTH))
					)
					.addSubcommand((subcommand) =>
						requirementOptions(true)(
							idSubcommand('edit')(subcommand)
								.addStringOption((option) => option.setName('prize').setMaxLength(MAX_PRIZE_LENGTH))
								.addStringOption((option) => option.setName('description').setMaxLength(MAX_DESCRIPTION_LENGTH))
								.addIntegerOption((option) => option.setName('winners').setMinValue(1).setMaxValue(MAX_WINNERS))
								.addStringOption((option) => option.setName('ends-in').setMaxLength(MAX_OPTION_LENGTH))
								.addStringOption((option) => option.setName('ends-at').setMaxLength(MAX_OPTION_LENGTH))
						)
					)
					.addSubcommand(idSubcommand('end'))
					.addSubcommand((subcommand) =>
						idSubcommand('reroll')(subcommand).addIntegerOption((option) =>
							option.setName('winners').setMinValue(1).setMaxValue(MAX_WINNERS)
						)
					)
					.addSubcommand(idSubcommand('cancel'))
					.addSubcommand(idSubcommand('pause'))
					.addSubcommand(idSubcommand('resume'))
					.addSubcommand(idSubcommand('entrants'))
					.addSubcommand((subcommand) => subcommand.setName('list'))
					.addSubcommand((subcommand) => subcommand.setName('host-role').addRoleOption((option) => option.setName('role')))
			)
		);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
		// Deferred first, whatever the subcommand: storage and message edits come after, so the 3 s answer deadline holds
		// under any load, and the answer never trails an edit of the giveaway message. (The host check may have deferred.)
		await deferFirst(interaction, { ephemeral: true });
		const t = await fetchT(interaction);
		const { giveaways } = this.container;
		const { guildId } = interaction;
		const id = () => interaction.options.getString('id', true).trim();
		const answer = async (content: string) => void (await interaction.editReply({ content, allowedMentions: { parse: [] } }));
		switch (interaction.options.getSubcommand(true)) {
			case 'start':
				return answer(await this.start(t, interaction));
			case 'edit':
				return answer(await this.edit(t, interaction));
			case 'entrants': {
				const giveaway = unwrap(await giveaways.find(guildId, id()));
				const rows = await giveaways.entrantRows(giveaway);
				return void (await interaction.editReply({
					content: t('giveaways:reply.entrants', { count: rows.length, id: giveaway.id, prize: giveaway.prize }),
					files: [{ attachment: entrantsCsv(rows), name: `giveaway-${giveaway.id}-entrants.csv` }],
					allowedMentions: { parse: [] }
				}));
			}
			case 'end': {
				const giveaway = unwrap(await giveaways.endEarly(guildId, id()));
				return answer(t('giveaways:reply.ended', { id: giveaway.id, winners: winnersText(t, currentWinners(giveaway)) }));
			}
			case 'reroll': {
				const { giveaway, winners } = unwrap(
					await giveaways.reroll(guildId, id(), interaction.user.id, interaction.options.getInteger('winners') ?? undefined)
				);
				return answer(t('giveaways:reply.rerolled', { id: giveaway.id, winners: winnersText(t, winners) }));
			}
			case 'cancel': {
				const giveaway = unwrap(await giveaways.cancel(guildId, id()));
				return answer(t('giveaways:reply.cancelled', { id: giveaway.id, prize: giveaway.prize }));
			}
			case 'pause': {
				const giveaway = unwrap(await giveaways.pause(guildId, id()));
				return answer(t('giveaways:reply.paused', { id: giveaway.id }));
			}
			case 'resume': {
				const giveaway = unwrap(await giveaways.resume(guildId, id()));
				return answer(t('giveaways:reply.resumed', { id: giveaway.id, relative: relative(giveaway.endsAt) }));
			}
			case 'list':
				return void (await interaction.editReply({ embeds: [await this.list(t, guildId)], allowedMentions: { parse: [] } }));
			case 'host-role': {
				if (!interaction.memberPermissions.has(PermissionFlagsBits.ManageGuild)) throw refusal('giveaways:hostRoleDenied');
				const role = interaction.options.getRole('role');
				await giveaways.setHostRole(guildId, role?.id ?? null);
				return answer(role ? t('giveaways:reply.hostRoleSet', { role: roleMention(role.id) }) : t('giveaways:reply.hostRoleCleared'));
			}
		}
	}

	private async start(t: TFunction, interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<string> {
		const { options } = interaction;
		const input = giveawayStartFrom(
			interaction.guild,
			{
				channelId: options.getChannel('channel')?.id ?? interaction.channelId,
				prize: options.getString('prize', true),
				description: options.getString('description'),
				winners: options.getInteger('winners', true),
				duration: options.getString('duration', true),
				requiredRoleId: options.getRole('required-role')?.id ?? null,
				requiredRoles: options.getString('required-roles'),
				rolesMode: options.getString('roles-mode') as 'any' | 'all' | null,
				blockedRoles: options.getString('blocked-roles'),
				minAccountAge: options.getString('min-account-age'),
				minServerAge: options.getString('min-server-age'),
				boostersOnly: options.getBoolean('boosters-only'),
				minInvites: options.getInteger('min-invites'),
				invitesDuring: options.getBoolean('invites-during'),
				bonusRoles: options.getString('bonus-roles'),
				bonusMode: options.getString('bonus-mode') as 'stack' | 'highest' | null,
				drop: options.getBoolean('drop'),
				startsIn: options.getString('starts-in'),
				startsAt: options.getString('starts-at'),
				claimWindow: options.getString('claim-window')
			},
			{ hostId: interaction.user.id, now: Date.now(), retentionMs: this.container.config.giveawayRetentionMs }
		);
		const giveaway = await startGiveaway(this.container.giveaways, input);
		return giveaway.state === 'scheduled'
			? t('giveaways:reply.scheduled', {
					id: giveaway.id,
					channel: channelMention(giveaway.channelId),
					relative: relative(giveaway.startsAt!),
					ms: input.durationMs
				})
			: t('giveaways:reply.started', { id: giveaway.id, channel: channelMention(giveaway.channelId), relative: relative(giveaway.endsAt) });
	}

	private async edit(t: TFunction, interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<string> {
		const { options } = interaction;
		const patch: GiveawayEdit = {};
		const prize = options.getString('prize');
		if (prize !== null) patch.prize = prize;
		const description = options.getString('description');
		if (description !== null) patch.description = description.trim().toLowerCase() === 'none' ? null : description;
		const winners = options.getInteger('winners');
		if (winners !== null) patch.winnerCount = winners;
		const endsIn = options.getString('ends-in');
		const endsAt = options.getString('ends-at');
		if (endsIn !== null || endsAt !== null) {
			// The same readers as a start time: a duration from now, or a moment.
			const end = parseStart(endsIn, endsAt, Date.now(), END_OPTIONS);
			if (!end.ok) throw refusalOf(end.reason);
			patch.runsForMs = end.startsAt! - Date.now();
		}
		const changes = {
			requiredRoles: options.getString('required-roles'),
			requiredRolesMode: options.getString('roles-mode') as 'any' | 'all' | null,
			blockedRoles: options.getString('blocked-roles'),
			minAccountAge: options.getString('min-account-age'),
			minMemberAge: options.getString('min-server-age'),
			boostersOnly: options.getBoolean('boosters-only'),
			minInvites: options.getInteger('min-invites'),
			invitesDuring: options.getBoolean('invites-during')
		};
		if (Object.values(changes).some((value) => value !== null)) patch.requirementChanges = changes;
		const bonusText = options.getString('bonus-roles');
		const bonusMode = options.getString('bonus-mode') as 'stack' | 'highest' | null;
		if (bonusText !== null) {
			const bonus = parseBonus(bonusText.trim().toLowerCase() === 'none' ? null : bonusText, bonusMode);
			if (!bonus.ok) throw refusalOf(bonus.reason);
			patch.bonus = bonus.bonus;
		} else if (bonusMode !== null) patch.bonusMode = bonusMode;
		if (Object.keys(patch).length === 0) throw refusal('giveaways:nothingToEdit');
		const giveaway = unwrap(await this.container.giveaways.edit(interaction.guildId, interaction.options.getString('id', true).trim(), patch));
		return t('giveaways:reply.edited', { id: giveaway.id, prize: giveaway.prize });
	}

	private async list(t: TFunction, guildId: string): Promise<EmbedBuilder> {
		const { open, recent } = await this.container.giveaways.list(guildId);
		const lines = (giveaways: Giveaway[]) =>
			giveaways.length > 0
				? giveaways
						.slice(0, 15)
						.map((giveaway) => listLine(t, giveaway))
						.join('\n')
				: t('giveaways:list.none');
		return new EmbedBuilder()
			.setColor(0xf1c40f)
			.setTitle(t('giveaways:list.title'))
			.addFields(
				{ name: t('giveaways:list.running', { count: open.length }), value: lines(open).slice(0, 1024) },
				{ name: t('giveaways:list.recent'), value: lines(recent).slice(0, 1024) }
			);
	}
}
