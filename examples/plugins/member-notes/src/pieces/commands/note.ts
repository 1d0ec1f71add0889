import { ApplyOptions } from '@sapphire/decorators';
import { Command, CommandOptionsRunTypeEnum, UserError } from '@sapphire/framework';
import { ChannelType, MessageFlags, PermissionFlagsBits, time, TimestampStyles } from 'discord.js';
import type { TFunction } from 'supreme-bot/plugin';
import { MAX_NOTE_LENGTH, MAX_NOTES_PER_MEMBER, useNotes, useTranslator, type Note } from '../../notes.js';

export function describeNote(t: TFunction, note: Note): string {
	const date = time(Math.floor(Date.parse(note.createdAt) / 1000), TimestampStyles.ShortDate);
	return t('member-notes:line', { id: note.id, date, author: `<@${note.authorId}>`, text: note.text });
}

@ApplyOptions<Command.Options>({
	description: 'Moderator notes on members',
	runIn: CommandOptionsRunTypeEnum.GuildAny,
	preconditions: ['NoteModerator']
})
export class NoteCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry): void {
		registry.registerChatInputCommand((builder) =>
			builder
				.setName(this.name)
				.setDescription(this.description)
				// Hidden from members without Manage Messages; the precondition also lets Manage Server in.
				.setDefaultMemberPermissions(PermissionFlagsBits.ManageMessages)
				.addSubcommand((sub) =>
					sub
						.setName('add')
						.setDescription('Add a note to a member')
						.addUserOption((option) => option.setName('member').setDescription('Who the note is about').setRequired(true))
						.addStringOption((option) =>
							option.setName('text').setDescription('The note').setRequired(true).setMaxLength(MAX_NOTE_LENGTH)
						)
				)
				.addSubcommand((sub) =>
					sub
						.setName('list')
						.setDescription("Show a member's notes")
						.addUserOption((option) => option.setName('member').setDescription('Whose notes').setRequired(true))
				)
				.addSubcommand((sub) =>
					sub
						.setName('remove')
						.setDescription('Remove one note by its number')
						.addUserOption((option) => option.setName('member').setDescription('Whose note').setRequired(true))
						.addIntegerOption((option) =>
							option.setName('number').setDescription('The note number shown by /note list').setRequired(true).setMinValue(1)
						)
				)
				.addSubcommand((sub) =>
					sub
						.setName('channel')
						.setDescription('Where to show notes when a noted member rejoins (leave empty for the bot log only)')
						.addChannelOption((option) =>
							option.setName('channel').setDescription('A moderators-only channel').addChannelTypes(ChannelType.GuildText)
						)
				)
		);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction<'cached'>): Promise<void> {
		const notes = useNotes();
		const { guildId } = interaction;
		// Every subcommand waits for storage: acknowledge first, Discord drops an interaction not answered within 3 s.
		await interaction.deferReply({ flags: MessageFlags.Ephemeral });
		// The server's language (read from storage, so after the defer); the keys are this plugin's own namespace.
		const t = await useTranslator()(interaction);
		const reply = (content: string) => interaction.editReply({ content, allowedMentions: { parse: [] } });

		switch (interaction.options.getSubcommand(true)) {
			case 'add': {
				const member = interaction.options.getUser('member', true);
				const note = await notes.add(guildId, member.id, interaction.user.id, interaction.options.getString('text', true).trim());
				if (!note)
					throw new UserError({
						identifier: 'NoteLimit',
						message: t('member-notes:limit', { member: `<@${member.id}>`, max: MAX_NOTES_PER_MEMBER })
					});
				await reply(t('member-notes:added', { id: note.id, member: `<@${member.id}>` }));
				return;
			}
			case 'list': {
				const member = interaction.options.getUser('member', true);
				const list = await notes.list(guildId, member.id);
				await reply(
					list.length === 0
						? t('member-notes:none', { member: `<@${member.id}>` })
						: [t('member-notes:list', { member: `<@${member.id}>` }), ...list.map((note) => describeNote(t, note))].join('\n')
				);
				return;
			}
			case 'remove': {
				const member = interaction.options.getUser('member', true);
				const id = interaction.options.getInteger('number', true);
				if (!(await notes.remove(guildId, member.id, id)))
					throw new UserError({ identifier: 'NoteMissing', message: t('member-notes:missing', { member: `<@${member.id}>`, id }) });
				await reply(t('member-notes:removed', { id, member: `<@${member.id}>` }));
				return;
			}
			case 'channel': {
				const channel = interaction.options.getChannel('channel');
				await notes.setChannel(guildId, channel?.id ?? null);
				await reply(channel ? t('member-notes:channelSet', { channel: `<#${channel.id}>` }) : t('member-notes:channelCleared'));
			}
		}
	}
}
