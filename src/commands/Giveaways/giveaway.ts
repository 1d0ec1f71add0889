import { ApplyOptions } from '@sapphire/decorators';
import { Command, UserError } from '@sapphire/framework';
import {
	ChannelType,
	EmbedBuilder,
	PermissionFlagsBits,
	channelMention,
	roleMention,
	time,
	TimestampStyles,
	userMention,
	type SlashCommandStringOption,
	type SlashCommandSubcommandBuilder
} from 'discord.js';
import { guildCommand, inGuildsOnly } from '../../lib/command-options.js';
import { parseBonus } from '../../lib/giveaways/bonus.js';
import { parseDuration, parseStart } from '../../lib/giveaways/duration.js';
import { entrantsCsv } from '../../lib/giveaways/entrants.js';
import { parseRequirements } from '../../lib/giveaways/requirements.js';
import { MAX_WINNERS, PermanentDiscordError, unwrap } from '../../lib/giveaways/service.js';
import { currentWinners, type Giveaway, type GiveawayEdit } from '../../lib/giveaways/state.js';
import { formatDuration, listLine } from '../../lib/giveaways/views.js';
import { deferFirst } from '../../lib/interaction-reply.js';

function winnersText(winners: readonly string[]): string {
	return winners.length > 0 ? winners.map(userMention).join(', ') : 'nobody (no valid entries)';
}

/**
 * The requirement and bonus options, the same on start and edit; on edit, `none` (or 0) removes a requirement.
 * A function, not a copy: a requirement added later appears on both.
 */
function requirementOptions(editing: boolean) {
	const clear = editing ? ' (none: remove)' : '';
	return (subcommand: SlashCommandSubcommandBuilder) =>
		subcommand
			.addStringOption((option) =>
				option.setName('required-roles').setDescription(`Roles that may enter (mention them); see roles-mode${clear}`).setMaxLength(500)
			)
			.addStringOption((option) =>
				option
					.setName('roles-mode')
					.setDescription('Whether entrants need any one of the required roles (default) or all of them')
					.addChoices({ name: 'any of them', value: 'any' }, { name: 'all of them', value: 'all' })
			)
			.addStringOption((option) =>
				option.setName('blocked-roles').setDescription(`Roles that may not enter (mention them)${clear}`).setMaxLength(500)
			)
			.addStringOption((option) =>
				option.setName('min-account-age').setDescription(`Minimum age of the Discord account, e.g. 7d${clear}`).setMaxLength(50)
			)
			.addStringOption((option) =>
				option.setName('min-server-age').setDescription(`Minimum time in this server, e.g. 1d${clear}`).setMaxLength(50)
			)
			.addBooleanOption((option) => option.setName('boosters-only').setDescription('Only server boosters may enter'))
			.addIntegerOption((option) =>
				option
					.setName('min-invites')
					.setDescription(`Minimum invites (the invite tracker total)${editing ? ' (0: remove)' : ''}`)
					.setMinValue(editing ? 0 : 1)
					.setMaxValue(100_000)
			)
			.addBooleanOption((option) =>
				option.setName('invites-during').setDescription('min-invites counts only invites made while the giveaway runs')
			)
			.addStringOption((option) =>
				option.setName('bonus-roles').setDescription(`Extra entries by role: @Booster x2, @VIP x3 (or boosters x2)${clear}`).setMaxLength(500)
			)
			.addStringOption((option) =>
				option
					.setName('bonus-mode')
					.setDescription('With several bonuses: add them up (default) or count the highest only')
					.addChoices({ name: 'add them up', value: 'stack' }, { name: 'highest only', value: 'highest' })
			);
}

