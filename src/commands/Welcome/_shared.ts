import { container, type Command } from '@sapphire/framework';
import { ChannelType, channelMention, type SlashCommandBuilder, type SlashCommandOptionsOnlyBuilder } from 'discord.js';
import { deferFirst } from '../../lib/interaction-reply.js';
import { EMBED_DESCRIPTION_LIMIT, PLACEHOLDER_LIST } from '../../lib/templates/placeholders.js';
import { EMBED_FOOTER_LIMIT, EMBED_TITLE_LIMIT, GREETING_LABEL, type GreetingKind } from '../../lib/welcome/message.js';
import { greetingSettingsFrom } from '../../lib/welcome/setup.js';

/** Shared by /setup-welcome and /setup-goodbye: the options, and the checks that refuse a bad setup with its reason. */
export function addGreetingOptions(builder: SlashCommandBuilder, kind: GreetingKind): SlashCommandBuilder {
	builder
		.addChannelOption((option) =>
			option
				.setName('channel')
				.setDescription(`Where ${kind} messages go`)
				.setRequired(true)
				.addChannelTypes(ChannelType.GuildText, ChannelType.GuildAnnouncement)
		)
		.addStringOption((option) =>
			option
				.setName('message')
				.setDescription(`Text; placeholders: ${PLACEHOLDER_LIST}`.slice(0, 100))
				.setRequired(true)
				.setMaxLength(EMBED_DESCRIPTION_LIMIT)
		)
		.addStringOption((option) =>
			option.setName('banner').setDescription('"generated" (a card the bot draws), an image URL, or "none"').setMaxLength(2000)
		)
		.addBooleanOption((option) =>
			option.setName('embed').setDescription('Send the message in an embed (default: no, yes with a title, footer or colour)')
		)
		.addStringOption((option) => option.setName('title').setDescription('Embed title (placeholders allowed)').setMaxLength(EMBED_TITLE_LIMIT))
		.addStringOption((option) => option.setName('footer').setDescription('Embed footer (placeholders allowed)').setMaxLength(EMBED_FOOTER_LIMIT))
		.addStringOption((option) => option.setName('colour').setDescription('Embed colour as hex, e.g. #57F287').setMaxLength(7))
		.addStringOption((option) =>
			option.setName('content').setDescription('Text sent above the embed, e.g. "{user} welcome!"').setMaxLength(2000)
		);
	if (kind === 'welcome') {
		builder
			.addBooleanOption((option) => option.setName('dm').setDescription('Also send it to the member by DM (default: no)'))
			.addBooleanOption((option) =>
				option.setName('after-screening').setDescription('With rules screening/onboarding: welcome once the member passes it (default: yes)')
			);
	}
	return builder;
}

/** The `kind` option of /welcome-test and /welcome-disable: which greeting (welcome when left out). */
export function addGreetingKindOption(builder: SlashCommandBuilder, description: string, withBoth = false): SlashCommandOptionsOnlyBuilder {
	const choices = [
		{ name: 'welcome', value: 'welcome' },
		{ name: 'goodbye', value: 'goodbye' },
		...(withBoth ? [{ name: 'both', value: 'both' }] : [])
	];
	return builder.addStringOption((option) =>
		option
			.setName('kind')
			.setDescription(`${description} (default: welcome)`)
			.addChoices(...choices)
	);
}

export { placeholderHelp } from '../../lib/welcome/setup.js';

export async function runGreetingSetup(interaction: Command.ChatInputCommandInteraction<'cached'>, kind: GreetingKind): Promise<void> {
	// The settings are written before the answer: acknowledged first (3 s deadline).
	await deferFirst(interaction, { ephemeral: true });
	const channel = interaction.options.getChannel('channel', true);
	const settings = greetingSettingsFrom(interaction.guild, kind, {
		channelId: channel.id,
		message: interaction.options.getString('message', true),
		banner: interaction.options.getString('banner'),
		embed: interaction.options.getBoolean('embed'),
		title: interaction.options.getString('title'),
		footer: interaction.options.getString('footer'),
		colour: interaction.options.getString('colour'),
		content: interaction.options.getString('content'),
		dm: interaction.options.getBoolean('dm'),
		afterScreening: interaction.options.getBoolean('after-screening')
	});

	await container.welcome.configure(interaction.guildId, kind, settings);
	const extras = [
		settings.banner ? `banner: ${settings.banner}` : null,
		settings.embed ? 'in an embed' : null,
		settings.dm ? 'also by DM' : null,
		settings.afterScreening === false ? 'at join, before rules screening' : null
	].filter(Boolean);
	await interaction.editReply({
		content: `${GREETING_LABEL[kind]} messages will go to ${channelMention(channel.id)}${extras.length ? ` (${extras.join(', ')})` : ''}. Try it with \`/welcome-test kind:${kind}\`.`,
		allowedMentions: { parse: [] }
	});
}