@ApplyOptions<Command.Options>({
	...guildCommand('Run giveaways: start, edit, end, reroll, pause, resume, cancel, list, entrants'),
	preconditions: ['GiveawayHost']
})
export class GiveawayCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry): void {
		const idOption = (description: string) => (option: SlashCommandStringOption) =>
			option.setName('id').setDescription(description).setRequired(true).setMaxLength(32);
		registry.registerChatInputCommand((builder) =>
			inGuildsOnly(builder)
				.setName(this.name)
				.setDescription(this.description)
				.setDMPermission(false)
				.addSubcommand((subcommand) =>
					requirementOptions(false)(
						subcommand
							.setName('start')
							.setDescription('Start a giveaway with an Enter button')
							.addStringOption((option) =>
								option.setName('prize').setDescription('What the winners get').setRequired(true).setMaxLength(200)
							)
							.addStringOption((option) =>
								option
									.setName('duration')
									.setDescription('How long it runs: 30s, 10m, 1h30m, 2d (at least 1s)')
									.setRequired(true)
									.setMaxLength(50)
							)
							.addIntegerOption((option) =>
								option.setName('winners').setDescription('How many winners').setRequired(true).setMinValue(1).setMaxValue(MAX_WINNERS)
							)
							.addChannelOption((option) =>
								option
									.setName('channel')
									.setDescription('Where to post it (this channel if left out)')
									.addChannelTypes(ChannelType.GuildText, ChannelType.GuildAnnouncement)
							)
							.addRoleOption((option) =>
								option.setName('required-role').setDescription('Only members with this role may enter and win')
							)
							.addStringOption((option) => option.setName('description').setDescription('Shown on the giveaway').setMaxLength(1000))
					)
						.addBooleanOption((option) =>
							option.setName('drop').setDescription('A drop: the first members to enter win at once (as many as winners)')
						)
						.addStringOption((option) =>
							option
								.setName('starts-in')
								.setDescription('Post it later: in 10m, 2h, 1d (then it runs for its duration)')
								.setMaxLength(50)
						)
						.addStringOption((option) =>
							option.setName('starts-at').setDescription('Post it at a time: <t:1767225600> or 2026-12-24 18:00 (UTC)').setMaxLength(50)
						)
						.addStringOption((option) =>
							option
								.setName('claim-window')
								.setDescription('Winners must press Claim within this long (e.g. 1h), or the prize is rerolled')
								.setMaxLength(50)
						)
				)
				.addSubcommand((subcommand) =>
					requirementOptions(true)(
						subcommand
							.setName('edit')
							.setDescription('Change a running or scheduled giveaway; its message is updated')
							.addStringOption(idOption('The giveaway ID (in its footer)'))
							.addStringOption((option) => option.setName('prize').setDescription('What the winners get').setMaxLength(200))
							.addStringOption((option) =>
								option.setName('description').setDescription('Shown on the giveaway (none: remove)').setMaxLength(1000)
							)
							.addIntegerOption((option) =>
								option.setName('winners').setDescription('How many winners').setMinValue(1).setMaxValue(MAX_WINNERS)
							)
							.addStringOption((option) =>
								option
									.setName('ends-in')
									.setDescription('A new end: this long from now, e.g. 2h (scheduled: from its start)')
									.setMaxLength(50)
							)
							.addStringOption((option) =>
								option.setName('ends-at').setDescription('A new end time: <t:1767225600> or 2026-12-24 18:00 (UTC)').setMaxLength(50)
							)
					)
				)
				.addSubcommand((subcommand) =>
					subcommand
						.setName('end')
						.setDescription('End a giveaway now and draw its winners')
						.addStringOption(idOption('The giveaway ID (in its footer)'))
				)
				.addSubcommand((subcommand) =>
					subcommand
						.setName('reroll')
						.setDescription('Draw new winners for an ended giveaway, among entrants who have not won')
						.addStringOption(idOption('The giveaway ID (in its footer)'))
						.addIntegerOption((option) =>
							option
								.setName('winners')
								.setDescription("How many (the giveaway's winner count if left out)")
								.setMinValue(1)
								.setMaxValue(MAX_WINNERS)
						)
				)
				.addSubcommand((subcommand) =>
					subcommand
						.setName('cancel')
						.setDescription('Cancel a giveaway: nobody wins')
						.addStringOption(idOption('The giveaway ID (in its footer)'))
				)
				.addSubcommand((subcommand) =>
					subcommand
						.setName('pause')
						.setDescription('Pause a giveaway: its clock stops, entries close')
						.addStringOption(idOption('The giveaway ID (in its footer)'))
				)
				.addSubcommand((subcommand) =>
					subcommand
						.setName('resume')
						.setDescription('Resume a paused giveaway with the time it had left')
						.addStringOption(idOption('The giveaway ID (in its footer)'))
				)
				.addSubcommand((subcommand) =>
					subcommand
						.setName('entrants')
						.setDescription('The entrant list of a giveaway as a CSV file (only you see it)')
						.addStringOption(idOption('The giveaway ID (in its footer)'))
				)
				.addSubcommand((subcommand) => subcommand.setName('list').setDescription("This server's running giveaways and the recent ones"))
				.addSubcommand((subcommand) =>
					subcommand
						.setName('host-role')
						.setDescription('Let members with a role run giveaways (Manage Server only; leave out the role to clear it)')
						.addRoleOption((option) => option.setName('role').setDescription('The host role'))
				)
		);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
		// Deferred first, whatever the subcommand: storage and message edits come after, so the 3 s answer deadline holds
		// under any load, and the answer never trails an edit of the giveaway message. (The host check may have deferred.)
		await deferFirst(interaction, { ephemeral: true });
		const { giveaways } = this.container;
		const { guildId } = interaction;
		const id = () => interaction.options.getString('id', true).trim();
		const answer = async (content: string) => void (await interaction.editReply({ content, allowedMentions: { parse: [] } }));
		switch (interaction.options.getSubcommand(true)) {
			case 'start':
				return this.start(interaction);
			case 'edit':
				return this.edit(interaction);
			case 'entrants': {
				const giveaway = unwrap(await giveaways.find(guildId, id()));
				const rows = await giveaways.entrantRows(giveaway);
				return void (await interaction.editReply({
					content: `${rows.length} ${rows.length === 1 ? 'entrant' : 'entrants'} of giveaway \`${giveaway.id}\` (${giveaway.prize}).`,
					files: [{ attachment: entrantsCsv(rows), name: `giveaway-${giveaway.id}-entrants.csv` }],
					allowedMentions: { parse: [] }
				}));
			}
			case 'end': {
				const giveaway = unwrap(await giveaways.endEarly(guildId, id()));
				return answer(`Giveaway \`${giveaway.id}\` ended. Winners: ${winnersText(currentWinners(giveaway))}.`);
			}
			case 'reroll': {
				const { giveaway, winners } = unwrap(
					await giveaways.reroll(guildId, id(), interaction.user.id, interaction.options.getInteger('winners') ?? undefined)
				);
				return answer(`Giveaway \`${giveaway.id}\` rerolled. New winners: ${winnersText(winners)}.`);
			}
			case 'cancel': {
				const giveaway = unwrap(await giveaways.cancel(guildId, id()));
				return answer(`Giveaway \`${giveaway.id}\` (${giveaway.prize}) cancelled; nobody wins.`);
			}
			case 'pause': {
				const giveaway = unwrap(await giveaways.pause(guildId, id()));
				return answer(`Giveaway \`${giveaway.id}\` paused; entries are closed until you resume it.`);
			}
			case 'resume': {
				const giveaway = unwrap(await giveaways.resume(guildId, id()));
				return answer(`Giveaway \`${giveaway.id}\` resumed; it ends ${time(new Date(giveaway.endsAt), TimestampStyles.RelativeTime)}.`);
			}
			case 'list':
				return void (await interaction.editReply({ embeds: [await this.list(guildId)], allowedMentions: { parse: [] } }));
			case 'host-role': {
				if (!interaction.memberPermissions.has(PermissionFlagsBits.ManageGuild)) {
					throw new UserError({
						identifier: 'GiveawayHostRoleDenied',
						message: 'Only members with the Manage Server permission can choose the giveaway host role.'
					});
				}
				const role = interaction.options.getRole('role');
				await giveaways.setHostRole(guildId, role?.id ?? null);
				return answer(
					role
						? `Members with ${roleMention(role.id)} can now run giveaways.`
						: 'The giveaway host role is cleared: only members with Manage Server run giveaways.'
				);
			}
		}
	}

	private async start(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
		const duration = parseDuration(interaction.options.getString('duration', true));
		if (!duration.ok) throw new UserError({ identifier: 'GiveawayDuration', message: duration.reason });
		const channel = interaction.options.getChannel('channel') ?? interaction.channel;
		if (!channel || !channel.isTextBased() || channel.isDMBased())
			throw new UserError({ identifier: 'GiveawayChannel', message: 'Choose a text channel for the giveaway.' });
		const { options } = interaction;
		const parsed = parseRequirements({
			requiredRoleIds: [options.getRole('required-role')?.id].filter((id): id is string => id !== undefined),
			requiredRoles: options.getString('required-roles'),
			requiredRolesMode: options.getString('roles-mode') as 'any' | 'all' | null,
			blockedRoles: options.getString('blocked-roles'),
			minAccountAge: options.getString('min-account-age'),
			minMemberAge: options.getString('min-server-age'),
			boostersOnly: options.getBoolean('boosters-only'),
			minInvites: options.getInteger('min-invites'),
			invitesDuring: options.getBoolean('invites-during')
		});
		if (!parsed.ok) throw new UserError({ identifier: 'GiveawayRequirements', message: parsed.reason });
		const bonus = parseBonus(options.getString('bonus-roles'), options.getString('bonus-mode') as 'stack' | 'highest' | null);
		if (!bonus.ok) throw new UserError({ identifier: 'GiveawayBonus', message: bonus.reason });
		const start = parseStart(options.getString('starts-in'), options.getString('starts-at'), Date.now());
		if (!start.ok) throw new UserError({ identifier: 'GiveawayStart', message: start.reason });
		const claimWindowText = options.getString('claim-window');
		const claimWindow = claimWindowText === null ? null : parseDuration(claimWindowText);
		if (claimWindow && !claimWindow.ok)
			throw new UserError({
				identifier: 'GiveawayClaimWindow',
				message: `\`claim-window\`: ${claimWindow.reason.replace('A giveaway', 'A claim window')}`
			});
		// Ended giveaways are deleted GIVEAWAY_RETENTION after their end: a longer window would delete pending claims.
		if (claimWindow?.ok && claimWindow.ms > this.container.config.giveawayRetentionMs)
			throw new UserError({
				identifier: 'GiveawayClaimWindow',
				message: `\`claim-window\` must not be longer than GIVEAWAY_RETENTION (${retentionSetting(this.container.config.giveawayRetentionMs)}): ended giveaways are deleted after it.`
			});
		let giveaway: Giveaway;
		try {
			giveaway = await this.container.giveaways.create({
				guildId: interaction.guildId,
				channelId: channel.id,
				hostId: interaction.user.id,
				prize: interaction.options.getString('prize', true),
				description: interaction.options.getString('description'),
				winnerCount: interaction.options.getInteger('winners', true),
				requiredRoleId: null,
				requirements: parsed.requirements,
				bonus: bonus.bonus,
				startsAt: start.startsAt,
				drop: options.getBoolean('drop') ?? false,
				claimWindowMs: claimWindow?.ok ? claimWindow.ms : null,
				durationMs: duration.ms
			});
		} catch (error) {
			if (error instanceof PermanentDiscordError) {
				throw new UserError({
					identifier: 'GiveawayChannel',
					message: `I cannot post in ${channelMention(channel.id)}: check my permissions there.`
				});
			}
			throw error;
		}
		const when =
			giveaway.state === 'scheduled'
				? `is scheduled in ${channelMention(giveaway.channelId)}: it starts ${time(new Date(giveaway.startsAt!), TimestampStyles.RelativeTime)} and runs for ${formatDuration(duration.ms)}.`
				: `started in ${channelMention(giveaway.channelId)}; it ends ${time(new Date(giveaway.endsAt), TimestampStyles.RelativeTime)}.`;
		await interaction.editReply({
			content: `Giveaway \`${giveaway.id}\` ${when}`,
			allowedMentions: { parse: [] }
		});
	}

	private async edit(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
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
			const end = parseStart(endsIn, endsAt, Date.now());
			if (!end.ok) throw new UserError({ identifier: 'GiveawayEnd', message: end.reason.replaceAll('starts-', 'ends-') });
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
			if (!bonus.ok) throw new UserError({ identifier: 'GiveawayBonus', message: bonus.reason });
			patch.bonus = bonus.bonus;
		} else if (bonusMode !== null) patch.bonusMode = bonusMode;
		if (Object.keys(patch).length === 0)
			throw new UserError({ identifier: 'GiveawayEdit', message: 'Nothing to change: give at least one option besides the id.' });
		const giveaway = unwrap(await this.container.giveaways.edit(interaction.guildId, interaction.options.getString('id', true).trim(), patch));
		await interaction.editReply({
			content: `Giveaway \`${giveaway.id}\` (${giveaway.prize}) changed; its message shows it. Entries that no longer qualify are dropped at the draw.`,
			allowedMentions: { parse: [] }
		});
	}

	private async list(guildId: string): Promise<EmbedBuilder> {
		const { open, recent } = await this.container.giveaways.list(guildId);
		const lines = (giveaways: Giveaway[]) => (giveaways.length > 0 ? giveaways.slice(0, 15).map(listLine).join('\n') : 'None');
		return new EmbedBuilder()
			.setColor(0xf1c40f)
			.setTitle('Giveaways')
			.addFields(
				{ name: `Running (${open.length})`, value: lines(open).slice(0, 1024) },
				{ name: 'Recent', value: lines(recent).slice(0, 1024) }
			);
	}
}

/** GIVEAWAY_RETENTION in the notation of the setting (90d, 12h). */
function retentionSetting(ms: number): string {
	return ms % 86_400_000 === 0 ? `${ms / 86_400_000}d` : `${Math.round(ms / 3_600_000)}h`;
}
